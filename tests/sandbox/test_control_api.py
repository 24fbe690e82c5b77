"""The HTTP control API and SandboxClient: acting as users and reading what the bot did."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import pytest

from sandbox.client import SandboxClient, SandboxError
from sandbox.server import SandboxServer


async def test_state_lists_users_chats_topics_and_config(
    api, client: SandboxClient, server: SandboxServer
) -> None:
    resident = await client.add_user("Ann", username="ann", persona="resident", user_id=555)
    staff = await client.add_user("Wu", persona="staff", language_code="en")
    group = await client.create_group("Block 7", member_ids=[resident["id"]])
    await client.add_member(group["id"], staff["id"], status="administrator")
    topic = await api.ok("createForumTopic", chat_id=group["id"], name="Noise")
    await client.block_bot(resident["id"])
    state = await client.state()
    assert state["bot"]["username"] == "community_hotline_bot"
    assert state["token_hint"] == server.token[:6] + "…"
    assert [(u["id"], u["persona"], u["blocked"]) for u in state["users"]] == [
        (555, "resident", True), (staff["id"], "staff", False)]
    [chat] = [c for c in state["chats"] if c["id"] == group["id"]]
    assert chat["type"] == "supergroup" and chat["is_forum"] and chat["id"] < -1000000000000
    assert chat["members"] == [555, staff["id"]]
    assert chat["topics"] == [{**topic, "is_closed": False}]
    assert state["config"]["flood_limits"] is False and state["last_seq"] > 0


async def test_press_button_needs_a_real_button_unless_forced(
    api, client: SandboxClient, started_user: dict
) -> None:
    uid = started_user["id"]
    sent = await api.ok("sendMessage", chat_id=uid, text="menu", reply_markup={
        "inline_keyboard": [[{"text": "Ask", "callback_data": "ask"}]]})
    with pytest.raises(ValueError, match="no button with callback_data 'forged'") as caught:
        await client.press_button(uid, uid, sent["message_id"], "forged")
    assert isinstance(caught.value, SandboxError) and caught.value.status == 400
    await api.ok("getUpdates", offset=-1)
    pressed = await client.press_button(uid, uid, sent["message_id"], "forged", force=True,
                                        wait_answer=0)
    [update] = await api.ok("getUpdates", offset=-1)
    query = update["callback_query"]
    assert query["id"] == pressed["callback_query_id"] and query["data"] == "forged"
    assert query["message"]["text"] == "menu" and query["from"]["id"] == uid
    assert pressed["answer"] is None


async def test_wait_for_bot_message_follows_the_conversation(
    api, client: SandboxClient, started_user: dict
) -> None:
    uid = started_user["id"]

    async def bot_replies() -> None:
        await asyncio.sleep(0.05)
        await api.ok("sendMessage", chat_id=uid, text="first reply")
        await api.ok("sendMessage", chat_id=uid, text="second reply")

    question = await client.send_text(uid, "question")
    await asyncio.gather(bot_replies(), asyncio.sleep(0.2))  # replies land before the waits
    assert (await client.wait_for_bot_message(uid))["text"] == "first reply"
    assert (await client.wait_for_bot_message(uid))["text"] == "second reply"
    found = await client.wait_for_bot_message(uid, after=question["message_id"])
    assert found["text"] == "first reply" and found["sandbox"]["direction"] == "out"
    picked = await client.wait_for_bot_message(
        uid, after=0, predicate=lambda m: m["text"].startswith("second"))
    assert picked["text"] == "second reply"


async def test_wait_for_bot_message_timeout_describes_the_chat(
    client: SandboxClient, started_user: dict
) -> None:
    started = time.monotonic()
    with pytest.raises(TimeoutError) as caught:
        await client.wait_for_bot_message(started_user["id"], timeout=0.3)
    assert 0.3 <= time.monotonic() - started < 2
    message = str(caught.value)
    assert f"no bot message in chat {started_user['id']} within 0.3s" in message
    assert "the chat holds 1 messages" in message and "#1 in '/start'" in message


async def test_edits_both_ways(api, client: SandboxClient, started_user: dict) -> None:
    uid = started_user["id"]
    sent = await api.ok("sendMessage", chat_id=uid, text="v1",
                        reply_markup={"inline_keyboard": [[{"text": "Go", "callback_data": "go"}]]})

    async def bot_edits_on_press() -> None:
        updates = await api.ok("getUpdates", offset=-1, timeout=5)
        while "callback_query" not in updates[-1]:
            updates = await api.ok("getUpdates", offset=updates[-1]["update_id"] + 1, timeout=5)
        await api.ok("editMessageText", chat_id=uid, message_id=sent["message_id"], text="v2")
        await api.ok("answerCallbackQuery",
                     callback_query_id=updates[-1]["callback_query"]["id"], text="done")

    pressed, _ = await asyncio.gather(
        client.press_button(uid, uid, sent["message_id"], "go"), bot_edits_on_press())
    assert pressed["answer"] == {"text": "done", "show_alert": False}
    edited = await client.wait_for_edit(uid, sent["message_id"])
    assert edited["text"] == "v2" and "reply_markup" not in edited and edited["edit_date"]

    user_message = await client.send_text(uid, "typo")
    changed = await client.edit_text(uid, uid, user_message["message_id"], "fixed /help")
    assert changed["text"] == "fixed /help" and changed["edit_date"]
    [update] = await api.ok("getUpdates", offset=-1)
    assert update["edited_message"]["text"] == "fixed /help"
    assert update["edited_message"]["entities"] == [{"type": "bot_command", "offset": 6,
                                                     "length": 5}]
    with pytest.raises(SandboxError, match="not modified"):
        await client.edit_text(uid, uid, user_message["message_id"], "fixed /help")


async def test_users_edit_captions_and_send_locations(
    api, client: SandboxClient, png: bytes
) -> None:
    ann = await client.add_user("Ann")
    uid = ann["id"]
    photo = await client.send_photo(uid, png, caption="old words")
    changed = await client.edit_caption(uid, uid, photo["message_id"], "new #words")
    assert changed["caption"] == "new #words" and changed["edit_date"] and changed["photo"]
    [update] = await api.ok("getUpdates", offset=-1)
    edited = update["edited_message"]
    assert edited["caption"] == "new #words" and edited["photo"] == photo["photo"]
    assert edited["caption_entities"] == [{"type": "hashtag", "offset": 4, "length": 6}]
    removed = await client.edit_caption(uid, uid, photo["message_id"], "")
    assert "caption" not in removed and "caption_entities" not in removed
    with pytest.raises(SandboxError, match="not modified"):
        await client.edit_caption(uid, uid, photo["message_id"], "")
    text = await client.send_text(uid, "plain")
    with pytest.raises(SandboxError, match="only media messages"):
        await client.edit_caption(uid, uid, text["message_id"], "a caption")
    with pytest.raises(SandboxError, match="1024"):
        await client.edit_caption(uid, uid, photo["message_id"], "x" * 1025)

    location = await client.send_location(uid, 31.23, 121.47)
    assert location["location"] == {"latitude": 31.23, "longitude": 121.47}
    [update] = await api.ok("getUpdates", offset=-1)
    assert update["message"]["location"] == {"latitude": 31.23, "longitude": 121.47}
    with pytest.raises(SandboxError, match="latitude"):
        await client.send_location(uid, 91.0, 0.0)


async def test_messages_view_files_and_threads(
    api, client: SandboxClient, png: bytes
) -> None:
    ann = await client.add_user("Ann")
    group = await client.create_group("Yard", member_ids=[ann["id"]])
    topic = await api.ok("createForumTopic", chat_id=group["id"], name="Garden")
    thread = topic["message_thread_id"]
    photo = await client.send_photo(ann["id"], png, caption="<b>not html</b>",
                                    chat_id=group["id"], thread_id=thread, media_group_id="g1")
    assert photo["is_topic_message"] and photo["media_group_id"] == "g1"
    assert photo["sandbox"]["html"] == "&lt;b&gt;not html&lt;/b&gt;"
    largest = photo["photo"][-1]["file_id"]
    assert photo["sandbox"]["file_urls"][largest] == f"/sandbox/files/{largest}"
    document = await client.send_document(ann["id"], b"%PDF", "plan.pdf",
                                          mime_type="application/pdf", chat_id=group["id"])
    voice = await client.send_voice(ann["id"], b"OggS", duration=4, chat_id=group["id"])
    assert voice["voice"]["duration"] == 4
    async with aiohttp.ClientSession() as session:
        url = client.base_url + document["sandbox"]["file_urls"][document["document"]["file_id"]]
        async with session.get(url) as response:
            assert response.content_type == "application/pdf" and await response.read() == b"%PDF"
    in_thread = await client.messages(group["id"], thread_id=thread)
    assert [m["message_id"] for m in in_thread] == [thread, photo["message_id"]]
    sent = await api.ok("sendMessage", chat_id=group["id"], text="bye")
    await api.ok("deleteMessage", chat_id=group["id"], message_id=sent["message_id"])
    remaining = [m["message_id"] for m in await client.messages(group["id"])]
    assert remaining == [thread, photo["message_id"], document["message_id"], voice["message_id"]]


async def test_closed_topic_refuses_members_not_admins(api, client: SandboxClient) -> None:
    member = await client.add_user("Ann")
    admin = await client.add_user("Wu")
    group = await client.create_group("Yard", member_ids=[member["id"]])
    await client.add_member(group["id"], admin["id"], status="administrator")
    topic = await api.ok("createForumTopic", chat_id=group["id"], name="Closed")
    await api.ok("closeForumTopic", chat_id=group["id"],
                 message_thread_id=topic["message_thread_id"])
    with pytest.raises(SandboxError, match="TOPIC_CLOSED"):
        await client.send_text(member["id"], "hi", chat_id=group["id"],
                               thread_id=topic["message_thread_id"])
    sent = await client.send_text(admin["id"], "hi", chat_id=group["id"],
                                  thread_id=topic["message_thread_id"])
    assert sent["message_thread_id"] == topic["message_thread_id"]


async def test_events_long_poll_calls_and_commands(
    api, client: SandboxClient, started_user: dict
) -> None:
    uid = started_user["id"]
    last = (await client.events(after=10**9))["last_seq"]

    async def later() -> None:
        await asyncio.sleep(0.1)
        await api.ok("sendChatAction", chat_id=uid, action="upload_photo")

    started = time.monotonic()
    result, _ = await asyncio.gather(client.events(after=last, wait=5), later())
    assert time.monotonic() - started < 2
    assert result["events"] == [{"seq": last + 1, "type": "chat_action", "chat_id": uid,
                                 "action": "upload_photo"}]
    assert (await client.events(after=result["last_seq"], wait=0.1))["events"] == []

    await api.ok("setMyCommands", commands=[{"command": "help", "description": "Help"}],
                 scope={"type": "all_private_chats"}, language_code="en")
    assert await client.my_commands(scope={"type": "all_private_chats"}, language_code="en") == [
        {"command": "help", "description": "Help"}]
    assert await client.my_commands() == []
    [logged] = await client.calls("setMyCommands")
    assert logged["ok"] and logged["params"]["language_code"] == "en"
    assert {c["method"] for c in await client.calls()} == {
        "sendChatAction", "setMyCommands"}


async def test_reset_keeps_bot_and_commands(api, client: SandboxClient, started_user: dict) -> None:
    await api.ok("setMyCommands", commands=[{"command": "start", "description": "Start"}])
    before = await api.ok("getUpdates")
    await client.reset()
    state = await client.state()
    assert state["users"] == [] and state["chats"] == [] and await client.calls() == []
    assert await client.my_commands() == [{"command": "start", "description": "Start"}]
    user = await client.add_user("New")
    await client.send_text(user["id"], "/start")
    [update] = await api.ok("getUpdates", offset=before[-1]["update_id"] + 1)
    assert update["update_id"] > before[-1]["update_id"]


async def test_control_errors_are_json(client: SandboxClient, server: SandboxServer) -> None:
    with pytest.raises(SandboxError, match="no user 1") as caught:
        await client.send_text(1, "hi")
    assert caught.value.status == 404
    with pytest.raises(SandboxError, match="first_name is required"):
        await client.add_user("")
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{server.base_url}/sandbox/api/users", data=b"[1]") as response:
            assert response.status == 400 and "error" in await response.json()
        async with session.post(f"{server.base_url}/sandbox/api/config",
                                json={"faults": {"rate": 5}}) as response:
            assert response.status == 400
    config = await client.configure(flood_limits=True, faults={"rate": 0.1, "kinds": ["slow"]},
                                    seed=3)
    assert config["flood_limits"] and config["faults"]["rate"] == 0.1 and config["seed"] == 3
    assert (await client.configure(faults=None))["faults"] is None


async def test_formatted_user_text_arrives_as_text_and_entities(client: SandboxClient) -> None:
    user = await client.add_user("Ann")
    message = await client.send_text(user["id"], "<b>Bold</b> and <i>it</i> https://x.org",
                                     formatted=True)
    assert message["text"] == "Bold and it https://x.org"
    kinds = [(e["type"], e["offset"], e["length"]) for e in message["entities"]]
    assert ("bold", 0, 4) in kinds and ("italic", 9, 2) in kinds and ("url", 12, 13) in kinds
