"""What the announcement, training and idea pages share: ids from the path, page numbers,
downloads, and Telegram HTML shown in a browser."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from urllib.parse import quote

from aiohttp import web
from markupsafe import Markup

from services.announcements.typed_markup import telegram_html

log = logging.getLogger(__name__)

# Database ids are 32-bit; a longer number in a path is not one of ours.
ID_DIGITS = 9
# Telegram user ids need up to 52 bits.
PERSON_DIGITS = 16


def path_id(request: web.Request, name: str = "id") -> int:
    """The numeric id in the path; a 404 for anything else."""
    raw = request.match_info.get(name, "")
    if not raw.isdigit() or len(raw) > ID_DIGITS:
        raise web.HTTPNotFound()
    return int(raw)


def page_number(request: web.Request) -> int:
    raw = request.query.get("page", "1")
    return int(raw) if raw.isdigit() and len(raw) < 6 else 1


def aware(moment: datetime | None) -> datetime | None:
    """SQLite hands timestamps back without their zone; every stored time is UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def telegram_preview(html: str) -> Markup:
    """A message as the bot sends it (Telegram HTML), safe to place in a page.

    It went through our templates (every value escaped) already; filtering it once more
    through the Telegram tag list keeps a page safe even from a stored body written before
    that filter existed (PTB's own HTML from the chat dialog).
    """
    return Markup(telegram_html(html))  # noqa: S704 - only Telegram's tags survive the filter


def download(data: bytes, filename: str, content_type: str) -> web.Response:
    """A file to save, named in UTF-8 (RFC 6266) so Chinese course titles survive."""
    return web.Response(body=data, content_type=content_type, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}",
        "Cache-Control": "no-store",
    })
