"""An announcement's formatting comes from the message's entities (never from typed tags), the
command line's body file is converted safely, and "send now" never shows a scheduled time."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from telegram import Chat, Message, MessageEntity, User

from bot.app import Hotline
from handlers.entity_html import formatted_html
from sandbox.client import SandboxClient
from services.announcements.body_formats import BodyFormatError, body_html
from storage.models import Role
from tests.announcements_support import progress_reaching
from tests.driver import person, press, press_data, say, wait_reply
from tests.test_announcements_audience import _cli
from tests.test_cli import errors


def _offsets(message: dict, anchor: str) -> set[tuple]:
    """The message's entities, with offsets counted from where `anchor` starts (UTF-16)."""
    before = message["text"][:message["text"].index(anchor)]
    start = len(before.encode("utf-16-le")) // 2
    return {(e["type"], e["offset"] - start, e["length"], e.get("url"))
            for e in message["entities"]}


async def _compose_until_body(sandbox: SandboxClient, staff_id: int) -> dict:
    topics = await say(sandbox, staff_id, "/announce", expect="Choose the topic")
    await press(sandbox, staff_id, topics, "Events", expect="title")
    return await say(sandbox, staff_id, "Carnival", expect="Send the text")


async def test_formatting_typed_in_the_chat_page_reaches_residents_and_tags_stay_text(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    staff = await person(sandbox, hotline, "Zhou", role=Role.STAFF, first="/start")
    reader = await person(sandbox, hotline, "Ann", first="/start")
    await hotline.services.subscriptions.subscribe(reader["id"], ["events"])
    ask = await _compose_until_body(sandbox, staff["id"])
    # The instructions name the app's formatting, and say typed tags are shown as typed.
    assert "choose Bold, Italic or Link" in ask["text"]
    assert "Tags typed as text, such as <b>, reach readers exactly as typed." in ask["text"]
    # Typed in the chat page's box with Telegram Desktop's shortcuts, plus literal tags.
    sent = await sandbox.send_text(
        staff["id"], "**Saturday** in the __park__, ~~Sunday~~ `10:00`: see "
                     "[the map](https://park.example/map) or https://park.example "
                     "<b>not bold</b> & more", shortcuts=True)
    attach = await wait_reply(sandbox, staff["id"], lambda m: "Send a photo" in m["text"],
                              after=sent["message_id"])
    link = await press(sandbox, staff["id"], attach, "Skip", expect="Send a link")
    audience = await press(sandbox, staff["id"], link, "Skip", expect="Audience")
    when = await press(sandbox, staff["id"], audience, "Next", expect="When?")
    confirm = await press(sandbox, staff["id"], when, "Send now", expect="Send it?")
    assert "It is sent as soon as you confirm." in confirm["text"]
    assert "Sending at" not in confirm["text"]
    await press_data(sandbox, staff["id"], confirm, "ann:send")
    received = await wait_reply(sandbox, reader["id"], lambda m: "Carnival" in m["text"],
                                timeout=10)
    body = ("Saturday in the park, Sunday 10:00: see the map or https://park.example "
            "<b>not bold</b> & more")
    assert received["text"].endswith(body)
    assert _offsets(received, "Saturday") >= {
        ("bold", 0, 8, None), ("italic", 16, 4, None), ("strikethrough", 22, 6, None),
        ("code", 29, 5, None), ("text_link", 40, 7, "https://park.example/map"),
        ("url", 51, 20, None)}
    # Nothing but the title and the body's own formatting: the typed tags made no entity.
    assert [e for e in _offsets(received, "Saturday") if e[1] > 70] == []

    # "Send now": the progress message never said it was scheduled, from its first version.
    await progress_reaching(sandbox, staff["id"], confirm["message_id"], "has been sent")
    shown = [c["params"].get("text", "") for c in await sandbox.calls()
             if c["method"] in ("sendMessage", "editMessageText")
             and str(c["params"].get("chat_id")) == str(staff["id"])
             and "Announcement #" in c["params"].get("text", "")]
    assert shown and not [text for text in shown if "will be sent at" in text or "⏰" in text]
    assert shown[0].startswith(("📤 Announcement #1 is being sent", "✅"))
    record = await hotline.services.announcements.get(1)
    assert record is not None and record.state == "done"


def _message(text: str, *entities: MessageEntity) -> Message:
    return Message(message_id=1, date=datetime.now(UTC), chat=Chat(1, Chat.PRIVATE),
                   text=text, entities=entities)


def test_only_telegrams_own_formatting_is_taken_from_entities() -> None:
    text = "bold under strike code quote emoji user bad spoiler x"
    entities = [MessageEntity(MessageEntity.BOLD, 0, 4),
                MessageEntity(MessageEntity.UNDERLINE, 5, 5),
                MessageEntity(MessageEntity.STRIKETHROUGH, 11, 6),
                MessageEntity(MessageEntity.PRE, 18, 4, language='x"><script>'),
                MessageEntity(MessageEntity.BLOCKQUOTE, 23, 5),
                MessageEntity(MessageEntity.CUSTOM_EMOJI, 29, 5, custom_emoji_id="1"),
                MessageEntity(MessageEntity.TEXT_MENTION, 35, 4, user=User(7, "U", False)),
                MessageEntity(MessageEntity.TEXT_LINK, 40, 3, url="javascript:alert(1)"),
                MessageEntity(MessageEntity.SPOILER, 44, 7)]
    assert formatted_html(_message(text, *entities)) == (
        '<b>bold</b> <u>under</u> <s>strike</s> <pre>code</pre> '
        '<blockquote>quote</blockquote> emoji user bad '
        '<span class="tg-spoiler">spoiler</span> x')
    typed = _message("<b>x</b> & <a href='https://e.org'>y</a>",
                     MessageEntity(MessageEntity.TEXT_LINK, 0, 8, url="https://ok.example"))
    assert formatted_html(typed) == (
        '<a href="https://ok.example">&lt;b&gt;x&lt;/b&gt;</a> &amp; '
        "&lt;a href=&#x27;https://e.org&#x27;&gt;y&lt;/a&gt;")


def test_a_markdown_body_file_becomes_telegram_html() -> None:
    source = ("# Funds 2027\r\n**Apply now** for *care* & _more_ <b>typed</b>\n"
              "second line `a<b>`\n\n- one\n[the rules](https://ex.org/r?a=1&b=2) \\*x\\*\n")
    assert body_html(source, "markdown") == (
        "# Funds 2027\n<b>Apply now</b> for <i>care</i> &amp; <i>more</i> "
        "&lt;b&gt;typed&lt;/b&gt;\nsecond line <code>a&lt;b&gt;</code>\n\n- one\n"
        '<a href="https://ex.org/r?a=1&amp;b=2">the rules</a> *x*')
    assert body_html("<b>x</b> *y*", "text") == "&lt;b&gt;x&lt;/b&gt; *y*"
    assert body_html('<b>x</b> <a href="https://e.org">y</a>', "html") == (
        '<b>x</b> <a href="https://e.org">y</a>')


@pytest.mark.parametrize(("source", "body_format", "reason"), [
    ("fine\n\n[map](park.example)", "markdown",
     "line 3: a link must start with http:// or https://"),
    ("[map](mailto:a@b.org)", "markdown", "line 1: a link must start with http://"),
    ("one\n<br/>two", "html", "line 2: <br/> is not one of Telegram's tags"),
    ("<script>x</script>", "html", "line 1: <script> is not one of Telegram's tags"),
    ('<a href="javascript:x">y</a>', "html", "line 1: a link must start with http://"),
])
def test_a_body_file_with_a_wrong_link_or_tag_is_refused_naming_the_line(
        source: str, body_format: str, reason: str) -> None:
    with pytest.raises(BodyFormatError) as refused:
        body_html(source, body_format)
    assert str(refused.value).startswith(reason)


async def test_the_command_line_sends_a_markdown_file_with_its_formatting(
        hotline: Hotline, sandbox: SandboxClient, tmp_path: Path) -> None:
    reader = await person(sandbox, hotline, "Ann", first="/start")
    await hotline.services.subscriptions.subscribe(reader["id"], ["policy"])
    body = tmp_path / "body.md"
    body.write_text("**New rules** for *community* funds: [read them](https://ex.org/rules)"
                    "\n\nTyped <b>tags</b> stay.\n", encoding="utf-8")
    done = await _cli(tmp_path, "announce", "--topic", "policy", "--title", "Fund rules",
                      "--body-file", str(body), "--yes")
    assert done.returncode == 0, done.stderr
    assert '<b>New rules</b> for <i>community</i> funds: <a href="https://ex.org/rules">' \
           in done.stdout
    hotline.services.delivery.wake()  # the CLI is another process: the sender polls too
    received = await wait_reply(sandbox, reader["id"], lambda m: m["text"].startswith("📢"),
                                timeout=10)
    assert received["text"].endswith(
        "New rules for community funds: read them\n\nTyped <b>tags</b> stay.")
    assert _offsets(received, "New rules") >= {
        ("bold", 0, 9, None), ("italic", 14, 9, None),
        ("text_link", 31, 9, "https://ex.org/rules")}

    bad = tmp_path / "bad.md"
    bad.write_text("Intro\n\nSee [the form](ftp://ex.org/form).\n", encoding="utf-8")
    refused = await _cli(tmp_path, "announce", "--topic", "policy", "--title", "Form",
                         "--body-file", str(bad), "--yes")
    assert refused.returncode == 2
    assert errors(refused).strip() == (
        f"hotline: {bad}, line 3: a link must start with http:// or https:// "
        "(found 'ftp://ex.org/form'); nothing was sent")
    assert await hotline.services.announcements.get(2) is None
