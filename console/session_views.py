"""Signing in (the link from the bot), signing out, and switching the console's language."""

from __future__ import annotations

import logging

from aiohttp import web

from console.audit import audit
from console.auth import requires, viewer
from console.forms import Form
from console.keys import COOKIE, LOCALE, SERVICES, VIEWER
from console.rendering import redirect, render, render_refusal
from services.console_access import ABSOLUTE_LIMIT, SignInRefused
from storage.models import Role

log = logging.getLogger(__name__)

_REFUSAL = {
    "unknown": (404, "console.login.unknown"),
    "used": (410, "console.login.used"),
    "expired": (410, "console.login.expired"),
}


async def _refuse(request: web.Request, refused: SignInRefused) -> web.Response:
    log.info("console: sign-in link refused (%s)", refused.reason)
    status, key = _REFUSAL[refused.reason]
    if refused.locale:
        request[LOCALE] = refused.locale
    return await render_refusal(request, status, key)


async def login_page(request: web.Request) -> web.StreamResponse:
    """Shows the sign-in button for the link; opening the URL alone uses nothing up, so a
    link scanner or a chat preview that fetches it leaves the link working."""
    token = request.query.get("token", "")
    try:
        request[LOCALE] = await request.app[SERVICES].console.check(token)
    except SignInRefused as refused:
        return await _refuse(request, refused)
    return await render(request, "console/sign_in.html", token=token)


def _same_origin(request: web.Request) -> bool:
    """A browser says where a form came from; only our own sign-in page may post it. (Our
    pages send no referrer, so a browser may give the origin as "null": Sec-Fetch-Site
    still tells a cross-site post.)"""
    if request.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
        return False
    origin = request.headers.get("Origin", "null")
    return origin == "null" or origin.split("://", 1)[-1] == request.host


async def login(request: web.Request) -> web.StreamResponse:
    """Uses the one-time link, sets the session cookie, and opens the first page."""
    services = request.app[SERVICES]
    if not _same_origin(request):
        return await render_refusal(request, 403, "console.refused.csrf")
    token = (await request.post()).get("token")
    try:
        secret, record = await services.console.redeem(token if isinstance(token, str) else "")
    except SignInRefused as refused:
        return await _refuse(request, refused)
    log.info("console: %s signed in", record.telegram_id)
    await services.audit.record(record.telegram_id, "console.sign_in")
    person = await services.people.get(record.telegram_id)
    staff = person is not None and bool({Role.STAFF.value, Role.ADMIN.value} & person.roles)
    # Experts work on cases; the dashboard is the staff's overview.
    response = web.Response(status=303, headers={
        "Location": "/console/" if staff else "/console/inbox"})
    response.set_cookie(COOKIE, secret, max_age=int(ABSOLUTE_LIMIT.total_seconds()),
                        path="/console", httponly=True, samesite="Lax",
                        secure=services.console.secure_cookie)
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


@requires(Role.EXPERT)
async def switch_locale(request: web.Request) -> web.StreamResponse:
    """Stores the chosen language on the session and returns to the page it was chosen on."""
    form = Form(await request.post())
    locale = form.choice("locale", request.app[SERVICES].texts.supported)
    if locale is None:
        return await render_refusal(request, 400, "console.refused.bad_request")
    await request.app[SERVICES].console.set_locale(viewer(request).session, locale)
    raise redirect(_safe_next(form.value("next")))


def routes() -> list[web.RouteDef]:
    return [
        web.get("/login", login_page),
        web.post("/login", login),
        web.post("/logout", logout),
        web.post("/locale", switch_locale),
    ]
