"""The real python-telegram-bot Bot, with only its base URLs changed, against the sandbox."""

from __future__ import annotations

import asyncio
import io

import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    ChatFullInfo,
    ForumTopic,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    MessageId,
    MessageOriginUser,
)
from telegram.constants import ChatAction, ParseMode
from telegram.error import BadRequest, Conflict, Forbidden

from sandbox.client import SandboxClient

KEYBOARD = InlineKeyboardMarkup([[InlineKeyboardButton("Yes", callback_data="vote:yes"),
                                  InlineKeyboardButton("No", callback_data="vote:no")]])


async def test_get_me_and_bot_settings(bot: Bot) -> None:
    me = await bot.get_me()
    assert me.id == 7000000001 and me.is_bot and me.username == "community_hotline_bot"
    assert await bot.set_my_description("Ask the experts", language_code="zh")
    assert await bot.set_my_short_description("Community help")
    assert await bot.set_my_name("Community Hotline")
    assert (await bot.get_my_description(language_code="zh")).description == "Ask the experts"
    assert await bot.log_out() is True
    assert await bot.close() is True


async def test_send_edit_delete_text(bot: Bot, client: SandboxClient, started_user: dict) -> None:
    chat_id = started_user["id"]
    sent = await bot.send_message(chat_id, "<b>Hello</b> 你好 😀 visit https://example.org",
                                  parse_mode=ParseMode.HTML, reply_markup=KEYBOARD)
    assert sent.text == "Hello 你好 😀 visit https://example.org"
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [
        ("bold", 0, 5), ("url", 18, 19)]
    assert sent.reply_markup == KEYBOARD
    assert sent.from_user.id == bot.id and sent.chat.id == chat_id

    edited = await bot.edit_message_text("Edited", chat_id=chat_id, message_id=sent.message_id,
                                         reply_markup=KEYBOARD)
    assert edited.text == "Edited" and edited.edit_date is not None
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("Edited", chat_id=chat_id, message_id=sent.message_id,
                                    reply_markup=KEYBOARD)
    no_keyboard = await bot.edit_message_reply_markup(chat_id, sent.message_id)
    assert no_keyboard.reply_markup is None

    view = (await client.bot_messages(chat_id))[-1]
    assert view["text"] == "Edited" and "reply_markup" not in view

    assert await bot.delete_message(chat_id, sent.message_id)
    assert await client.bot_messages(chat_id) == []
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(chat_id, sent.message_id)


async def test_reply_copy_and_forward(bot: Bot, client: SandboxClient, started_user: dict) -> None:
    chat_id = started_user["id"]
    incoming = await client.send_text(chat_id, "my question")
    reply = await bot.send_message(chat_id, "answer", reply_to_message_id=incoming["message_id"])
    assert reply.reply_to_message.message_id == incoming["message_id"]
    assert reply.reply_to_message.text == "my question"

    other = await client.add_user("Bob")
    await client.send_text(other["id"], "/start")
    copied = await bot.copy_message(other["id"], chat_id, incoming["message_id"])
    assert isinstance(copied, MessageId)
    forwarded = await bot.forward_message(other["id"], chat_id, incoming["message_id"])
    assert isinstance(forwarded.forward_origin, MessageOriginUser)
    assert forwarded.forward_origin.sender_user.id == chat_id
    texts = [m["text"] for m in await client.bot_messages(other["id"])]
    assert texts == ["my question", "my question"]
    assert (await client.bot_messages(other["id"]))[0]["message_id"] == copied.message_id


async def test_photo_upload_reuse_and_download(
    bot: Bot, client: SandboxClient, started_user: dict, png: bytes
) -> None:
    chat_id = started_user["id"]
    first = await bot.send_photo(chat_id, png, caption="<i>map</i>", parse_mode="HTML")
    assert first.caption == "map" and first.caption_entities[0].type == "italic"
    assert first.photo and all(size.file_id and size.file_unique_id for size in first.photo)
    assert (first.photo[-1].width, first.photo[-1].height) == (1, 1)
    again = await bot.send_photo(chat_id, first.photo[-1].file_id)
    assert [p.file_id for p in again.photo] == [p.file_id for p in first.photo]

    file = await bot.get_file(first.photo[-1].file_id)
    assert file.file_path and file.file_size == len(png)
    buffer = io.BytesIO()
    await file.download_to_memory(buffer)
    assert buffer.getvalue() == png
    assert await client.file_bytes(first.photo[0].file_id) == png


async def test_document_voice_and_media_group(bot: Bot, started_user: dict, png: bytes) -> None:
    chat_id = started_user["id"]
    document = await bot.send_document(chat_id, b"minutes of the meeting", filename="notes.txt")
    assert document.document.file_name == "notes.txt"
    assert document.document.mime_type == "text/plain"
    assert document.document.file_size == len(b"minutes of the meeting")
    voice = await bot.send_voice(chat_id, b"OggS fake voice", duration=3)
    assert voice.voice.duration == 3 and voice.voice.mime_type.startswith("audio/")
    with pytest.raises(BadRequest, match=r"(?i)can't use file of type Document as Photo"):
        await bot.send_photo(chat_id, document.document.file_id)

    album = await bot.send_media_group(chat_id, [
        InputMediaPhoto(png, caption="first"),
        InputMediaPhoto(png, caption="<b>second</b>", parse_mode="HTML"),
    ])
    assert len(album) == 2
    assert album[0].media_group_id == album[1].media_group_id is not None
    assert album[1].caption == "second" and album[1].caption_entities[0].type == "bold"
    downloaded = await (await bot.get_file(album[1].photo[-1].file_id)).download_as_bytearray()
    assert bytes(downloaded) == png


