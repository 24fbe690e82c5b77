"""The announcement, training and idea pages over real HTTP: forged and stale requests are
refused with the right status and change nothing; the progress figure is JSON."""

from __future__ import annotations

import aiohttp

from bot.app import Hotline
from sandbox.client import SandboxClient
from services.announcements.broadcasts import Draft
from storage.models import Role
from tests.console_comms_support import once_of, page_tokens
from tests.console_support import console_base, csrf_of, signed_in_client
from tests.driver import person, wait_reply
from tests.ideas_helpers import resident_idea, staff_actor

MESSAGE = {"topic": "policy", "title": "Rent subsidy", "body": "Apply now.", "link": "",
           "when": "now", "send_at": ""}


async def post(client: aiohttp.ClientSession, url: str, data: dict[str, str]) -> tuple[int, str]:
    async with client.post(url, data=data, allow_redirects=False) as response:
        return response.status, await response.text()


async def test_sending_needs_the_csrf_token_and_a_checked_form(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    staff = await person(sandbox, hotline, "Wang", role=Role.STAFF)
    base = console_base(hotline)
    async with await signed_in_client(hotline, sandbox, staff["id"]) as client:
        async with client.get(f"{base}/announcements/new") as response:
            csrf = csrf_of(await response.text())
        assert (await post(client, f"{base}/announcements/send", MESSAGE))[0] == 403
        status, page = await post(client, f"{base}/announcements/send",
                                  {**MESSAGE, "csrf": csrf, "topic": "forged",
                                   "roles": "admin"})
        assert status == 400 and 'id="topic-error"' in page and 'id="roles-error"' in page
        history = await hotline.services.announcements.history.page(1)
        assert history.total == 0
        # Without the confirmation step's one-time token nothing is sent either.
        status, page = await post(client, f"{base}/announcements/send",
                                  {**MESSAGE, "csrf": csrf})
        assert status == 400 and "out of date" in page
        assert (await hotline.services.announcements.history.page(1)).total == 0
        _status, confirm = await post(client, f"{base}/announcements/review",
                                      {**MESSAGE, "csrf": csrf})
        status, _page = await post(client, f"{base}/announcements/send",
                                   {**MESSAGE, "csrf": csrf, "once": once_of(confirm)})
        assert status == 303
        assert (await hotline.services.announcements.history.page(1)).total == 1


async def test_progress_is_json_and_unknown_ids_are_not_found(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    staff = await person(sandbox, hotline, "Wang", role=Role.STAFF)
    record = await hotline.services.announcements.publish(Draft(None, "policy", "T", "B"))
    base = console_base(hotline)
    async with await signed_in_client(hotline, sandbox, staff["id"]) as client:
        async with client.get(f"{base}/announcements/{record.id}/progress") as response:
            figures = await response.json()
        assert figures["total"] == 0 and figures["finished"] is True
        assert figures["state"] == "done" and figures["state_label"] == "Finished"
        for path in ("/announcements/999", "/trainings/999", "/ideas/999",
                     "/trainings/1/export.pdf", "/ideas/export.pdf"):
            async with client.get(f"{base}{path}") as response:
                assert response.status == 404, path


async def test_a_stale_status_change_is_refused_and_the_author_is_not_told(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    author = await person(sandbox, hotline, "Liu", role=None)
    idea = await resident_idea(hotline, author["id"], "Benches")
    await hotline.services.ideas.change_status(staff_actor(1), idea.id, "submitted",
                                               "under_review", None, True)
    staff = await person(sandbox, hotline, "Wang", role=Role.STAFF)
    base = console_base(hotline)
    before = len(await sandbox.messages(author["id"]))
    async with await signed_in_client(hotline, sandbox, staff["id"]) as client:
        csrf, once = await page_tokens(client, f"{base}/ideas/{idea.id}")
        status, page = await post(client, f"{base}/ideas/{idea.id}/status", {
            "csrf": csrf, "once": once, "expected": "submitted", "status": "accepted",
            "publish": "1", "answer": "Yes"})
        assert status == 400 and "This idea has changed" in page
        # A refused form changed nothing: its one-time token is still good for another try.
        status, page = await post(client, f"{base}/ideas/{idea.id}/note",
                                  {"csrf": csrf, "once": once, "note": "   "})
        assert status == 400 and "This cannot be empty." in page
    assert (await hotline.services.ideas.get(idea.id)).status == "under_review"
    assert len(await sandbox.messages(author["id"])) == before


async def test_people_without_a_staff_role_are_refused(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    staff = await person(sandbox, hotline, "Wang", role=Role.STAFF)
    base = console_base(hotline)
    async with await signed_in_client(hotline, sandbox, staff["id"]) as client:
        await hotline.services.people.revoke(staff["id"], Role.STAFF)
        for path in ("/announcements", "/trainings", "/ideas", "/ideas/export.csv"):
            async with client.get(f"{base}{path}", allow_redirects=False) as response:
                assert response.status == 403, path


async def test_a_change_kept_unpublished_reaches_the_author_only_when_published(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    author = await person(sandbox, hotline, "Liu", role=None)
    idea = await resident_idea(hotline, author["id"], "Benches")
    staff = await person(sandbox, hotline, "Wang", role=Role.STAFF)
    base = console_base(hotline)
    before = len(await sandbox.messages(author["id"]))
    async with await signed_in_client(hotline, sandbox, staff["id"]) as client:
        csrf, once = await page_tokens(client, f"{base}/ideas/{idea.id}")
        status, _page = await post(client, f"{base}/ideas/{idea.id}/status", {
            "csrf": csrf, "once": once, "expected": "submitted", "status": "accepted",
            "answer": "Next spring."})
        assert status == 303
        assert len(await sandbox.messages(author["id"])) == before
        async with client.get(f"{base}/ideas/{idea.id}") as response:
            page = await response.text()
            assert "A status or answer is waiting to be published." in page
        status, _page = await post(client, f"{base}/ideas/{idea.id}/publish",
                                   {"csrf": csrf, "once": once_of(page)})
        assert status == 303
    told = await wait_reply(sandbox, author["id"],
                            lambda m: "Next spring." in (m.get("text") or ""))
    assert idea.reference in told["text"]
    stored = await hotline.services.ideas.get(idea.id)
    assert (stored.status, stored.published_status) == ("accepted", "accepted")
