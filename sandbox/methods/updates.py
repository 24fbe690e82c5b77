"""getUpdates long polling and the webhook methods."""

from __future__ import annotations

import asyncio
import re
from typing import Any

from sandbox.errors import ApiError, bad_request
from sandbox.methods.registry import method
from sandbox.params import Params
from sandbox.state import Sandbox

WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to "
    "delete the webhook first"
)
POLL_CONFLICT = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance "
    "is running"
)
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_MAX_TIMEOUT = 60


def _set_allowed(sandbox: Sandbox, allowed: Any) -> None:
    if allowed is None:
        return
    if not isinstance(allowed, list) or not all(isinstance(kind, str) for kind in allowed):
        raise bad_request("can't parse allowed updates JSON object")
    sandbox.updates.set_allowed(allowed)


@method("getUpdates", is_async=True)
async def get_updates(sandbox: Sandbox, p: Params) -> list[dict[str, Any]]:
    if sandbox.webhook.url:
        raise ApiError(409, WEBHOOK_CONFLICT)
    offset = p.get("offset") or 0
    limit = min(max(p.get("limit") or 100, 1), 100)
    timeout = min(max(p.get("timeout") or 0, 0), _MAX_TIMEOUT)
    _set_allowed(sandbox, p.get("allowed_updates"))
    # A newer getUpdates ends an older one still waiting, as Telegram does.
    sandbox.poll_generation += 1
    generation = sandbox.poll_generation
    sandbox.updates.wake()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        updates = sandbox.updates
        if offset:
            updates.confirm(offset)
        found = updates.peek(limit)
        remaining = deadline - loop.time()
        if found or remaining <= 0 or sandbox.closing:
            return found
        await updates.wait(remaining)
        if sandbox.poll_generation != generation:
            raise ApiError(409, POLL_CONFLICT)
        if sandbox.webhook.url:
            raise ApiError(409, WEBHOOK_CONFLICT)


@method("setWebhook")
def set_webhook(sandbox: Sandbox, p: Params) -> bool:
    url = p.get("url") or ""
    if url and not url.startswith(("https://", "http://")):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    secret = p.get("secret_token")
    if secret is not None and secret != "" and not _SECRET.match(secret):
        raise bad_request("secret token contains unallowed characters")
    max_connections = p.get("max_connections") or 40
    if not 1 <= max_connections <= 100:
        raise bad_request("bad webhook: max_connections must be between 1 and 100")
    _set_allowed(sandbox, p.get("allowed_updates"))
    if p.get("drop_pending_updates"):
        sandbox.updates.clear()
    webhook = sandbox.webhook
    if webhook.url != url:
        webhook.last_error_date = webhook.last_error_message = None
    webhook.url = url
    webhook.secret_token = secret or None
    webhook.max_connections = max_connections
    webhook.ip_address = p.get("ip_address") or None
    webhook.has_custom_certificate = p.get("certificate") is not None
    sandbox.updates.wake()
    return True


@method("deleteWebhook")
def delete_webhook(sandbox: Sandbox, p: Params) -> bool:
    if p.get("drop_pending_updates"):
        sandbox.updates.clear()
    webhook = sandbox.webhook
    webhook.url = ""
    webhook.secret_token = webhook.ip_address = None
    webhook.has_custom_certificate = False
    webhook.last_error_date = webhook.last_error_message = None
    sandbox.updates.wake()
    return True


@method("getWebhookInfo")
def get_webhook_info(sandbox: Sandbox, p: Params) -> dict[str, Any]:
    webhook = sandbox.webhook
    info: dict[str, Any] = {
        "url": webhook.url,
        "has_custom_certificate": webhook.has_custom_certificate,
        "pending_update_count": sandbox.updates.pending_count,
    }
    if webhook.url:
        info["max_connections"] = webhook.max_connections
        if webhook.ip_address:
            info["ip_address"] = webhook.ip_address
    if webhook.last_error_date is not None:
        info["last_error_date"] = webhook.last_error_date
        info["last_error_message"] = webhook.last_error_message or ""
    allowed = sandbox.updates.allowed_updates
    if allowed is not None:
        info["allowed_updates"] = allowed
    return info