async def test_forum_topics_pins_and_actions(bot: Bot, client: SandboxClient) -> None:
    user = await client.add_user("Cai", persona="expert")
    group = await client.create_group("Residents", member_ids=[user["id"]])
    topic = await bot.create_forum_topic(group["id"], "Heating")
    assert isinstance(topic, ForumTopic) and topic.name == "Heating"
    in_topic = await bot.send_message(group["id"], "welcome",
                                      message_thread_id=topic.message_thread_id)
    assert in_topic.is_topic_message and in_topic.message_thread_id == topic.message_thread_id
    assert in_topic.reply_to_message.forum_topic_created.name == "Heating"

    assert await bot.edit_forum_topic(group["id"], topic.message_thread_id, name="Heating & water")
    assert await bot.close_forum_topic(group["id"], topic.message_thread_id)
    await bot.send_message(group["id"], "closed, but admins may write",
                           message_thread_id=topic.message_thread_id)
    assert await bot.reopen_forum_topic(group["id"], topic.message_thread_id)
    state = await client.state()
    [chat] = [c for c in state["chats"] if c["id"] == group["id"]]
    assert chat["topics"] == [{"message_thread_id": topic.message_thread_id,
                               "name": "Heating & water", "icon_color": 7322096,
                               "is_closed": False}]

    assert await bot.pin_chat_message(group["id"], in_topic.message_id)
    full = await bot.get_chat(group["id"])
    assert isinstance(full, ChatFullInfo) and full.is_forum
    assert full.pinned_message.message_id == in_topic.message_id
    assert await bot.unpin_chat_message(group["id"])
    assert (await bot.get_chat(group["id"])).pinned_message is None

    member = await bot.get_chat_member(group["id"], user["id"])
    assert member.status == "member" and member.user.id == user["id"]
    assert (await bot.get_chat_member(group["id"], bot.id)).status == "administrator"
    assert await bot.send_chat_action(group["id"], ChatAction.TYPING,
                                      message_thread_id=topic.message_thread_id)
    events = (await client.events())["events"]
    assert {"chat_action", "topic", "message"} <= {e["type"] for e in events}


async def test_commands_per_scope_and_language(bot: Bot, client: SandboxClient,
                                               started_user: dict) -> None:
    default = [BotCommand("start", "Start"), BotCommand("help", "Help")]
    chinese = [BotCommand("start", "开始")]
    private = [BotCommand("ask", "Ask an expert")]
    assert await bot.set_my_commands(default)
    assert await bot.set_my_commands(chinese, language_code="zh")
    assert await bot.set_my_commands(private, scope=BotCommandScopeAllPrivateChats())
    chat_scope = BotCommandScopeChat(started_user["id"])
    assert await bot.set_my_commands(private, scope=chat_scope, language_code="zh")
    assert list(await bot.get_my_commands()) == default
    assert list(await bot.get_my_commands(language_code="zh")) == chinese
    assert list(await bot.get_my_commands(scope=BotCommandScopeAllPrivateChats())) == private
    assert await client.my_commands(language_code="zh") == [
        {"command": "start", "description": "开始"}]
    assert await client.my_commands(
        scope={"type": "chat", "chat_id": started_user["id"]}, language_code="zh"
    ) == [{"command": "ask", "description": "Ask an expert"}]
    assert await bot.delete_my_commands(language_code="zh")
    assert list(await bot.get_my_commands(language_code="zh")) == []
    with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand("Start", "capital letters are refused")])


async def test_callback_query_answer_round_trip(
    bot: Bot, client: SandboxClient, started_user: dict
) -> None:
    chat_id = started_user["id"]
    sent = await bot.send_message(chat_id, "Vote?", reply_markup=KEYBOARD)
    offset = 0
    for update in await bot.get_updates(timeout=0):
        offset = update.update_id + 1

    async def answer() -> None:
        [update] = await bot.get_updates(offset=offset, timeout=5)
        query = update.callback_query
        assert query.data == "vote:yes" and query.message.message_id == sent.message_id
        assert query.message.reply_markup == KEYBOARD and query.chat_instance
        assert await query.answer("Thanks!", show_alert=True)

    pressed, _ = await asyncio.gather(
        client.press_button(chat_id, chat_id, sent.message_id, "vote:yes"), answer())
    assert pressed["answer"] == {"text": "Thanks!", "show_alert": True}
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(pressed["callback_query_id"])


async def test_blocked_user_and_unknown_chat(bot: Bot, client: SandboxClient,
                                             started_user: dict) -> None:
    await client.block_bot(started_user["id"])
    with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
        await bot.send_message(started_user["id"], "hello?")
    stranger = await client.add_user("Dee")
    with pytest.raises(Forbidden, match=r"(?i)bot can't initiate conversation with a user"):
        await bot.send_message(stranger["id"], "hello?")
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(123, "hello?")
    await client.unblock_bot(started_user["id"])
    assert (await bot.send_message(started_user["id"], "welcome back")).text == "welcome back"


async def test_webhook_methods_through_ptb(bot: Bot, client: SandboxClient,
                                          started_user: dict) -> None:
    assert await bot.set_webhook("http://127.0.0.1:9/hook", secret_token="abc_123",
                                 allowed_updates=["message"], drop_pending_updates=True)
    info = await bot.get_webhook_info()
    assert info.url == "http://127.0.0.1:9/hook" and info.allowed_updates == ("message",)
    with pytest.raises(Conflict, match=r"(?i)can't use getUpdates method while webhook is active"):
        await bot.get_updates()
    assert await bot.delete_webhook(drop_pending_updates=True)
    assert (await bot.get_webhook_info()).url == ""
    await client.send_text(started_user["id"], "after the webhook")
    [update] = await bot.get_updates()
    assert update.message.text == "after the webhook"
