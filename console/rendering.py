"""Pages as responses: a template from locales/templates/console/, in the viewer's locale,
rendered by the one services.texts.Texts that also renders the bot's messages.

Every page gets `viewer` (or None), `csrf`, `nav` (the entries the viewer may open),
`path`, and `notice` (a confirmation passed by `redirect(..., notice=...)`).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from console.keys import LOCALE, SERVICES, VIEWER
from console.nav import nav_for
from services.texts import Texts, negotiate_locale

# Pages hold personal data: not cached, not framed, no referrer (sign-in links hold tokens),
# scripts and styles only from our own static folder.
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
    "style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'",
}
# Each language named in itself on the switch.
LOCALE_LABELS = {"zh_CN": "console.language.chinese", "en": "console.language.english"}


def texts_of(request: web.Request) -> Texts:
    return request.app[SERVICES].texts


def locale_of(request: web.Request) -> str:
    signed_in = request.get(VIEWER)
    wanted = request.get(LOCALE) or (signed_in.locale if signed_in is not None else None)
    texts = texts_of(request)
    if wanted is None and request.headers.get("Accept-Language"):
        # Nobody signed in: the browser's first language, as the bot does with Telegram's.
        first = request.headers["Accept-Language"].split(",")[0].split(";")[0].strip()
        wanted = negotiate_locale(first, texts.default_locale)
    return texts.locale(wanted)


def text(request: web.Request, key: str, **values: Any) -> str:
    """A catalogue text in the viewer's locale (CSV headers, JSON answers, file names)."""
    return texts_of(request).text(locale_of(request), key, **values)


def _return_to(request: web.Request) -> str:
    """Where the language switch comes back to: this page with its filters, but not the
    one-off notice of the action that led here (nor a page that answered a POST)."""
    if request.method != "GET":
        return request.path
    query = [(k, v) for k, v in request.query.items() if k != "notice"]
    return f"{request.path}?{urlencode(query)}" if query else request.path


async def render(request: web.Request, template: str, *, status: int = 200,
                 **context: Any) -> web.Response:
    """Renders `template` (a path under locales/templates/, e.g. "console/dashboard.html")."""
    texts = texts_of(request)
    signed_in = request.get(VIEWER)
    notice = request.query.get("notice", "")
    page_context = {
        "viewer": signed_in,
        "csrf": signed_in.csrf if signed_in is not None else "",
        "nav": nav_for(signed_in),
        "path": request.path,
        "return_to": _return_to(request),
        "locale_labels": LOCALE_LABELS,
        "notice": notice if notice.startswith("console") and texts.has_text(notice) else "",
        **context,
    }
    body = texts.page(locale_of(request), template, page_context)
    return web.Response(text=body, status=status, content_type="text/html",
                        headers=SECURITY_HEADERS)


async def render_refusal(request: web.Request, status: int, message_key: str) -> web.Response:
    """The 401/403/404/410 page: what happened and what to do (send /console again)."""
    return await render(request, "console/refused.html", status=status,
                        message_key=message_key, refusal_status=status)


def redirect(path: str, *, notice: str | None = None, **query: str) -> web.HTTPSeeOther:
    """303 to a console path after a POST; `notice` is a console.* key shown on arrival."""
    if notice:
        query = {**query, "notice": notice}
    return web.HTTPSeeOther(f"{path}?{urlencode(query)}" if query else path)
