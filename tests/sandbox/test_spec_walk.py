"""Every method the sandbox serves, called over HTTP, returns what the spec promises; and the
sandbox reads only parameters the spec defines for each method."""

from __future__ import annotations

import ast
import asyncio
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from sandbox.client import SandboxClient
from sandbox.methods import METHODS
from sandbox.params import method_specs, record_reads, stop_recording
from sandbox.spec import load_spec
from sandbox.spec.validate import validate_object, validate_value

KEYBOARD = {"inline_keyboard": [[{"text": "Yes", "callback_data": "yes"},
                                 {"text": "Site", "url": "https://example.org"}]]}


def test_served_methods_exist_in_the_spec() -> None:
    spec_methods = load_spec()["methods"]
    assert METHODS, "no methods registered"
    for key, entry in METHODS.items():
        assert entry.name in spec_methods and key == entry.name.lower()


def test_handlers_read_only_spec_parameters_statically() -> None:
    """Every p.get("x") / p.knows("x") inside a @method("M") handler names a field of M."""
    spec_fields = {name: {f["name"] for f in method.get("fields", [])}
                   for name, method in load_spec()["methods"].items()}
    methods_dir = Path(__file__).resolve().parents[2] / "sandbox" / "methods"
    checked = 0
    for path in methods_dir.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.FunctionDef):
                continue
            served = [d.args[0].value for d in node.decorator_list
                      if isinstance(d, ast.Call) and getattr(d.func, "id", "") == "method"]
            for name in served:
                for call in ast.walk(node):
                    if (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
                            and isinstance(call.func.value, ast.Name) and call.func.value.id == "p"
                            and call.func.attr in ("get", "knows") and call.args
                            and isinstance(call.args[0], ast.Constant)):
                        assert call.args[0].value in spec_fields[name], (name, call.args[0].value)
                        checked += 1
    assert checked > 50


def test_validator_finds_missing_mistyped_and_unknown_fields() -> None:
    user = {"id": 1, "is_bot": False, "first_name": "A"}
    assert validate_object("User", user) == []
    assert validate_object("User", {"id": "1", "is_bot": False}) == [
        "$.id: expected Integer, got str '1'", "$: User lacks required field first_name"]
    assert validate_object("User", {**user, "sandbox": {}}) == ["$: User has unknown field sandbox"]
    assert validate_value(["Integer", "String"], "@group") == []
    assert validate_value(["Array of Array of Integer"], [[1], [2, True]]) != []
    assert validate_object("ChatMember", {"status": "kicked", "user": user, "until_date": 0}) == []
    assert "lacks required field until_date" in validate_object(
        "ChatMember", {"status": "kicked", "user": user})[0]
    assert validate_object("MessageOrigin", {"type": "hidden_user", "date": 1,
                                             "sender_user_name": "X"}) == []
    inaccessible = {"chat": {"id": 1, "type": "private"}, "message_id": 5, "date": 0}
    assert validate_object("MaybeInaccessibleMessage", inaccessible) == []
    assert validate_value(["True"], False) != [] and validate_value(["Float"], 1) == []


@pytest.fixture
def reads():
    recorded = record_reads()
    yield recorded
    stop_recording()


