"""aiohttp routes of the chat page (Jinja2 used directly, no aiohttp-jinja2)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from aiohttp import web
from jinja2 import Environment, FileSystemLoader, select_autoescape

from sandbox.web.labels import LABELS

HERE = Path(__file__).resolve().parent
TEMPLATES_DIR = HERE / "templates"
STATIC_DIR = HERE / "static"
STATIC_PREFIX = "/sandbox/web/static"

# The page inserts only the sandbox's server-rendered HTML; the policy below keeps even
# that from running scripts, loading anything from outside, or being framed.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "media-src 'self' blob:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

_ENV_KEY = web.AppKey("sandbox_chat_page_env", Environment)
_VERSION_KEY = web.AppKey("sandbox_chat_page_version", str)


def _make_env() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=select_autoescape(default=True, default_for_string=True),
        auto_reload=False,
    )


def _static_version() -> str:
    """A short digest of the static files, so a browser never keeps a stale script."""
    digest = hashlib.sha256()
    for path in sorted(STATIC_DIR.iterdir()):
        if path.is_file():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


async def chat_page(request: web.Request) -> web.Response:
    env = request.app[_ENV_KEY]
    html = env.get_template("chat.html").render(
        L=LABELS,
        labels=LABELS,
        static=STATIC_PREFIX,
        version=request.app[_VERSION_KEY],
    )
    return web.Response(
        text=html,
        content_type="text/html",
        charset="utf-8",
        headers={
            "Content-Security-Policy": CONTENT_SECURITY_POLICY,
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
        },
    )


def setup_chat_page(app: web.Application) -> None:
    """Mount the chat page at ``/`` and its assets under ``STATIC_PREFIX``."""
    app[_ENV_KEY] = _make_env()
    app[_VERSION_KEY] = _static_version()
    app.router.add_get("/", chat_page, name="sandbox_chat_page")
    app.router.add_static(STATIC_PREFIX, STATIC_DIR, name="sandbox_chat_static")
