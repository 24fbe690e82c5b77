"""The sandbox's chat page in a real browser, with a tiny in-test bot (no hotline bot needed).

The in-test bot makes real Bot API calls (python-telegram-bot's Bot pointed at the sandbox),
so what the page shows is what a bot actually sent.
"""

from __future__ import annotations

import asyncio
import struct
import zlib
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, ReplyKeyboardMarkup, Update
from telegram.error import Forbidden

pytest.importorskip("playwright.async_api", reason="playwright is not importable")
from playwright.async_api import expect

from sandbox.server import SandboxServer
from sandbox.web.labels import LABELS

pytestmark = pytest.mark.timeout(60)

PHONE = {"width": 390, "height": 844}


def png_bytes(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A plain one-colour PNG, made here so the tests need no image files."""
    row = b"\x00" + bytes(rgb) * width
    raw = row * height

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


class Control:
    """The sandbox's HTTP control API, as the chat page itself uses it."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self.session = session

    async def get(self, path: str, **params: Any) -> Any:
        async with self.session.get("/sandbox/api" + path, params=params) as resp:
            body = await resp.json()
            assert resp.status == 200, body
            return body

    async def post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        async with self.session.post("/sandbox/api" + path, json=body or {}) as resp:
            data = await resp.json()
            assert resp.status == 200, data
            return data

    async def add_user(self, first_name: str, persona: str, **extra: Any) -> dict[str, Any]:
        body = {"first_name": first_name, "persona": persona, "language_code": "zh-hans"}
        return await self.post("/users", {**body, **extra})


class Updates:
    """Reads the in-test bot's updates with getUpdates, remembering the offset."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot
        self.offset: int | None = None

    async def wait_for(self, match: Callable[[Update], bool], within: float = 10.0) -> Update:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while loop.time() < deadline:
            for update in await self.bot.get_updates(offset=self.offset, timeout=1):
                self.offset = update.update_id + 1
                if match(update):
                    return update
        raise AssertionError("the bot never got the update it waited for")


@pytest.fixture
async def server() -> AsyncIterator[SandboxServer]:
    sandbox = SandboxServer(host="127.0.0.1", port=0)
    await sandbox.start()
    try:
        yield sandbox
    finally:
        await sandbox.stop()


@pytest.fixture
async def control(server: SandboxServer) -> AsyncIterator[Control]:
    async with aiohttp.ClientSession(server.base_url) as session:
        yield Control(session)


@pytest.fixture
async def bot(server: SandboxServer) -> AsyncIterator[Bot]:
    async with Bot(server.token, base_url=server.bot_api_base) as the_bot:
        yield the_bot


def message_of(page: Any, message_id: int) -> Any:
    return page.locator(f'.msg[data-message-id="{message_id}"]')


async def open_page(page: Any, server: SandboxServer) -> None:
    await page.goto(server.chat_page_url)
    await page.wait_for_selector("body[data-ready]")


async def test_chat_page_plays_every_role(
    server: SandboxServer, control: Control, bot: Bot, page: Any, screenshot: Any
) -> None:
    resident = await control.add_user("李", "resident", last_name="阿姨", username="li_resident")
    worker = await control.add_user("小张", "social_worker", username="zhang_sw")
    staff = await control.add_user("刘", "staff", last_name="科长", username="liu_staff")
    group = await control.post(
        "/chats",
        {"title": "社区热线工作组 · Hotline staff", "is_forum": True, "member_ids": [staff["id"]]},
    )
    topic = await bot.create_forum_topic(group["id"], "咨询 #1 李阿姨")
    updates = Updates(bot)

    await open_page(page, server)

    # Persona switcher: every persona is there; switching changes whose chats are shown.
    select = page.locator("#persona-select")
    for user in (resident, worker, staff):
        await expect(select.locator(f'option[value="{user["id"]}"]')).to_have_count(1)
    await select.select_option(str(worker["id"]))
    await expect(page.locator(".chat-item")).to_have_count(1)
    await select.select_option(str(staff["id"]))
    await expect(page.locator(".chat-item")).to_have_count(2)
    await select.select_option(str(resident["id"]))
    await expect(page.locator("#chat-title")).to_have_text(bot.first_name)

    # Typed text is shown as typed (never as markup) and reaches the bot.
    composer = page.locator("#composer-input")
    await composer.fill("你好 <b>not bold</b>")
    await composer.press("Enter")
    own = page.locator(".msg.own").last
    await expect(own.locator(".text")).to_have_text("你好 <b>not bold</b>")
    await expect(own.locator(".text b")).to_have_count(0)
    got = await updates.wait_for(lambda u: u.message is not None and u.message.text is not None)
    assert got.message.text == "你好 <b>not bold</b>"
    # Telegram Desktop's shortcuts become entities, as a real client sends formatting.
    await composer.fill("**粗体** and __italic__ [map](https://park.example/map)")
    await composer.press("Enter")
    own = page.locator(".msg.own").last
    await expect(own.locator(".text b")).to_have_text("粗体")
    await expect(own.locator(".text i")).to_have_text("italic")
    await expect(own.locator(".text")).to_have_text("粗体 and italic map")
    got = await updates.wait_for(lambda u: u.message is not None and u.message.text is not None)
    assert got.message.text == "粗体 and italic map"
    assert [(e.type, e.offset, e.length, e.url) for e in got.message.entities] == [
        ("bold", 0, 2, None), ("italic", 7, 6, None),
        ("text_link", 14, 3, "https://park.example/map")]

    # A chat action shows in the header, as "typing…" does in Telegram.
    await bot.send_chat_action(resident["id"], "typing")
    await expect(page.locator("#chat-status")).to_have_text(LABELS["typing"])

    # The bot's HTML: bold is bold, escaped "<b>" stays literal; buttons come along.
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("按我 Press", callback_data="press"),
                InlineKeyboardButton("提醒 Alert", callback_data="alert"),
            ],
            [InlineKeyboardButton("网站 Site", url="https://example.org/")],
        ]
    )
    sent = await bot.send_message(
        resident["id"],
        "<b>粗体 bold</b> 和 &lt;b&gt; literal",
        parse_mode="HTML",
        reply_markup=keyboard,
    )
    bubble = message_of(page, sent.message_id)
    await expect(bubble.locator(".text b")).to_have_text("粗体 bold")
    await expect(bubble.locator(".text")).to_contain_text("和 <b> literal")
    link = bubble.locator("a.kb-btn")
    await expect(link).to_have_attribute("href", "https://example.org/")
    await expect(link).to_have_attribute("target", "_blank")

    # A callback button: the bot gets the query, its answer shows as a toast...
    await bubble.locator('.kb-btn[data-callback="press"]').click()
    query = await updates.wait_for(lambda u: u.callback_query is not None)
    assert query.callback_query.data == "press"
    assert query.callback_query.from_user.id == resident["id"]
    await query.callback_query.answer("已收到 Done")
    await expect(page.locator(".toast", has_text="已收到 Done")).to_be_visible()
    # ...and an answer with show_alert as an alert.
    await bubble.locator('.kb-btn[data-callback="alert"]').click()
    query = await updates.wait_for(lambda u: u.callback_query is not None)
    await query.callback_query.answer("请注意 Heads up", show_alert=True)
    alert = page.locator("#alert-dialog")
    await expect(alert).to_contain_text("请注意 Heads up")
    await alert.locator("button").click()
    await expect(alert).to_be_hidden()

    # Reply to the bot's message, then edit one's own last message.
    await bubble.hover()
    await bubble.locator(".reply-btn").click()
    await expect(page.locator("#composer-context")).to_be_visible()
    await composer.fill("回复一下 a reply")
    await composer.press("Enter")
    reply = await updates.wait_for(lambda u: u.message is not None)
    assert reply.message.reply_to_message.message_id == sent.message_id
    mine = message_of(page, reply.message.message_id)
    await expect(mine.locator(".quote")).to_contain_text("粗体 bold")
    await mine.hover()
    await mine.locator(".edit-btn").click()
    await expect(composer).to_have_value("回复一下 a reply")
    await composer.fill("改过了 edited")
    await composer.press("Enter")
    await expect(mine.locator(".text")).to_have_text("改过了 edited")
    await expect(mine.locator(".edited")).to_be_visible()
    edited = await updates.wait_for(lambda u: u.edited_message is not None)
    assert edited.edited_message.text == "改过了 edited"

    # Attach a photo and a document (file input -> base64 -> control API).
    await page.locator("#file-input").set_input_files(
        files=[
            {
                "name": "楼道.png",
                "mimeType": "image/png",
                "buffer": png_bytes(320, 200, (214, 120, 80)),
            }
        ]
    )
    await expect(page.locator("#composer-attachment")).to_be_visible()
    await composer.fill("楼道的灯坏了 hallway light")
    await composer.press("Enter")
    photo_update = await updates.wait_for(lambda u: u.message is not None and bool(u.message.photo))
    assert photo_update.message.caption == "楼道的灯坏了 hallway light"
    photo = message_of(page, photo_update.message.message_id).locator("img.photo")
    await expect(photo).to_be_visible()
    assert await photo.evaluate("img => img.decode().then(() => img.naturalWidth)") == 320
    await page.locator("#file-input").set_input_files(
        files=[{"name": "申请表.txt", "mimeType": "text/plain", "buffer": b"hello sandbox"}]
    )
    await page.locator("#send-btn").click()
    doc_update = await updates.wait_for(
        lambda u: u.message is not None and bool(u.message.document)
    )
    doc_link = message_of(page, doc_update.message.message_id).locator("a.doc-link")
    await expect(doc_link).to_contain_text("申请表.txt")
    href = await doc_link.get_attribute("href")
    assert href and href.startswith("/sandbox/files/")
    assert await doc_link.get_attribute("download") == "申请表.txt"

    # Photos and documents the bot uploads show too, without reloading the page.
    bot_photo = await bot.send_photo(
        resident["id"],
        png_bytes(240, 160, (60, 130, 200)),
        caption="<i>收到</i>",
        parse_mode="HTML",
    )
    bot_img = message_of(page, bot_photo.message_id).locator("img.photo")
    await expect(bot_img).to_be_visible()
    await expect(bot_img).to_have_attribute("src", f"/sandbox/files/{bot_photo.photo[-1].file_id}")
    assert await bot_img.evaluate("img => img.decode().then(() => img.naturalWidth)") == 240
    await expect(message_of(page, bot_photo.message_id).locator(".text i")).to_have_text("收到")
    bot_doc = await bot.send_document(resident["id"], b"guide", filename="服务指南.txt")
    bot_doc_link = message_of(page, bot_doc.message_id).locator("a.doc-link")
    await expect(bot_doc_link).to_have_attribute("download", "服务指南.txt")
    async with control.session.get(await bot_doc_link.get_attribute("href")) as resp:
        assert await resp.read() == b"guide"

    # A reply keyboard sits under the composer; its buttons send their text.
    await bot.send_message(
        resident["id"],
        "满意吗？",
        reply_markup=ReplyKeyboardMarkup(
            [["满意 Yes", "不满意 No"]],
            one_time_keyboard=True,
            input_field_placeholder="选一个 Pick one",
        ),
    )
    await expect(page.locator(".reply-kb-btn")).to_have_count(2)
    await expect(composer).to_have_attribute("placeholder", "选一个 Pick one")
    await page.locator(".reply-kb-btn", has_text="不满意 No").click()
    await updates.wait_for(lambda u: u.message is not None and u.message.text == "不满意 No")
    await expect(page.locator("#reply-keyboard")).to_be_hidden()

    # Flood limits and fault injection are off by default.
    await page.locator("#settings-btn").click()
    await expect(page.locator("#settings-panel")).to_be_visible()
    await expect(page.locator("#fault-on")).not_to_be_checked()
    await expect(page.locator("#flood-on")).not_to_be_checked()
    await page.locator("#flood-on").check()
    await page.locator("#fault-on").check()
    await page.locator("#fault-rate").fill("0.25")
    await page.locator('input[name="fault-kind"][value="5xx"]').uncheck()
    await page.locator('input[name="fault-kind"][value="slow"]').check()
    await page.locator("#fault-methods").fill("sendPhoto")
    saved = page.locator("#settings-status")
    await page.locator("#settings-form button[type=submit]").click()
    await expect(saved).to_have_text(LABELS["saved"])
    config = (await control.get("/state"))["config"]
    assert config["flood_limits"] is True
    assert config["faults"]["rate"] == 0.25
    assert (config["faults"]["kinds"], config["faults"]["methods"]) == (["slow"], ["sendPhoto"])
    await page.locator("#flood-on").uncheck()
    await page.locator("#fault-on").uncheck()
    await page.locator("#settings-form button[type=submit]").click()
    await expect(saved).to_have_text(LABELS["saved"])
    config = (await control.get("/state"))["config"]
    assert (config["flood_limits"], config["faults"]) == (False, None)
    await page.locator("#settings-close").click()

    await screenshot(page, "resident_1280")
    await page.set_viewport_size(PHONE)
    await expect(page.locator("#composer-input")).to_be_visible()
    await expect(page.locator(".sidebar")).to_be_hidden()
    await screenshot(page, "resident_390")
    await page.set_viewport_size({"width": 1280, "height": 800})

    # Block: the bot is refused, the page says so; unblock brings the composer back.
    await page.locator("#block-btn").click()
    await expect(page.locator("#blocked-bar")).to_be_visible()
    await expect(page.locator("#composer")).to_be_hidden()
    with pytest.raises(Forbidden):
        await bot.send_message(resident["id"], "still there?")
    await page.locator("#unblock-btn").click()
    await expect(page.locator("#composer")).to_be_visible()

    # The staff group: its topics are tabs; a topic shows only its own messages.
    await select.select_option(str(staff["id"]))
    await page.locator(".chat-item", has_text="Hotline staff").click()
    tabs = page.locator(".topic-tab")
    await expect(tabs).to_have_count(2)
    await expect(tabs.nth(1)).to_contain_text("咨询 #1 李阿姨")
    in_topic = await bot.send_message(
        group["id"],
        "<b>新咨询</b> new case",
        parse_mode="HTML",
        message_thread_id=topic.message_thread_id,
    )
    in_general = await bot.send_message(group["id"], "大家好 general")
    await expect(message_of(page, in_general.message_id)).to_be_visible()
    await expect(message_of(page, in_topic.message_id)).to_have_count(0)
    await expect(tabs.nth(1).locator(".badge")).to_have_text("1")
    await tabs.nth(1).click()
    await expect(message_of(page, in_topic.message_id).locator(".text b")).to_have_text("新咨询")
    await expect(message_of(page, in_general.message_id)).to_have_count(0)
    await composer.fill("我来处理 on it")
    await composer.press("Enter")
    staff_msg = await updates.wait_for(
        lambda u: u.message is not None and u.message.chat.id == group["id"]
    )
    assert staff_msg.message.message_thread_id == topic.message_thread_id
    await expect(page.locator(".msg.own .text", has_text="我来处理 on it")).to_be_visible()

    await screenshot(page, "staff_group_1280")
    await page.set_viewport_size(PHONE)
    await expect(tabs.nth(1)).to_be_visible()
    await screenshot(page, "staff_group_390")


async def test_new_persona_form_when_the_sandbox_is_empty(
    server: SandboxServer, control: Control, page: Any, screenshot: Any
) -> None:
    await open_page(page, server)
    dialog = page.locator("#persona-dialog")
    await expect(dialog).to_be_visible()
    await screenshot(page, "new_persona")
    await dialog.locator('input[name="first_name"]').fill("Emma")
    await dialog.locator('input[name="last_name"]').fill("Wilson")
    await dialog.locator('select[name="language_code"]').select_option("en")
    await dialog.locator('select[name="persona"]').select_option("expert")
    await dialog.locator('button[type="submit"]').click()
    await expect(dialog).to_be_hidden()
    await expect(page.locator("#persona-select option:checked")).to_contain_text("Emma Wilson")
    state = await control.get("/state")
    [user] = state["users"]
    assert (user["first_name"], user["language_code"], user["persona"]) == ("Emma", "en", "expert")
    # Sending works right away, and the sandbox's private chat appears with it.
    await page.locator("#composer-input").fill("/start")
    await page.locator("#composer-input").press("Enter")
    await expect(page.locator(".msg.own .text")).to_have_text("/start")
    # A sandbox reset empties the page too, without a reload.
    await control.post("/reset")
    await expect(page.locator("#persona-select option")).to_have_text([LABELS["no_users"]])
    await expect(page.locator(".msg")).to_have_count(0)


async def test_page_is_served_locally_with_a_strict_policy(
    server: SandboxServer, control: Control
) -> None:
    async with control.session.get("/") as resp:
        assert resp.status == 200
        policy = resp.headers["Content-Security-Policy"]
        html = await resp.text()
    assert "script-src 'self'" in policy and "default-src 'self'" in policy
    assert "http://" not in html and "https://" not in html  # no CDN, nothing from outside
    for asset in ("chat.js", "chat.css", "favicon.svg"):
        async with control.session.get(f"/sandbox/web/static/{asset}") as resp:
            assert resp.status == 200, asset
