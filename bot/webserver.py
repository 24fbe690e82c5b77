"""The bot's own aiohttp server: health check, the webhook endpoint in webhook mode, and the
staff web console under /console/ (console/app.py)."""

from __future__ import annotations

from urllib.parse import urlsplit

from aiohttp import web
from telegram.ext import Application

from bot.settings import Settings
from bot.webhook import webhook_handler
from console.app import build_console
from services.container import Services
from services.health import HealthService
from services.update_inbox import UpdateInbox

HEALTH_KEY = web.AppKey("health", HealthService)


async def healthz(request: web.Request) -> web.Response:
    report = await request.app[HEALTH_KEY].check()
    body: dict[str, object] = {"status": "ok" if report.healthy else "unavailable",
                               "checks": report.checks}
    if report.undelivered_last_day is not None:
        body["undelivered_last_24h"] = report.undelivered_last_day
    return web.json_response(
        body,
        status=200 if report.healthy else 503,
    )


def build_web_app(settings: Settings, application: Application,
                  health: HealthService, services: Services,
                  inbox: UpdateInbox) -> web.Application:
    app = web.Application(client_max_size=2 * 1024 * 1024)
    app[HEALTH_KEY] = health
    app.router.add_get("/healthz", healthz)
    if settings.webhook_url:
        assert settings.webhook_secret is not None  # enforced by load_settings
        path = urlsplit(settings.webhook_url).path or "/"
        app.router.add_post(path, webhook_handler(
            application, settings.webhook_secret.get_secret_value(), inbox))
    app.add_subapp("/console", build_console(settings, services))
    return app
