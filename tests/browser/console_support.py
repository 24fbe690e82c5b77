"""Signing a Playwright page in to the web console the way a person does: /console in the
sandbox chat, then the link from the bot's answer opened in the browser."""

from __future__ import annotations

from typing import Any

from bot.app import Hotline
from sandbox.client import SandboxClient
from storage.models import Role
from tests.console_support import console_base, link_from_bot
from tests.driver import person

__all__ = ["console_base", "person", "sign_in", "staff_member"]


async def staff_member(hotline: Hotline, sandbox: SandboxClient, name: str, *,
                       role: Role = Role.STAFF, language: str = "en") -> dict[str, Any]:
    """A sandbox user with a staff (or admin) role, known to the bot."""
    return await person(sandbox, hotline, name, role=role, language=language)


async def sign_in(hotline: Hotline, sandbox: SandboxClient, page: Any, telegram_id: int) -> None:
    """Signs `page` in as `telegram_id` (granted staff first if they hold neither staff nor
    admin) and leaves it on the dashboard."""
    holder = await hotline.services.people.get(telegram_id)
    if holder is None or not {Role.STAFF.value, Role.ADMIN.value} & holder.roles:
        await hotline.services.people.grant(telegram_id, Role.STAFF)
    await page.goto(await link_from_bot(sandbox, telegram_id))
    await page.locator("form[action='/console/login'] button").click()
    await page.wait_for_url(f"{console_base(hotline)}/")
