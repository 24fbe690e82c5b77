"""Signing in (the link from the bot), signing out, and switching the console's language."""

from __future__ import annotations

import logging

from aiohttp import web

from console.audit import audit
from console.auth import requires, viewer
from console.forms import Form
from console.keys import COOKIE, LOCALE, RENDERER, SERVICES, VIEWER
from console.rendering import redirect, render, render_refusal
from services.console_access import ABSOLUTE_LIMIT, SignInRefused
from storage.models import Role

log = logging.getLogger(__name__)

_REFUSAL = {
    "unknown": (404, "console.login.unknown"),
    "used": (410, "console.login.used"),
    "expired": (410, "console.login.expired"),
}


async def login(request: web.Request) -> web.StreamResponse:
    """Uses the one-time link, sets the session cookie, and opens the dashboard."""
    access = request.app[SERVICES].console
    try:
        secret, record = await access.redeem(request.query.get("token", ""))
    except SignInRefused as refused:
        log.info("console: sign-in link refused (%s)", refused.reason)
        status, key = _REFUSAL[refused.reason]
        if refused.locale:
            request[LOCALE] = refused.locale
        return await render_refusal(request, status, key)
    log.info("console: %s signed in", record.telegram_id)
    await request.app[SERVICES].audit.record(record.telegram_id, "console.sign_in")
    response = web.Response(status=303, headers={"Location": "/console/"})
    response.set_cookie(COOKIE, secret, max_age=int(ABSOLUTE_LIMIT.total_seconds()),
                        path="/console", httponly=True, samesite="Lax",
                        secure=access.secure_cookie)
    return response


@requires(Role.STAFF, check_role=False)
async def logout(request: web.Request) -> web.StreamResponse:
    """Ends the session (its row is deleted) and forgets the cookie."""
    leaving = viewer(request)
    await request.app[SERVICES].console.sign_out(leaving.session)
    await audit(request, "console.sign_out")
    # The goodbye page is in their language but shows no menu: the session is gone.
    request[LOCALE] = leaving.locale
    del request[VIEWER]
    response = await render(request, "console/signed_out.html")
    response.del_cookie(COOKIE, path="/console")
    return response


def _safe_next(path: str) -> str:
    """Only back to a console page: never an open redirect to another site."""
    if path.startswith("/console/") and not path.startswith("/console//") and "\\" not in path:
        return path
    return "/console/"


@requires(Role.STAFF)
async def switch_locale(request: web.Request) -> web.StreamResponse:
    """Stores the chosen language on the session and returns to the page it was chosen on."""
    form = Form(await request.post())
    locale = form.choice("locale", request.app[RENDERER].supported)
    if locale is None:
        return await render_refusal(request, 400, "console.refused.bad_request")
    await request.app[SERVICES].console.set_locale(viewer(request).session, locale)
    raise redirect(_safe_next(form.value("next")))


def routes() -> list[web.RouteDef]:
    return [
        web.get("/login", login),
        web.post("/logout", logout),
        web.post("/locale", switch_locale),
    ]
