"""Helpers of the hotline tests: people in their roles, a roster, a question asked via /ask."""

from __future__ import annotations

from typing import Any

from bot.app import Hotline
from sandbox.client import SandboxClient
from services.profiles import Profile
from storage.models import Case, Role
from tests.driver import (
    buttons,
    person,
    press_data,
    say,
    wait_edit,
    wait_reply,
    with_buttons,
)

ALL_DAY = "daily,00:00,24:00"
# A 16x16 PNG: a photo an asker can send.
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x02\x00"
       b"\x00\x00\x90\x91h6\x00\x00\x00\x0cIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18"
       b"\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


async def social_worker(hotline: Hotline, sandbox: SandboxClient, name: str,
                        language: str = "en", *, profile: bool = True) -> dict[str, Any]:
    user = await person(sandbox, hotline, name, language=language, role=Role.SOCIAL_WORKER,
                        first="/start")
    if profile:
        await hotline.services.profiles.save(
            user["id"], Profile(name, "Taihe Social Work Station", "Taihe Community"))
    return user


async def expert(hotline: Hotline, sandbox: SandboxClient, name: str, categories: str,
                 *, name_en: str | None = None, language: str = "en") -> dict[str, Any]:
    user = await person(sandbox, hotline, name, language=language, first="/start")
    await hotline.services.hotline.experts.add(user["id"], name, categories.split(","),
                                               name_en=name_en)
    return user


async def roster(hotline: Hotline, *lines: str) -> None:
    text = "telegram_id,categories,days,start,end\n" + "\n".join(lines) + "\n"
    await hotline.services.hotline.roster.import_file(text)


async def ask(sandbox: SandboxClient, asker: dict[str, Any], category: str,
              question: str) -> dict[str, Any]:
    """Runs /ask to the confirmation; returns the confirmation message (Send not pressed)."""
    uid = asker["id"]
    chooser = await say(sandbox, uid, "/ask", with_buttons)
    await press_data(sandbox, uid, chooser, f"hotline:ask:{category}")
    await wait_edit(sandbox, uid, chooser["message_id"])
    return await say(sandbox, uid, question, with_buttons)


async def submit(sandbox: SandboxClient, asker: dict[str, Any], confirm: dict[str, Any]) -> None:
    answer = await press_data(sandbox, asker["id"], confirm, "hotline:ask_send")
    assert answer["answer"] is not None


async def latest_case(hotline: Hotline, asker_id: int) -> Case:
    cases = await hotline.services.hotline.cases.repository.active_of_asker(asker_id)
    assert cases, "no open case"
    return cases[-1]


async def offer_to(sandbox: SandboxClient, user_id: int, number: str) -> dict[str, Any]:
    return await wait_reply(sandbox, user_id, lambda m: number in (m.get("text") or "") and any(
        data.startswith("hotline:claim:") for _, data in buttons(m)))


async def skip_handoff(sandbox: SandboxClient, user_id: int, prompt_id: int,
                       reason: str = "nothing") -> dict[str, Any]:
    """Presses a ready reason on the handoff prompt the Transfer choice turned into."""
    prompt = await wait_edit(sandbox, user_id, prompt_id)
    data = next(d for _, d in buttons(prompt) if d.endswith(f":{reason}"))
    return await press_data(sandbox, user_id, prompt, data)
