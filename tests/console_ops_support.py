"""A consultation with some history, for the console's case tests (with and without a browser):
two legal experts and a finance expert on duty all day, an asker whose question Wang claimed
and answered, then a photo and an edited follow-up from the asker."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.app import Hotline
from sandbox.client import SandboxClient
from storage.models import Case
from tests.driver import buttons, press_data, wait_edit, wait_reply
from tests.hotline_support import ALL_DAY, ask, expert, offer_to, roster, social_worker, submit
from tests.support import bot_idle

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x02\x00"
       b"\x00\x00\x90\x91h6\x00\x00\x00\x19IDATx\x9cc\xfc\xcf\xc0\xc0\xc0\xc4\xc0\xc0\xc0"
       b"\xc0\x80\x0b\x18\x18\x00\x00\x1f\x00\x02\x9e\xa1\x0f\xce\x00\x00\x00\x00IEND\xaeB`\x82")


@dataclass
class Consultation:
    wang: dict[str, Any]
    zhao: dict[str, Any]
    li: dict[str, Any]
    asker: dict[str, Any]
    case: Case


async def consultation(hotline: Hotline, sandbox: SandboxClient) -> Consultation:
    wang = await expert(hotline, sandbox, "王伟", "legal", name_en="Wang Wei")
    zhao = await expert(hotline, sandbox, "赵敏", "legal", name_en="Zhao Min")
    li = await expert(hotline, sandbox, "李娜", "finance", name_en="Li Na")
    await roster(hotline, f"{wang['id']},legal,{ALL_DAY}", f"{li['id']},finance,{ALL_DAY}")
    asker = await social_worker(hotline, sandbox, "Emma")
    uid = asker["id"]
    await submit(sandbox, asker, await ask(sandbox, asker, "legal", "How do we sign a lease?"))
    offer = await offer_to(sandbox, wang["id"], "C-2026-0001")
    await press_data(sandbox, wang["id"], offer, buttons(offer)[0][1])
    await wait_reply(sandbox, uid, "has been taken")
    await wait_reply(sandbox, wang["id"], "How do we sign")
    await sandbox.send_text(wang["id"], "Bring the organisation's seal.")
    await wait_reply(sandbox, uid, "organisation's seal")
    await sandbox.send_photo(uid, PNG, caption="the draft lease")
    await wait_reply(sandbox, wang["id"], "the draft lease")
    follow_up = await sandbox.send_text(uid, "Is a copy enough?")
    copy = await wait_reply(sandbox, wang["id"], "Is a copy")
    await sandbox.edit_text(uid, uid, follow_up["message_id"], "Is a scanned copy enough?")
    await wait_edit(sandbox, wang["id"], copy["message_id"])
    await bot_idle(hotline)  # the edit's transcript row is written after the copy is edited
    case = await hotline.services.hotline.cases.repository.by_number("C-2026-0001")
    assert case is not None
    return Consultation(wang, zhao, li, asker, case)
