"""The /bot<token>/<method> endpoint: token, method lookup, faults, parameters, handler, log."""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web

from sandbox import jsonlib
from sandbox.errors import ApiError, not_found, unauthorized
from sandbox.faults import Fault
from sandbox.file_routes import SANDBOX_KEY
from sandbox.methods import METHODS
from sandbox.params import Params, read_params
from sandbox.state import Sandbox

log = logging.getLogger(__name__)

_BAD_GATEWAY = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n"
    b"</body>\r\n</html>\r\n"
)
_INTERNAL = ApiError(500, "Internal Server Error")


def _json(status: int, body: dict) -> web.Response:
    return web.Response(status=status, body=jsonlib.dumps(body), content_type="application/json")


def _error(error: ApiError) -> web.Response:
    return _json(error.code, error.payload())


class ConnectionDropped(Exception):
    """Raised after the transport was closed on purpose: there is nobody left to answer."""


async def _inject(
    sandbox: Sandbox, request: web.Request, method: str, fault: Fault
) -> web.Response | None:
    """Apply a drawn fault; a response means "answer this instead of calling the method"."""
    if fault.kind == "slow":
        await asyncio.sleep(fault.delay)
        return None
    if fault.kind == "drop":
        sandbox.calls.add(method, {}, False, None, "connection dropped by fault injection")
        if request.transport is not None:
            request.transport.abort()
        raise ConnectionDropped
    if fault.kind == "429":
        # As a flood limit answers: nothing is executed, the bot is told when to come back.
        seconds = int(fault.delay)
        error = ApiError(429, f"Too Many Requests: retry after {seconds}", retry_after=seconds)
        sandbox.calls.add(method, {}, False, 429, error.description)
        return _error(error)
    if fault.kind == "502":
        sandbox.calls.add(method, {}, False, 502, "Bad Gateway")
        return web.Response(status=502, body=_BAD_GATEWAY, content_type="text/html")
    sandbox.calls.add(method, {}, False, 500, _INTERNAL.description)
    return _error(_INTERNAL)


async def handle_bot_call(request: web.Request) -> web.StreamResponse:
    sandbox = request.app[SANDBOX_KEY]
    name = request.match_info["method"]
    if request.match_info["token"] != sandbox.token:
        sandbox.calls.add(name, {}, False, 401, "Unauthorized")
        return _error(unauthorized())
    entry = METHODS.get(name.lower())
    if entry is None:
        # Telegram answers unknown methods, and spec methods the sandbox lacks, alike.
        sandbox.calls.add(name, {}, False, 404, "Not Found")
        return _error(not_found())
    fault = sandbox.faults.draw(entry.name)
    if fault is not None:
        try:
            injected = await _inject(sandbox, request, entry.name, fault)
        except ConnectionDropped:
            return web.Response(status=499)
        if injected is not None:
            return injected
    params: Params | None = None
    try:
        params = await read_params(request, entry.spec)
        result = entry.handler(sandbox, params)
        if entry.is_async:
            result = await result
    except ApiError as error:
        logged = params.loggable() if params is not None else (error.params or {})
        sandbox.calls.add(entry.name, logged, False, error.code, error.description)
        return _error(error)
    except Exception as exc:  # a sandbox bug: answer JSON so the bot sees a clear error
        log.exception("sandbox bug in %s", entry.name)
        sandbox.calls.add(entry.name, {}, False, 500, f"sandbox bug: {exc}")
        return _error(ApiError(500, f"Internal Server Error: sandbox bug: {exc}"))
    sandbox.calls.add(entry.name, params.loggable(), True)
    return _json(200, {"ok": True, "result": result})
