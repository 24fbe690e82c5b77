"""SandboxClient: the control API from Python, for tests and load generators."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Callable, Sequence
from typing import Any

import aiohttp

_UNSET: Any = object()
_NOW = 2**62  # "after" beyond any seq: answers at once with only last_seq
_POLL_MAX = 30.0

Predicate = Callable[[dict[str, Any]], bool]


class SandboxError(ValueError):
    """The control API refused a call (4xx); `status` and `message` say why."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{status}: {message}")
        self.status = status
        self.message = message


def _summary(message: dict[str, Any]) -> str:
    direction = message.get("sandbox", {}).get("direction", "?")
    body = message.get("text") or message.get("caption") or ""
    if not body:
        kinds = [k for k in ("photo", "document", "voice", "forum_topic_created",
                             "pinned_message", "new_chat_members") if k in message]
        body = f"<{', '.join(kinds) or 'service'}>"
    if len(body) > 60:
        body = body[:57] + "..."
    return f"#{message['message_id']} {direction} {body!r}"


class SandboxClient:
    """One async method per control call. Use `async with` or call close()."""

    def __init__(self, base_url: str, *, session: aiohttp.ClientSession | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self._session = session
        self._owns_session = session is None
        # Per chat: event seq after which wait_for_bot_message / wait_for_edit look by default.
        self._message_marks: dict[int, int] = {}
        self._edit_marks: dict[int, int] = {}

    async def __aenter__(self) -> SandboxClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self._session is not None and self._owns_session:
            await self._session.close()
        self._session = None

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession()
            self._owns_session = True
        return self._session

    async def _call(self, verb: str, path: str, *, body: Any = None,
                    query: dict[str, Any] | None = None) -> Any:
        params = {k: str(v) for k, v in (query or {}).items() if v is not None}
        async with self._http().request(verb, self.base_url + path, json=body,
                                        params=params) as response:
            data = await response.json(content_type=None)
            if response.status >= 400:
                message = data.get("error") if isinstance(data, dict) else str(data)
                raise SandboxError(response.status, message or response.reason or "error")
            return data

    def _mark(self, chat_id: int, seq: int) -> None:
        self._message_marks[chat_id] = seq
        self._edit_marks[chat_id] = seq

    # ------------------------------------------------------------------ users and chats

    async def add_user(self, first_name: str, *, last_name: str | None = None,
                       username: str | None = None, language_code: str | None = "zh-hans",
                       user_id: int | None = None, persona: str | None = None) -> dict[str, Any]:
        return await self._call("POST", "/sandbox/api/users", body={
            "first_name": first_name, "last_name": last_name, "username": username,
            "language_code": language_code, "id": user_id, "persona": persona,
        })

    async def create_group(self, title: str, *, is_forum: bool = True,
                           member_ids: Sequence[int] = ()) -> dict[str, Any]:
        return await self._call("POST", "/sandbox/api/chats", body={
            "title": title, "is_forum": is_forum, "member_ids": list(member_ids)})

    async def add_member(self, chat_id: int, user_id: int, *, status: str = "member") -> None:
        await self._call("POST", f"/sandbox/api/chats/{chat_id}/members",
                         body={"user_id": user_id, "status": status})

    async def block_bot(self, user_id: int) -> None:
        result = await self._call("POST", f"/sandbox/api/users/{user_id}/block")
        self._mark(user_id, result["seq"])

    async def unblock_bot(self, user_id: int) -> None:
        result = await self._call("POST", f"/sandbox/api/users/{user_id}/unblock")
        self._mark(user_id, result["seq"])

    # ------------------------------------------------------------------ acting as a user

    async def _send(self, user_id: int, body: dict[str, Any]) -> dict[str, Any]:
        message = await self._call("POST", f"/sandbox/api/users/{user_id}/messages", body=body)
        self._mark(message["chat"]["id"], message["sandbox"]["seq"])
        return message

    async def send_text(self, user_id: int, text: str, *, chat_id: int | None = None,
                        reply_to: int | None = None, thread_id: int | None = None,
                        formatted: bool = False, shortcuts: bool = False) -> dict[str, Any]:
        """formatted=True: `text` is HTML as a client's formatting toolbar makes it (<b>, <i>,
        <a href>...), arriving as plain text plus entities, as from a real client.
        shortcuts=True: `text` is typed as in the chat page's box (Telegram Desktop's **bold**,
        __italic__, [text](url)...), read the same way."""
        key = "formatted_html" if formatted else "shortcut_text" if shortcuts else "text"
        return await self._send(user_id, {key: text, "chat_id": chat_id,
                                          "reply_to_message_id": reply_to,
                                          "message_thread_id": thread_id})

    async def send_photo(self, user_id: int, data: bytes, *, caption: str | None = None,
                         chat_id: int | None = None, reply_to: int | None = None,
                         media_group_id: str | None = None,
                         thread_id: int | None = None) -> dict[str, Any]:
        return await self._send(user_id, {
            "photo_b64": base64.b64encode(data).decode(), "caption": caption,
            "chat_id": chat_id, "reply_to_message_id": reply_to,
            "media_group_id": media_group_id, "message_thread_id": thread_id,
        })

    async def send_document(self, user_id: int, data: bytes, filename: str, *,
                            mime_type: str = "application/octet-stream",
                            caption: str | None = None, chat_id: int | None = None,
                            reply_to: int | None = None, media_group_id: str | None = None,
                            thread_id: int | None = None) -> dict[str, Any]:
        return await self._send(user_id, {
            "document": {"filename": filename, "mime_type": mime_type,
                         "data_b64": base64.b64encode(data).decode()},
            "caption": caption, "chat_id": chat_id, "reply_to_message_id": reply_to,
            "media_group_id": media_group_id, "message_thread_id": thread_id,
        })

    async def send_voice(self, user_id: int, data: bytes, *, duration: int = 1,
                         caption: str | None = None, chat_id: int | None = None,
                         reply_to: int | None = None,
                         thread_id: int | None = None) -> dict[str, Any]:
        return await self._send(user_id, {
            "voice_b64": base64.b64encode(data).decode(), "duration": duration,
            "caption": caption, "chat_id": chat_id, "reply_to_message_id": reply_to,
            "message_thread_id": thread_id,
        })

    async def edit_text(self, user_id: int, chat_id: int, message_id: int,
                        text: str) -> dict[str, Any]:
        message = await self._call("POST", f"/sandbox/api/users/{user_id}/edits", body={
            "chat_id": chat_id, "message_id": message_id, "text": text})
        self._mark(chat_id, message["sandbox"]["seq"])
        return message

    async def edit_caption(self, user_id: int, chat_id: int, message_id: int,
                           caption: str) -> dict[str, Any]:
        """Changes the caption of the user's photo, document or voice ("" removes it)."""
        message = await self._call("POST", f"/sandbox/api/users/{user_id}/edits", body={
            "chat_id": chat_id, "message_id": message_id, "caption": caption})
        self._mark(chat_id, message["sandbox"]["seq"])
        return message

    async def send_location(self, user_id: int, latitude: float, longitude: float, *,
                            chat_id: int | None = None) -> dict[str, Any]:
        return await self._send(user_id, {"location": {"latitude": latitude,
                                                       "longitude": longitude},
                                          "chat_id": chat_id})

    async def press_button(self, user_id: int, chat_id: int, message_id: int, data: str, *,
                           force: bool = False, wait_answer: float = 2.0) -> dict[str, Any]:
        """Press an inline button; without force, `data` must be offered by the message."""
        result = await self._call("POST", f"/sandbox/api/users/{user_id}/callbacks", body={
            "chat_id": chat_id, "message_id": message_id, "data": data, "force": force,
            "wait_answer": wait_answer,
        })
        self._mark(chat_id, result["seq"])
        return {"callback_query_id": result["callback_query_id"], "answer": result["answer"]}

    # ------------------------------------------------------------------ reading

    async def messages(self, chat_id: int, *, thread_id: int | None = None) -> list[dict[str, Any]]:
        result = await self._call("GET", f"/sandbox/api/chats/{chat_id}/messages",
                                  query={"thread_id": thread_id})
        return result["messages"]

    async def bot_messages(self, chat_id: int, *,
                           thread_id: int | None = None) -> list[dict[str, Any]]:
        return [m for m in await self.messages(chat_id, thread_id=thread_id)
                if m["sandbox"]["direction"] == "out"]

    async def events(self, after: int = 0, wait: float = 0.0) -> dict[str, Any]:
        """Events with seq > after, waiting up to `wait` seconds for the first one."""
        return await self._call("GET", "/sandbox/api/events",
                                query={"after": after, "timeout": wait})

    async def _last_seq(self) -> int:
        return (await self.events(after=_NOW))["last_seq"]

    async def _describe(self, chat_id: int) -> str:
        try:
            held = await self.messages(chat_id)
        except SandboxError as exc:
            return f"the chat cannot be read ({exc})"
        if not held:
            return "the chat holds no messages"
        lines = "; ".join(_summary(m) for m in held[-10:])
        return f"the chat holds {len(held)} messages, the last ones: {lines}"

    async def _wait_event(self, chat_id: int, start: int, seconds: float, what: str,
                          match: Callable[[dict[str, Any]], bool]) -> tuple[dict[str, Any], int]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        seq = start
        while True:
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"no {what} in chat {chat_id} within {seconds}s; "
                                   f"{await self._describe(chat_id)}")
            result = await self.events(after=seq, wait=min(remaining, _POLL_MAX))
            for event in result["events"]:
                seq = event["seq"]
                if event["chat_id"] == chat_id and match(event):
                    return event, seq

    async def wait_for_bot_message(self, chat_id: int, *, after: int | None = None,
                                   timeout: float = 5.0,  # noqa: ASYNC109 - the public contract
                                   predicate: Predicate | None = None) -> dict[str, Any]:
        """The first bot message in the chat with message_id > after (and matching predicate).

        after=None: the first one sent after this client's last action in that chat (or after
        this call started, if it has not acted there); each wait moves past what it returned.
        """
        def fits(message: dict[str, Any]) -> bool:
            return (message["sandbox"]["direction"] == "out"
                    and (after is None or message["message_id"] > after)
                    and (predicate is None or predicate(message)))

        if after is not None:
            snapshot = await self._call("GET", f"/sandbox/api/chats/{chat_id}/messages")
            for message in snapshot["messages"]:
                if fits(message):
                    return message
            start = snapshot["last_seq"]
        else:
            start = self._message_marks.get(chat_id)
            if start is None:
                start = await self._last_seq()
        what = "bot message" + (f" after #{after}" if after is not None else "")
        event, seq = await self._wait_event(
            chat_id, start, timeout, what,
            lambda e: e["type"] == "message" and fits(e["message"]))
        if after is None:
            self._message_marks[chat_id] = seq
        return event["message"]

    async def wait_for_edit(
        self, chat_id: int, message_id: int, *, timeout: float = 5.0  # noqa: ASYNC109 - contract
    ) -> dict[str, Any]:
        """The next edit of that message (after this client's last action in the chat)."""
        start = self._edit_marks.get(chat_id)
        if start is None:
            start = await self._last_seq()
        event, seq = await self._wait_event(
            chat_id, start, timeout, f"edit of message #{message_id}",
            lambda e: e["type"] == "edit" and e["message_id"] == message_id)
        self._edit_marks[chat_id] = seq
        return event["message"]

    async def calls(self, method: str | None = None) -> list[dict[str, Any]]:
        return (await self._call("GET", "/sandbox/api/calls", query={"method": method}))["calls"]

    async def my_commands(self, *, scope: dict[str, Any] | None = None,
                          language_code: str = "") -> list[dict[str, Any]]:
        query = {"scope": json.dumps(scope) if scope else None, "language_code": language_code}
        return (await self._call("GET", "/sandbox/api/commands", query=query))["commands"]

    async def file_bytes(self, file_id: str) -> bytes:
        async with self._http().get(f"{self.base_url}/sandbox/files/{file_id}") as response:
            if response.status != 200:
                raise SandboxError(response.status, f"no file {file_id}")
            return await response.read()

    # ------------------------------------------------------------------ configuration

    async def configure(self, *, flood_limits: bool | None = None, faults: Any = _UNSET,
                        seed: int | None = None) -> dict[str, Any]:
        """faults: {"rate", "kinds" (5xx, 429, slow, drop), "methods", "slow_ms", "retry_after",
        "count"}; None switches them off."""
        body: dict[str, Any] = {}
        if flood_limits is not None:
            body["flood_limits"] = flood_limits
        if faults is not _UNSET:
            body["faults"] = faults
        if seed is not None:
            body["seed"] = seed
        return await self._call("POST", "/sandbox/api/config", body=body)

    async def reset(self) -> None:
        await self._call("POST", "/sandbox/api/reset")
        self._message_marks.clear()
        self._edit_marks.clear()

    async def state(self) -> dict[str, Any]:
        return await self._call("GET", "/sandbox/api/state")
