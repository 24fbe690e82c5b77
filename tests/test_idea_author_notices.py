"""The word an idea's author is owed of a staff decision is kept with the decision until it
arrives: a send that fails for now is sent by the bot's next check, a change made where no
bot runs (the state a process killed right after the change leaves too) is sent by the
running bot, once; an author who blocked the bot is not tried again."""

from __future__ import annotations

from datetime import timedelta

from bot.app import Hotline, build_services
from sandbox.client import SandboxClient
from scheduler.ideas import AUTHOR_NOTICES_JOB_ID, send_author_notices
from services.ideas.author_notice import Told
from storage.models import Idea, ReminderState, Role, utcnow
from storage.repositories.idea_notices import IdeaNoticeRepository
from tests.console_comms_support import page_tokens
from tests.console_support import console_base, signed_in_client
from tests.driver import person, wait_reply
from tests.ideas_helpers import resident_idea, staff_actor

STAFF = staff_actor(1)
# Every sendMessage fails with a server error: more than the gateway's four attempts.
SERVER_DOWN = {"rate": 1.0, "kinds": ["5xx"], "methods": ["sendMessage"], "count": 4}


def notices_of(messages: list[dict], fragment: str) -> list[dict]:
    return [m for m in messages
            if m["sandbox"]["direction"] == "out" and fragment in (m.get("text") or "")]


async def author_with_idea(hotline: Hotline, sandbox: SandboxClient) -> tuple[dict, Idea]:
    """A resident and their idea; the test runs the bot's check itself, when it chooses."""
    hotline.application.job_queue.scheduler.pause_job(AUTHOR_NOTICES_JOB_ID)
    author = await person(sandbox, hotline, "Liu", role=None)
    return author, await resident_idea(hotline, author["id"], "Benches")


async def told_once(hotline: Hotline, sandbox: SandboxClient, author: dict,
                    fragment: str) -> None:
    """Nothing is owed any more, and the notice arrived exactly once."""
    assert await send_author_notices(hotline.services) == Told.NOTHING_OWED
    assert len(notices_of(await sandbox.messages(author["id"]), fragment)) == 1


async def test_a_notice_that_did_not_get_through_is_sent_by_the_next_check_once(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    author, idea = await author_with_idea(hotline, sandbox)
    staff = await person(sandbox, hotline, "Wang", role=Role.STAFF)
    base = console_base(hotline)
    async with await signed_in_client(hotline, sandbox, staff["id"]) as client:
        csrf, once = await page_tokens(client, f"{base}/ideas/{idea.id}")
        await sandbox.configure(faults=SERVER_DOWN)
        async with client.post(f"{base}/ideas/{idea.id}/status", data={
                "csrf": csrf, "once": once, "expected": "submitted", "status": "accepted",
                "publish": "1", "answer": "Next spring."}) as response:
            page = await response.text()
    assert "The message to the author has not got through yet" in page
    assert notices_of(await sandbox.messages(author["id"]), "Next spring.") == []
    await sandbox.configure(faults=None)

    assert await send_author_notices(hotline.services) == Told.SENT
    told = await wait_reply(sandbox, author["id"],
                            lambda m: "Next spring." in (m.get("text") or ""))
    assert idea.reference in told["text"] and "Accepted" in told["text"]
    await told_once(hotline, sandbox, author, "Next spring.")


async def test_a_change_stored_where_no_bot_runs_is_told_by_the_running_bot(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    author, idea = await author_with_idea(hotline, sandbox)
    # Another process on the same database, with no bot: it stores the decision and what
    # the author is owed, and sends nothing (as a bot killed right after the change).
    offline = build_services(hotline.settings, hotline.services.database)
    change = await offline.ideas.change_status(STAFF, idea.id, "submitted", "accepted",
                                               "Next spring.", True)
    assert change.notify_author and change.author == Told.LATER
    other = await resident_idea(hotline, author["id"], "Lamps")
    await offline.ideas.mark_duplicate(STAFF, other.id, idea.reference)
    assert notices_of(await sandbox.messages(author["id"]), idea.reference) == []

    # A process that claimed the notices and died before sending: its claims are left
    # alone for a while, then taken over.
    repository = IdeaNoticeRepository(hotline.services.database)
    owed = await repository.owed(10, utcnow())
    assert [n.kind for n in owed] == ["published", "duplicate"]
    for notice in owed:
        assert await repository.claim(notice.event_id, utcnow(), utcnow())
    assert await send_author_notices(hotline.services) == Told.NOTHING_OWED
    assert notices_of(await sandbox.messages(author["id"]), idea.reference) == []
    long_ago = utcnow() - timedelta(minutes=11)
    for notice in owed:
        await repository.finish(notice.event_id, ReminderState.PENDING)
        assert await repository.claim(notice.event_id, long_ago, long_ago)

    assert await send_author_notices(hotline.services) == Told.SENT
    await wait_reply(sandbox, author["id"], lambda m: "Next spring." in (m.get("text") or ""))
    duplicate = await wait_reply(sandbox, author["id"],
                                 lambda m: other.reference in (m.get("text") or ""))
    assert idea.reference in duplicate["text"]
    await told_once(hotline, sandbox, author, "Next spring.")


async def test_an_author_who_blocked_the_bot_is_not_tried_again(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    author, idea = await author_with_idea(hotline, sandbox)
    await sandbox.block_bot(author["id"])
    change = await hotline.services.ideas.change_status(STAFF, idea.id, "submitted",
                                                        "accepted", "Next spring.", True)
    assert change.author == Told.UNREACHABLE and not change.told
    assert await send_author_notices(hotline.services) == Told.NOTHING_OWED
    calls = [c for c in await sandbox.calls("sendMessage")
             if int(c["params"]["chat_id"]) == author["id"]
             and idea.reference in c["params"].get("text", "")]
    assert len(calls) == 1  # the one attempt, answered "blocked"


async def test_an_unpublished_change_owes_the_author_nothing(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    author, idea = await author_with_idea(hotline, sandbox)
    change = await hotline.services.ideas.change_status(STAFF, idea.id, "submitted",
                                                        "accepted", "Maybe.", False)
    assert change.author == Told.NOTHING_OWED and not change.notify_author
    assert await send_author_notices(hotline.services) == Told.NOTHING_OWED
    change = await hotline.services.ideas.publish(STAFF, idea.id)
    assert change.author == Told.SENT
    await wait_reply(sandbox, author["id"], lambda m: "Maybe." in (m.get("text") or ""))


async def test_the_bot_checks_for_owed_notices_on_its_own(hotline: Hotline) -> None:
    job = hotline.application.job_queue.scheduler.get_job(AUTHOR_NOTICES_JOB_ID)
    assert job is not None
    assert job.trigger.interval == timedelta(seconds=hotline.settings.escalation_check_seconds)


