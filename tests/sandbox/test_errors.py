"""Telegram's refusals, with Telegram's status codes and wording."""

from __future__ import annotations

import pytest

from sandbox.client import SandboxClient
from sandbox.config import SandboxConfig

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)


@pytest.fixture
def config() -> SandboxConfig:
    return SandboxConfig(callback_query_ttl=0.2)


async def test_unknown_and_unserved_methods_answer_404(api) -> None:
    for method in ("definitelyNotAMethod", "sendPoll"):
        status, body = await api.call(method)
        assert (status, body) == (404, {"ok": False, "error_code": 404, "description": "Not Found"})


async def test_method_names_are_case_insensitive_and_token_is_checked(api) -> None:
    assert (await api.ok("GETME"))["id"] == 7000000001
    assert (await api.ok("getme"))["username"] == "community_hotline_bot"
    status, body = await api.call("getMe", token="7000000001:wrong")
    assert (status, body) == (401, {"ok": False, "error_code": 401,
                                    "description": "Unauthorized"})


async def test_every_encoding_is_accepted(api, started_user: dict) -> None:
    markup = {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
    for encoding in ("json", "form", "query"):
        status, body = await api.call("sendMessage", encoding=encoding,
                                      chat_id=str(started_user["id"]), text=f"via {encoding}",
                                      reply_markup=markup, disable_notification="true")
        assert status == 200, body
        assert body["result"]["text"] == f"via {encoding}"
        assert body["result"]["reply_markup"] == markup


async def test_missing_parameters_use_telegram_wording(api, started_user: dict) -> None:
    uid = started_user["id"]
    assert await api.error("sendMessage", chat_id=uid) == (
        400, "Bad Request: message text is empty")
    assert await api.error("sendMessage", text="hi") == (400, "Bad Request: chat_id is empty")
    assert await api.error("sendMessage", chat_id=uid, text="   ") == (
        400, "Bad Request: message text is empty")
    assert await api.error("sendPhoto", chat_id=uid) == (
        400, "Bad Request: there is no photo in the request")
    assert await api.error("deleteMessage", chat_id=uid) == (
        400, "Bad Request: message identifier is not specified")
    assert await api.error("getFile") == (400, 'Bad Request: parameter "file_id" is required')


async def test_chat_and_message_lookups(api, client: SandboxClient, started_user: dict) -> None:
    uid = started_user["id"]
    assert await api.error("sendMessage", chat_id=42, text="x") == (
        400, "Bad Request: chat not found")
    assert await api.error("sendMessage", chat_id="@nobody", text="x") == (
        400, "Bad Request: chat not found")
    assert await api.error("editMessageText", chat_id=uid, message_id=999, text="x") == (
        400, "Bad Request: message to edit not found")
    assert await api.error("editMessageText", chat_id=uid, message_id=1, text="x") == (
        400, "Bad Request: message can't be edited")
    assert await api.error("sendMessage", chat_id=uid, text="x",
                           reply_parameters={"message_id": 999}) == (
        400, "Bad Request: message to be replied not found")
    sent = await api.ok("sendMessage", chat_id=uid, text="x",
                        reply_parameters={"message_id": 999, "allow_sending_without_reply": True})
    assert "reply_to_message" not in sent


async def test_lengths_count_text_after_entity_parsing(api, started_user: dict) -> None:
    uid = started_user["id"]
    assert (await api.ok("sendMessage", chat_id=uid, text="<b>" + "x" * 4096 + "</b>",
                         parse_mode="HTML"))["entities"][0]["length"] == 4096
    assert await api.error("sendMessage", chat_id=uid, text="x" * 4097) == (
        400, "Bad Request: message is too long")
    assert await api.error("sendPhoto", chat_id=uid, photo="unknown-file-id") == (
        400, "Bad Request: wrong file identifier/HTTP URL specified")
    status, body = await api.upload("sendDocument", {"document": ("a.txt", b"a", "text/plain")},
                                    chat_id=uid, caption="x" * 1025)
    assert (status, body["description"]) == (400, "Bad Request: message caption is too long")


async def test_entity_errors(api, started_user: dict) -> None:
    uid = started_user["id"]
    assert await api.error("sendMessage", chat_id=uid, text="你好 <br> x", parse_mode="HTML") == (
        400, 'Bad Request: can\'t parse entities: Unsupported start tag "br" at byte offset 7')
    assert await api.error("sendMessage", chat_id=uid, text="<b>x</i>", parse_mode="HTML") == (
        400, "Bad Request: can't parse entities: Unmatched end tag at byte offset 4, expected "
        '"</b>", found "</i>"')
    assert await api.error("sendMessage", chat_id=uid, text="1.5", parse_mode="MarkdownV2") == (
        400, "Bad Request: can't parse entities: Character '.' is reserved and must be escaped "
        "with the preceding '\\'")
    assert await api.error("sendMessage", chat_id=uid, text="x", parse_mode="BBCode") == (
        400, "Bad Request: unsupported parse_mode")


async def test_not_modified_and_keyboard_checks(api, started_user: dict) -> None:
    uid = started_user["id"]
    markup = {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
    sent = await api.ok("sendMessage", chat_id=uid, text="<b>same</b>", parse_mode="HTML",
                        reply_markup=markup)
    assert await api.error("editMessageText", chat_id=uid, message_id=sent["message_id"],
                           text="<b>same</b>", parse_mode="HTML", reply_markup=markup) == (
        400, NOT_MODIFIED)
    assert await api.error("editMessageReplyMarkup", chat_id=uid, message_id=sent["message_id"],
                           reply_markup=markup) == (400, NOT_MODIFIED)
    long_data = {"inline_keyboard": [[{"text": "A", "callback_data": "é" * 33}]]}
    assert await api.error("sendMessage", chat_id=uid, text="x", reply_markup=long_data) == (
        400, "Bad Request: BUTTON_DATA_INVALID")
    bare = {"inline_keyboard": [[{"text": "only text"}]]}
    status, description = await api.error("sendMessage", chat_id=uid, text="x", reply_markup=bare)
    assert status == 400 and "Text buttons are unallowed" in description


async def test_callback_answered_twice_or_too_late(api, client: SandboxClient,
                                                   started_user: dict) -> None:
    uid = started_user["id"]
    sent = await api.ok("sendMessage", chat_id=uid, text="x",
                        reply_markup={"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]})
    too_old = "Bad Request: query is too old and response timeout expired or query ID is invalid"
    first = await client.press_button(uid, uid, sent["message_id"], "a", wait_answer=0)
    assert await api.ok("answerCallbackQuery", callback_query_id=first["callback_query_id"])
    assert await api.error("answerCallbackQuery",
                           callback_query_id=first["callback_query_id"]) == (400, too_old)
    late = await client.press_button(uid, uid, sent["message_id"], "a", wait_answer=0.3)
    assert late["answer"] is None
    assert await api.error("answerCallbackQuery",
                           callback_query_id=late["callback_query_id"]) == (400, too_old)


async def test_blocking_answers_403_and_emits_my_chat_member(
    api, client: SandboxClient, started_user: dict
) -> None:
    uid = started_user["id"]
    await api.ok("getUpdates", offset=-1)
    await client.block_bot(uid)
    assert await api.error("sendMessage", chat_id=uid, text="x") == (
        403, "Forbidden: bot was blocked by the user")
    assert await api.error("sendChatAction", chat_id=uid, action="typing") == (
        403, "Forbidden: bot was blocked by the user")
    await client.unblock_bot(uid)
    updates = await api.ok("getUpdates", offset=-2)
    blocked, unblocked = (u["my_chat_member"] for u in updates)
    assert blocked["chat"]["id"] == uid and blocked["from"]["id"] == uid
    assert (blocked["old_chat_member"]["status"], blocked["new_chat_member"]["status"]) == (
        "member", "kicked")
    assert blocked["new_chat_member"]["user"]["id"] == 7000000001
    assert (unblocked["old_chat_member"]["status"], unblocked["new_chat_member"]["status"]) == (
        "kicked", "member")
    assert await api.ok("sendMessage", chat_id=uid, text="back")