async def test_every_served_method_answers_per_spec(
    api, client: SandboxClient, png: bytes, reads: set[tuple[str, str]]
) -> None:
    results: dict[str, list[Any]] = defaultdict(list)

    async def call(method: str, **params: Any) -> Any:
        result = await api.ok(method, **params)
        results[method].append(result)
        return result

    async def upload(method: str, files: dict, **params: Any) -> Any:
        status, body = await api.upload(method, files, **params)
        assert status == 200, body
        results[method].append(body["result"])
        return body["result"]

    user = await client.add_user("Ann", last_name="Lee", username="ann_lee")
    uid = user["id"]
    await client.send_text(uid, "/start@community_hotline_bot see https://example.org")
    expert = await client.add_user("Bo", persona="expert")
    group = await client.create_group("Block 7", member_ids=[uid])
    gid = group["id"]
    await call("getUpdates", allowed_updates=["message", "edited_message", "callback_query",
                                              "my_chat_member", "chat_member"], timeout=0)
    await client.add_member(gid, expert["id"])

    await call("getMe")
    await call("setMyCommands", commands=[{"command": "start", "description": "Start"}])
    await call("setMyCommands", commands=[{"command": "ask", "description": "问"}],
               scope={"type": "chat", "chat_id": gid}, language_code="zh")
    await call("getMyCommands", scope={"type": "chat", "chat_id": gid}, language_code="zh")
    await call("deleteMyCommands", scope={"type": "chat", "chat_id": gid}, language_code="zh")
    for setter, getter, field in (("setMyDescription", "getMyDescription", "description"),
                                  ("setMyShortDescription", "getMyShortDescription",
                                   "short_description"),
                                  ("setMyName", "getMyName", "name")):
        await call(setter, **{field: "Hotline", "language_code": "en"})
        await call(getter, language_code="en")

    first = await call("sendMessage", chat_id=uid, text="<b>Hi</b> <a href='tg://user?id="
                       f"{uid}'>Ann</a> /help", parse_mode="HTML", reply_markup=KEYBOARD,
                       reply_parameters={"message_id": 1})
    await call("editMessageText", chat_id=uid, message_id=first["message_id"], text="_Hi_ again",
               parse_mode="MarkdownV2", reply_markup=KEYBOARD)
    await call("editMessageReplyMarkup", chat_id=uid, message_id=first["message_id"])

    photo = await upload("sendPhoto", {"photo": ("p.png", png, "image/png")}, chat_id=uid,
                         caption="a <i>photo</i>", parse_mode="HTML", has_spoiler=True)
    await call("sendPhoto", chat_id=uid, photo=photo["photo"][-1]["file_id"])
    await call("editMessageCaption", chat_id=uid, message_id=photo["message_id"], caption="new")
    document = await upload("sendDocument", {"document": ("a.pdf", b"%PDF-1.4", "application/pdf")},
                            chat_id=uid, caption="doc")
    await upload("sendVoice", {"voice": ("v.ogg", b"OggS", "audio/ogg")}, chat_id=uid, duration=2)
    await upload("sendMediaGroup", {"one": ("1.png", png, "image/png"),
                                    "two": ("2.png", png, "image/png")}, chat_id=uid,
                 media=[{"type": "photo", "media": "attach://one", "caption": "1"},
                        {"type": "photo", "media": "attach://two"}])
    await call("getFile", file_id=document["document"]["file_id"])
    await call("copyMessage", chat_id=gid, from_chat_id=uid, message_id=first["message_id"])
    await call("forwardMessage", chat_id=gid, from_chat_id=uid, message_id=1)

    topic = await call("createForumTopic", chat_id=gid, name="Repairs", icon_color=16766590)
    thread = topic["message_thread_id"]
    await call("editForumTopic", chat_id=gid, message_thread_id=thread, name="Repairs & more")
    await call("closeForumTopic", chat_id=gid, message_thread_id=thread)
    await call("reopenForumTopic", chat_id=gid, message_thread_id=thread)
    in_topic = await call("sendMessage", chat_id=gid, message_thread_id=thread, text="hello")
    await client.send_photo(uid, png, caption="from Ann", chat_id=gid, thread_id=thread)
    await call("pinChatMessage", chat_id=gid, message_id=in_topic["message_id"])
    await call("getChat", chat_id=gid)
    await call("getChat", chat_id=uid)
    await call("unpinChatMessage", chat_id=gid)
    await call("unpinAllChatMessages", chat_id=gid)
    for member in (uid, expert["id"], 7000000001):
        await call("getChatMember", chat_id=gid, user_id=member)
    await call("getChatMember", chat_id=uid, user_id=uid)
    await call("sendChatAction", chat_id=gid, action="typing", message_thread_id=thread)

    await client.edit_text(uid, uid, 1, "/start edited")
    button = await call("sendMessage", chat_id=uid, text="Vote", reply_markup=KEYBOARD)
    pending = await call("getUpdates", timeout=0)
    offset = pending[-1]["update_id"] + 1

    async def answer() -> None:
        updates = await call("getUpdates", offset=offset, timeout=5)
        await call("answerCallbackQuery", callback_query_id=updates[0]["callback_query"]["id"],
                   text="ok")

    await asyncio.gather(client.press_button(uid, uid, button["message_id"], "yes"), answer())
    await client.block_bot(uid)
    await client.unblock_bot(uid)
    await call("getUpdates", offset=offset + 1, timeout=0)

    await call("deleteMessage", chat_id=uid, message_id=button["message_id"])
    await call("deleteMessages", chat_id=uid, message_ids=[first["message_id"], 999])
    await call("setWebhook", url="http://127.0.0.1:9/hook", secret_token="s3cret",
               drop_pending_updates=True)
    await call("getWebhookInfo")
    await call("deleteWebhook", drop_pending_updates=True)
    await call("getWebhookInfo")
    await call("logOut")
    await call("close")

    assert set(results) == {entry.name for entry in METHODS.values()}
    problems: list[str] = []
    for method, values in results.items():
        returns = method_specs()[method.lower()].returns
        for index, value in enumerate(values):
            problems.extend(validate_value(returns, value, f"{method}[{index}]"))
    assert problems == []

    kinds = {key for batch in results["getUpdates"] for update in batch for key in update
             if key != "update_id"}
    assert kinds == {"message", "edited_message", "callback_query", "my_chat_member",
                     "chat_member"}
    for message in await client.messages(gid) + await client.messages(uid):
        assert message.pop("sandbox")["direction"] in ("in", "out")
        assert validate_object("Message", message) == []

    spec_fields = {name: {f["name"] for f in method.get("fields", [])}
                   for name, method in load_spec()["methods"].items()}
    assert reads and all(param in spec_fields[method] for method, param in reads)
