"""The HTTP control API under /sandbox/api: act as users, read what the bot did, configure."""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import functools
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from sandbox import jsonlib, user_actions
from sandbox.errors import ApiError, ControlError
from sandbox.faults import FaultConfig
from sandbox.file_routes import SANDBOX_KEY
from sandbox.methods.bot import scope_key
from sandbox.rendering import control_event, stored_message
from sandbox.state import Sandbox

MAX_POLL_SECONDS = 30.0
MAX_CALLBACK_WAIT = 30.0
DEFAULT_EVENTS_LIMIT = 1000
_MEMBER = frozenset({"creator", "administrator", "member", "restricted"})

Route = Callable[[web.Request, Sandbox], Awaitable[Any]]


def _reply(body: Any, status: int = 200) -> web.Response:
    return web.Response(status=status, body=jsonlib.dumps(body), content_type="application/json")


def control_route(route: Route) -> Callable[[web.Request], Awaitable[web.Response]]:
    """JSON out; ControlError, Bot API errors and malformed input become {"error": ...} 4xx."""

    @functools.wraps(route)
    async def handler(request: web.Request) -> web.Response:
        try:
            return _reply(await route(request, request.app[SANDBOX_KEY]))
        except ControlError as error:
            return _reply({"error": error.message}, error.status)
        except ApiError as error:
            return _reply({"error": error.description}, 400)
        except (ValueError, TypeError, KeyError) as exc:
            return _reply({"error": f"bad request: {exc.__class__.__name__}: {exc}"}, 400)

    return handler


async def _body(request: web.Request) -> dict[str, Any]:
    raw = await request.read()
    if not raw:
        return {}
    body = jsonlib.loads(raw)
    if not isinstance(body, dict):
        raise ControlError("the request body must be a JSON object")
    return body


def _int(value: Any, name: str) -> int:
    if isinstance(value, bool) or value is None:
        raise ControlError(f"{name} must be an integer")
    return int(value)


def _optional_int(value: Any, name: str) -> int | None:
    return None if value is None or value == "" else _int(value, name)


def _b64(value: Any, name: str) -> bytes:
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, TypeError) as exc:
        raise ControlError(f"{name} must be base64") from exc


@control_route
async def get_state(request: web.Request, sandbox: Sandbox) -> dict[str, Any]:
    world = sandbox.world
    users = [{**r.user, "persona": r.persona, "blocked": r.blocked} for r in world.users.values()]
    chats = []
    for chat in world.chats.values():
        members = [uid for uid, status in chat.members.items()
                   if status in _MEMBER and uid != sandbox.bot_user["id"]]
        topics = [{**t.forum_topic(), "is_closed": t.is_closed} for t in chat.topics.values()]
        chats.append({**chat.chat, "members": members, "topics": topics})
    return {
        "bot": sandbox.bot_user,
        "token_hint": sandbox.token[:6] + "…",
        "users": users,
        "chats": chats,
        "config": sandbox.config_dict(),
        "last_seq": sandbox.events.last_seq,
    }


@control_route
async def add_user(request: web.Request, sandbox: Sandbox) -> dict[str, Any]:
    body = await _body(request)
    record = sandbox.world.add_user(
        str(body.get("first_name") or ""),
        last_name=body.get("last_name"),
        username=body.get("username"),
        language_code=body.get("language_code", "zh-hans"),
        user_id=_optional_int(body.get("id"), "id"),
        persona=body.get("persona"),
    )
    return record.user


def _attachment(body: dict[str, Any]) -> user_actions.Attachment | None:
    if body.get("photo_b64"):
        return user_actions.Attachment("photo", _b64(body["photo_b64"], "photo_b64"))
    if body.get("document"):
        document = body["document"]
        return user_actions.Attachment(
            "document", _b64(document.get("data_b64"), "document.data_b64"),
            file_name=document.get("filename") or "file",
            mime_type=document.get("mime_type") or None,
        )
    if body.get("voice_b64"):
        return user_actions.Attachment("voice", _b64(body["voice_b64"], "voice_b64"),
                                       duration=int(body.get("duration") or 1))
    return None


def _location(value: Any) -> tuple[float, float] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ControlError("location must be {latitude, longitude}")
    return float(value["latitude"]), float(value["longitude"])


@control_route
async def user_message(request: web.Request, sandbox: Sandbox) -> dict[str, Any]:
    body = await _body(request)
    stored = user_actions.send_message(
        sandbox,
        _int(request.match_info["user_id"], "user_id"),
        chat_id=_optional_int(body.get("chat_id"), "chat_id"),
        text=body.get("text"),
        formatted_html=body.get("formatted_html"),
        shortcut_text=body.get("shortcut_text"),
        reply_to_message_id=_optional_int(body.get("reply_to_message_id"), "reply_to_message_id"),
        thread_id=_optional_int(body.get("message_thread_id"), "message_thread_id"),
        attachment=_attachment(body),
        caption=body.get("caption"),
        media_group_id=body.get("media_group_id"),
        location=_location(body.get("location")),
    )
    view = stored_message(stored)
    view["sandbox"]["seq"] = sandbox.events.last_seq
    return view


@control_route
async def user_edit(request: web.Request, sandbox: Sandbox) -> dict[str, Any]:
    body = await _body(request)
    user_id = _int(request.match_info["user_id"], "user_id")
    chat_id = _int(body.get("chat_id"), "chat_id")
    message_id = _int(body.get("message_id"), "message_id")
    if "caption" in body:
        if "text" in body:
            raise ControlError("an edit changes either text or caption, not both")
        stored = user_actions.edit_caption(sandbox, user_id, chat_id, message_id,
                                           str(body.get("caption") or ""))
    else:
        stored = user_actions.edit_message(sandbox, user_id, chat_id, message_id,
                                           str(body.get("text") or ""))
    view = stored_message(stored)
    view["sandbox"]["seq"] = sandbox.events.last_seq
    return view


