"""A roster change notice ("staff changed your duty") leaves the queue only once it was sent
or refused for good (issue 15 item 7): a send that fails for now, or a process that dies
mid-send, leaves it for the next check instead of losing it."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from bot.app import build_services
from sandbox.client import SandboxClient
from sandbox.server import SandboxServer
from scheduler.hotline import check_roster_duty
from services.actors import Actor
from services.hotline.messenger import CaseMessenger, Delivery
from storage.models import utcnow
from storage.repositories.roster_duty import RosterDutyRepository
from tests.driver import wait_reply
from tests.hotline_support import expert
from tests.support import running_hotline


class FailingFirst:
    """The bot's own messenger, whose first sends fail as Telegram's would (the outer edge)."""

    def __init__(self, messenger: CaseMessenger, failures: list[str]) -> None:
        self._messenger = messenger
        self._failures = failures

    async def send_rendered(self, chat_id: int, template: str, **data: object) -> Delivery:
        if self._failures:
            return Delivery(None, self._failures.pop(0))
        return await self._messenger.send_rendered(chat_id, template, **data)


async def test_a_notice_whose_send_failed_or_was_cut_short_is_sent_by_the_next_check(
        sandbox_server: SandboxServer, sandbox: SandboxClient, tmp_path: Path) -> None:
    hotline = await running_hotline(sandbox_server, tmp_path)
    try:
        wang = await expert(hotline, sandbox, "Wang Wei", "legal")
        li = await expert(hotline, sandbox, "Li Na", "legal")
        day = utcnow().astimezone(hotline.services.hotline.roster.zone).date() + timedelta(
            days=3)
        # Changes at the command line (no bot there) are queued for the bot's check.
        offline = build_services(hotline.settings, hotline.services.database).hotline
        operator = Actor.command_line("ops@server")
        await offline.roster_actions.add_override(operator, day, wang["id"], "off")
        queue = RosterDutyRepository(hotline.services.database)
        actions = hotline.services.hotline.roster_actions
        messenger = hotline.services.hotline.cases.messenger

        # A network failure (after the gateway's own retries): kept, and sent next time.
        assert await actions.deliver_notices(FailingFirst(messenger, ["network"])) == 0
        assert [n.chat_id for n in await queue.queued_notices(10)] == [wang["id"]]
        await check_roster_duty(hotline.services)
        told = await wait_reply(sandbox, wang["id"], "Staff changed")
        assert told["text"] == f"Staff changed your duty: you are off duty on {day}."
        assert await queue.queued_notices(10) == []
        assert await actions.deliver_notices(messenger) == 0  # sent once, not again

        # A process that claimed a notice and died before sending it: after a while the
        # claim lapses and the running bot sends it; a fresh claim is left alone.
        await offline.roster_actions.add_override(operator, day, li["id"], "off")
        (pending,) = await queue.queued_notices(10)
        assert await queue.take_notice(pending.id, utcnow())
        assert await actions.deliver_notices(messenger) == 0
        assert await queue.queued_notices(10) == []
        await queue.release_notice(pending.id)  # as if claimed long ago: back in the queue
        assert await queue.take_notice(pending.id, utcnow() - timedelta(minutes=11))
        assert await actions.deliver_notices(messenger) == 1
        await wait_reply(sandbox, li["id"], "Staff changed")

        # A final refusal (the expert blocked the bot) is not tried again.
        await offline.roster_actions.add_override(operator, day + timedelta(days=1),
                                                  li["id"], "off")
        assert await actions.deliver_notices(FailingFirst(messenger, ["blocked"])) == 0
        assert await queue.queued_notices(10) == []
        assert await actions.deliver_notices(messenger) == 0

        # Tried again at every check until the day it is about has passed; then it goes,
        # unsent (news of a duty already over helps no one).
        before = len(await sandbox.bot_messages(wang["id"]))
        yesterday = hotline.services.hotline.coverage.today() - timedelta(days=1)
        await queue.queue_notices([(wang["id"], "roster_changed", json.dumps(
            {"kind": "off", "removed": False, "day": yesterday.isoformat(), "start": "",
             "end": "", "categories": []}))])
        assert len(await queue.queued_notices(10)) == 1
        assert await actions.deliver_notices(messenger) == 0
        assert await queue.queued_notices(10) == []
        assert len(await sandbox.bot_messages(wang["id"])) == before
    finally:
        await hotline.stop()
