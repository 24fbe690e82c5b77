"""The one driver of the end-to-end tests: act as a person in the sandbox (write, press a
button) and read what the bot sends (wait for a reply, read its buttons).

Everything a test does in a chat goes through the sandbox's control API
(`sandbox.client.SandboxClient`); these functions only fix the habits every test shares:
a reply is looked for after what the person just did, a button is pressed by the label the
person sees, and a wait that runs out says what was expected and what did arrive.
Feature helpers (ask a question, submit an idea) live in the feature support modules and
are written with these.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sandbox.client import SandboxClient

if TYPE_CHECKING:
    from bot.app import Hotline
    from storage.models import Role

Message = dict[str, Any]
Predicate = Callable[[Message], bool]
# What a wait looks for: a fragment of the text (or caption), a predicate, or any message.
Expect = str | Predicate | None


# ---------------------------------------------------------------- reading a message

def buttons(message: Message) -> list[tuple[str, str]]:
    """The inline buttons, row after row, as (label, callback data or URL)."""
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return [(button["text"], button.get("callback_data") or button.get("url") or "")
            for row in rows for button in row]


def labels(message: Message) -> list[str]:
    """The labels of the inline buttons, row after row."""
    return [label for label, _ in buttons(message)]


def button_data(message: Message) -> list[str]:
    """The callback data (or URL) of the inline buttons, row after row."""
    return [data for _, data in buttons(message)]


def data_of(message: Message, label: str) -> str:
    """The callback data (or URL) of the button labelled `label`."""
    for shown, data in buttons(message):
        if shown == label:
            return data
    raise AssertionError(f"no button {label!r}; the message has {labels(message)}")


def body(message: Message) -> str:
    """What a person reads: the text, or the caption of a photo or file."""
    return message.get("text") or message.get("caption") or ""


def has(fragment: str) -> Predicate:
    """Matches a message whose text (or caption) contains `fragment`."""
    return lambda message: fragment in body(message)


def starts(prefix: str) -> Predicate:
    """Matches a message whose text (or caption) starts with `prefix`."""
    return lambda message: body(message).startswith(prefix)


def with_buttons(message: Message) -> bool:
    """Matches a message that has inline buttons."""
    return bool(buttons(message))


def _predicate(expect: Expect) -> Predicate | None:
    return has(expect) if isinstance(expect, str) else expect


def _wanted(expect: Expect) -> str:
    if expect is None:
        return "a bot message"
    if isinstance(expect, str):
        return f"a bot message containing {expect!r}"
    return f"a bot message matching {getattr(expect, '__name__', 'the predicate')}"


# ---------------------------------------------------------------- waiting

async def wait_reply(sandbox: SandboxClient, chat_id: int, expect: Expect = None, *,
                     after: int | None = None,
                     timeout: float = 5.0) -> Message:  # noqa: ASYNC109 - the tests' contract
    """The first bot message in the chat matching `expect`, with message_id > `after`
    (after=None: after this client's last action in the chat, moving past each answer).
    Runs out with what was expected and the chat's last messages."""
    try:
        return await sandbox.wait_for_bot_message(chat_id, after=after, timeout=timeout,
                                                  predicate=_predicate(expect))
    except TimeoutError as exc:
        raise TimeoutError(f"waited {timeout} s for {_wanted(expect)}: {exc}") from None


async def wait_edit(sandbox: SandboxClient, chat_id: int, message_id: int, *,
                    timeout: float = 5.0) -> Message:  # noqa: ASYNC109 - the tests' contract
    """The message #`message_id` as next edited (after this client's last action in the
    chat): a button that turns its own message into the next step answers by an edit."""
    try:
        return await sandbox.wait_for_edit(chat_id, message_id, timeout=timeout)
    except TimeoutError as exc:
        raise TimeoutError(f"waited {timeout} s for an edit: {exc}") from None


async def _last_message_id(sandbox: SandboxClient, chat_id: int) -> int:
    return max((m["message_id"] for m in await sandbox.messages(chat_id)), default=0)


# ---------------------------------------------------------------- acting as a person

async def say(sandbox: SandboxClient, user_id: int, text: str, expect: Expect = None, *,
              chat_id: int | None = None, thread_id: int | None = None,
              timeout: float = 5.0) -> Message:  # noqa: ASYNC109
    """Sends `text` as the person (in their private chat unless `chat_id`) and returns the
    bot's first message after it that matches `expect`."""
    sent = await sandbox.send_text(user_id, text, chat_id=chat_id, thread_id=thread_id)
    return await wait_reply(sandbox, chat_id or user_id, expect, after=sent["message_id"],
                            timeout=timeout)


async def press(sandbox: SandboxClient, user_id: int, message: Message, label: str,
                expect: Expect = None, *, timeout: float = 5.0) -> Message:  # noqa: ASYNC109
    """Presses the button labelled `label` under `message` (in the chat it is in).

    With `expect`: returns the bot's first message after the press matching it. Without:
    returns the callback's answer, {"callback_query_id", "answer"} (answer None: unanswered).
    """
    return await press_data(sandbox, user_id, message, data_of(message, label), expect,
                            timeout=timeout)


async def press_data(sandbox: SandboxClient, user_id: int, message: Message, data: str,
                     expect: Expect = None, *, forged: bool = False, wait_answer: float = 2.0,
                     timeout: float = 5.0) -> Message:  # noqa: ASYNC109
    """As `press`, by callback data; forged=True sends data the message does not offer (a
    stale or forged callback, which the bot must refuse). `wait_answer`: how long the press
    waits for the callback's answer (longer for a bot in another, slower process)."""
    chat_id = message["chat"]["id"]
    last = await _last_message_id(sandbox, chat_id) if expect is not None else 0
    answer = await sandbox.press_button(user_id, chat_id, message["message_id"], data,
                                        force=forged, wait_answer=wait_answer)
    if expect is None:
        return answer
    return await wait_reply(sandbox, chat_id, expect, after=last, timeout=timeout)


async def person(sandbox: SandboxClient, hotline: Hotline | None, name: str, *,
                 language: str = "en", role: Role | None = None,
                 first: str = "/help") -> Message:
    """A sandbox user who has written `first` to the bot and had its answer (so the bot
    knows them and may write to them), with `role` granted when given.

    /help has exactly one reply, so no straggler can be taken for the answer to a later
    command; first="/start" is a newcomer's first contact (with the offers that come with it).
    """
    user = await sandbox.add_user(name, language_code=language)
    await say(sandbox, user["id"], first)
    if role is not None:
        assert hotline is not None, "granting a role needs the bot"
        await hotline.services.people.grant(user["id"], role)
    return user