@control_route
async def user_callback(request: web.Request, sandbox: Sandbox) -> dict[str, Any]:
    body = await _body(request)
    seq = sandbox.events.last_seq
    record = user_actions.press_button(
        sandbox, _int(request.match_info["user_id"], "user_id"),
        _int(body.get("chat_id"), "chat_id"), _int(body.get("message_id"), "message_id"),
        str(body.get("data") or ""), force=bool(body.get("force")),
    )
    wait = min(max(float(body.get("wait_answer", 2.0)), 0.0), MAX_CALLBACK_WAIT)
    if wait > 0:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(record.done.wait(), wait)
    return {"callback_query_id": record.query_id, "answer": record.answer, "seq": seq}


@control_route
async def block(request: web.Request, sandbox: Sandbox) -> dict[str, Any]:
    seq = sandbox.events.last_seq
    user_actions.set_blocked(sandbox, _int(request.match_info["user_id"], "user_id"), True)
    return {"ok": True, "seq": seq}


@control_route
async def unblock(request: web.Request, sandbox: Sandbox) -> dict[str, Any]:
    seq = sandbox.events.last_seq
    user_actions.set_blocked(sandbox, _int(request.match_info["user_id"], "user_id"), False)
    return {"ok": True, "seq": seq}


@control_route
async def create_chat(request: web.Request, sandbox: Sandbox) -> dict[str, Any]:
    body = await _body(request)
    member_ids = [_int(uid, "member_ids") for uid in body.get("member_ids") or ()]
    chat = user_actions.create_group(sandbox, str(body.get("title") or ""),
                                     is_forum=bool(body.get("is_forum", True)),
                                     member_ids=member_ids)
    return chat.chat


@control_route
async def add_member(request: web.Request, sandbox: Sandbox) -> dict[str, Any]:
    body = await _body(request)
    user_actions.add_member(sandbox, _int(request.match_info["chat_id"], "chat_id"),
                            _int(body.get("user_id"), "user_id"),
                            str(body.get("status") or "member"))
    return {"ok": True}


@control_route
async def chat_messages(request: web.Request, sandbox: Sandbox) -> dict[str, Any]:
    chat = sandbox.world.chats.get(_int(request.match_info["chat_id"], "chat_id"))
    if chat is None:
        raise ControlError("no such chat", 404)
    thread_id = _optional_int(request.query.get("thread_id"), "thread_id")
    messages = sandbox.world.chat_messages(chat, thread_id)
    return {"messages": [stored_message(m) for m in messages],
            "last_seq": sandbox.events.last_seq}


@control_route
async def events(request: web.Request, sandbox: Sandbox) -> dict[str, Any]:
    after = int(request.query.get("after") or 0)
    timeout = min(max(float(request.query.get("timeout") or 0), 0.0), MAX_POLL_SECONDS)
    limit = int(request.query.get("limit") or DEFAULT_EVENTS_LIMIT)
    log = sandbox.events
    found = await log.wait(after, timeout)
    return {"events": [control_event(e) for e in found[:limit]], "last_seq": log.last_seq}


@control_route
async def calls(request: web.Request, sandbox: Sandbox) -> dict[str, Any]:
    limit = _optional_int(request.query.get("limit"), "limit")
    return {"calls": sandbox.calls.list(request.query.get("method") or None, limit)}


@control_route
async def commands(request: web.Request, sandbox: Sandbox) -> dict[str, Any]:
    raw_scope = request.query.get("scope")
    scope = jsonlib.loads(raw_scope) if raw_scope else None
    language = request.query.get("language_code") or ""
    key = (scope_key(sandbox, scope), language)
    return {"commands": list(sandbox.bot_settings.commands.get(key, []))}


@control_route
async def configure(request: web.Request, sandbox: Sandbox) -> dict[str, Any]:
    body = await _body(request)
    faults: FaultConfig | bool | None = False
    if "faults" in body:
        faults = None if body["faults"] is None else FaultConfig.from_dict(body["faults"])
    flood = body.get("flood_limits")
    sandbox.configure(
        flood_limits=None if flood is None else bool(flood),
        faults=faults,
        seed=_optional_int(body.get("seed"), "seed"),
    )
    return sandbox.config_dict()


@control_route
async def reset(request: web.Request, sandbox: Sandbox) -> dict[str, Any]:
    sandbox.reset()
    return {"ok": True}


def add_control_routes(app: web.Application) -> None:
    prefix = "/sandbox/api"
    app.router.add_get(f"{prefix}/state", get_state)
    app.router.add_post(f"{prefix}/users", add_user)
    app.router.add_post(f"{prefix}/users/{{user_id}}/messages", user_message)
    app.router.add_post(f"{prefix}/users/{{user_id}}/edits", user_edit)
    app.router.add_post(f"{prefix}/users/{{user_id}}/callbacks", user_callback)
    app.router.add_post(f"{prefix}/users/{{user_id}}/block", block)
    app.router.add_post(f"{prefix}/users/{{user_id}}/unblock", unblock)
    app.router.add_post(f"{prefix}/chats", create_chat)
    app.router.add_post(f"{prefix}/chats/{{chat_id}}/members", add_member)
    app.router.add_get(f"{prefix}/chats/{{chat_id}}/messages", chat_messages)
    app.router.add_get(f"{prefix}/events", events)
    app.router.add_get(f"{prefix}/calls", calls)
    app.router.add_get(f"{prefix}/commands", commands)
    app.router.add_post(f"{prefix}/config", configure)
    app.router.add_post(f"{prefix}/reset", reset)
