"""Helpers of the web-console tests: the sign-in link the bot sends, and an
HTTP client that keeps the console's cookie (the browser tests build on these)."""

from __future__ import annotations

import re

import aiohttp

from bot.app import Hotline
from sandbox.client import SandboxClient
from tests.driver import say

LINK = re.compile(r"https?://\S+/console/login\?token=[A-Za-z0-9_-]+")


async def link_from_bot(sandbox: SandboxClient, telegram_id: int) -> str:
    """Sends /console in the sandbox and returns the sign-in link from the bot's answer."""
    answer = await say(sandbox, telegram_id, "/console", "/console/login?token=")
    found = LINK.search(answer["text"])
    assert found, answer["text"]
    return found[0]


def console_base(hotline: Hotline) -> str:
    return f"http://127.0.0.1:{hotline.http_port}/console"


def csrf_of(page: str) -> str:
    """The CSRF token of the first form on a console page."""
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found, "the page has no form with a CSRF token"
    return found[1]


def http_client() -> aiohttp.ClientSession:
    """A client that keeps cookies set for 127.0.0.1 (aiohttp's default jar drops cookies
    of IP-address hosts) and does not follow redirects unless asked."""
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))


async def press_sign_in(client: aiohttp.ClientSession, link: str) -> aiohttp.ClientResponse:
    """What a person does with the link: opens it (a page with a button, nothing used up
    yet) and presses the button, which posts the token; returns the POST's answer."""
    async with client.get(link, allow_redirects=False) as page:
        assert page.status == 200, await page.text()
        form = await page.text()
    found = re.search(r'name="token" value="([^"]+)"', form)
    assert found, form
    base = link.split("/console/login", 1)[0]
    async with client.post(f"{base}/console/login", data={"token": found[1]},
                           allow_redirects=False) as response:
        await response.read()
        return response


async def signed_in_client(hotline: Hotline, sandbox: SandboxClient,
                           telegram_id: int) -> aiohttp.ClientSession:
    client = http_client()
    response = await press_sign_in(client, await link_from_bot(sandbox, telegram_id))
    assert response.status == 303, response.status
    return client
