"""Forms that act once: the page carries a one-time token (hidden field `once`), and the
view runs its change inside `only_once`, which claims the token first.

A second submission of the same form changes nothing: it is sent to where the first one led
(the announcement it published, the course it created) with a notice saying so.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiohttp import web

from console.auth import viewer
from console.keys import SERVICES
from console.rendering import SECURITY_HEADERS, redirect, render_refusal
from services.console_forms import Claim, Outcome

FIELD = "once"


async def issue(request: web.Request, purpose: str, payload: dict | None = None) -> str:
    """A token for one form on the page being rendered; `purpose` is the page's path."""
    return await request.app[SERVICES].form_tokens.issue(
        viewer(request).telegram_id, purpose, payload)


@asynccontextmanager
async def only_once(request: web.Request, token: str, purpose: str) -> AsyncIterator[Claim]:
    """Claims the form's token, or answers in its place.

    Inside the block, a redirect raised is the change done: the token remembers where it
    led. A page returned (a refusal of the form) or an error gives the token back, since
    nothing changed and the corrected form may be sent again. Every block therefore ends
    by raising its redirect or returning its refusal; nothing runs after it.
    """
    tokens = request.app[SERVICES].form_tokens
    claim = await tokens.claim(token, viewer(request).telegram_id, purpose)
    _answer_if_used(claim, purpose)
    if claim.outcome == Outcome.UNKNOWN:
        # No usable token (forged, or older than a session can last): nothing changes.
        refusal = await render_refusal(request, 400, "console_comms.once.stale")
        raise web.HTTPBadRequest(text=refusal.text, content_type="text/html",
                                 headers=SECURITY_HEADERS)
    try:
        yield claim
    except web.HTTPRedirection as done:
        await tokens.finish(claim, done.location.split("?", 1)[0] if done.location else purpose)
        raise
    except BaseException:
        await tokens.release(claim)
        raise
    await tokens.release(claim)


async def answer_if_used(request: web.Request, token: str, purpose: str) -> None:
    """For a form that is checked again before acting (its time may have passed): a second
    submission is led to the first one's result even when the check would now refuse it."""
    tokens = request.app[SERVICES].form_tokens
    _answer_if_used(await tokens.used(token, viewer(request).telegram_id, purpose), purpose)


def _answer_if_used(claim: Claim, purpose: str) -> None:
    if claim.outcome == Outcome.DONE:
        raise redirect(claim.result, notice="console_comms.once.done")
    if claim.outcome == Outcome.RUNNING:
        raise redirect(purpose, notice="console_comms.once.running")
