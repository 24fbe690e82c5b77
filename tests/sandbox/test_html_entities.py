"""Parse modes into text + entities (UTF-16 offsets) and entities back into browser HTML."""

from __future__ import annotations

import html

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sandbox.entities import auto_entities, check_url, utf16_len
from sandbox.errors import ApiError
from sandbox.formatting import format_text
from sandbox.html_entities import EntityParseError, parse_html, render_html
from sandbox.markdown_entities import parse_markdown, parse_markdown_v2


def spans(entities: list[dict]) -> list[tuple]:
    return [(e["type"], e["offset"], e["length"]) for e in entities]


@settings(deadline=None)
@given(st.text())
def test_escaped_text_round_trips_without_entities(text: str) -> None:
    assert parse_html(html.escape(text, quote=False)) == (text, [])
    assert parse_html(html.escape(text, quote=True)) == (text, [])


@settings(deadline=None)
@given(st.text(), st.text(min_size=1))
def test_bold_wrapping_marks_exactly_the_utf16_span(before: str, inner: str) -> None:
    source = f"{html.escape(before)}<b>{html.escape(inner)}</b>"
    text, entities = parse_html(source)
    assert text == before + inner
    assert spans(entities) == [("bold", utf16_len(before), utf16_len(inner))]


@settings(deadline=None)
@given(st.text())
def test_rendering_plain_text_is_escaped(text: str) -> None:
    rendered = render_html(text, [])
    assert "<" not in rendered.replace("<br>", "")
    assert html.unescape(rendered.replace("<br>", "\n")) == text


def test_utf16_offsets_with_emoji_and_chinese() -> None:
    text, entities = parse_html("😀<b>你好</b> <i>👍🏽 ok</i> &#128512;<u>x</u>")
    assert text == "😀你好 👍🏽 ok 😀x"
    assert spans(entities) == [("bold", 2, 2), ("italic", 5, 7), ("underline", 15, 1)]


def test_all_supported_tags() -> None:
    source = (
        '<strong>b</strong><em>i</em><ins>u</ins><strike>s</strike><del>d</del>'
        '<span class="tg-spoiler">p</span><tg-spoiler>q</tg-spoiler><code>c</code>'
        '<pre><code class="language-python">x = 1</code></pre><blockquote>quote</blockquote>'
        '<blockquote expandable>more</blockquote><a href="example.org">link</a>'
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>'
    )
    text, entities = parse_html(source)
    assert text == "biusdpqcx = 1quotemorelink👍"
    assert [(e["type"], e.get("url") or e.get("language") or e.get("custom_emoji_id"))
            for e in entities] == [
        ("bold", None), ("italic", None), ("underline", None), ("strikethrough", None),
        ("strikethrough", None), ("spoiler", None), ("spoiler", None), ("code", None),
        ("pre", "python"), ("blockquote", None), ("expandable_blockquote", None),
        ("text_link", "http://example.org/"), ("custom_emoji", "5368324170671202286"),
    ]


def test_text_mention_and_entities_decoding() -> None:
    users = {42: {"id": 42, "is_bot": False, "first_name": "Ann"}}
    text, entities = parse_html('&lt;&amp;&gt;&quot; <a href="tg://user?id=42">Ann</a>', users.get)
    assert text == '<&>" Ann'
    assert entities == [{"type": "text_mention", "offset": 5, "length": 3, "user": users[42]}]
    assert parse_html("Tom & Jerry &nbsp; &copy") == ("Tom & Jerry &nbsp; &copy", [])


@pytest.mark.parametrize(("source", "error"), [
    ("<br>", 'Unsupported start tag "br" at byte offset 0'),
    ("a < b", 'Unsupported start tag "" at byte offset 2'),
    ("x <b", "Unclosed start tag at byte offset 2"),
    ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
    ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
    ("x</b>", "Unexpected end tag at byte offset 1"),
    ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
    ("<a href=x/>y</a>", "Unexpected end of name token at byte offset 8"),
    ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
])
def test_html_errors_match_telegram(source: str, error: str) -> None:
    with pytest.raises(EntityParseError) as caught:
        parse_html(source)
    assert str(caught.value) == error


def test_format_text_trims_counts_and_adds_auto_entities() -> None:
    text, entities = format_text("  <b>hi</b> /help@community_hotline_bot see example.com \n",
                                 "HTML", None, resolve_user=None)
    assert text == "hi /help@community_hotline_bot see example.com"
    assert spans(entities) == [("bold", 0, 2), ("bot_command", 3, 27), ("url", 35, 11)]
    with pytest.raises(ApiError, match="message is too long"):
        format_text("😀" * 4097, None, None, resolve_user=None)
    assert format_text("😀" * 4096, None, None, resolve_user=None)[0] == "😀" * 4096


def test_user_text_entities() -> None:
    found = auto_entities("/start@bot_name hi @ann_lee #help mail a@b.org https://t.me/x.")
    assert spans(found) == [("email", 39, 7), ("url", 47, 14), ("mention", 19, 8),
                            ("hashtag", 28, 5), ("bot_command", 0, 15)]
    assert auto_entities("你好 /命令 /start") == [{"type": "bot_command", "offset": 7,
                                                   "length": 6}]


def test_check_url_normalises_like_telegram() -> None:
    assert check_url("https://Example.com") == "https://example.com/"
    assert check_url("example.com/a?b") == "http://example.com/a?b"
    assert check_url("tg://user?id=1") == "tg://user?id=1"
    assert check_url("javascript:alert(1)") is None and check_url("not a url") is None


def test_render_html_is_safe_and_nests() -> None:
    rendered = render_html("<script> x", [{"type": "bold", "offset": 0, "length": 8},
                                          {"type": "text_link", "offset": 9, "length": 1,
                                           "url": "javascript:alert(1)"}])
    assert rendered == '<b>&lt;script&gt;</b> <span class="tg-text_link">x</span>'
    overlapping = render_html("abcd", [{"type": "bold", "offset": 0, "length": 3},
                                       {"type": "italic", "offset": 1, "length": 3}])
    assert overlapping == "<b>a<i>bc</i></b><i>d</i>"
    assert render_html("😀 a\nb", [{"type": "code", "offset": 3, "length": 1}]) == (
        "😀 <code>a</code><br>b")


def test_markdown_v2_basics() -> None:
    text, entities = parse_markdown_v2(
        r"*bold* _it_ __under__ ~st~ ||sp|| `code` [link](https://t.me/x) 1\.5")
    assert text == "bold it under st sp code link 1.5"
    assert spans(entities) == [("bold", 0, 4), ("italic", 5, 2), ("underline", 8, 5),
                               ("strikethrough", 14, 2), ("spoiler", 17, 2), ("code", 20, 4),
                               ("text_link", 25, 4)]
    text, entities = parse_markdown_v2("```python\nprint(1)\n```")
    assert (text, entities) == ("print(1)\n", [{"type": "pre", "offset": 0, "length": 9,
                                                "language": "python"}])
    with pytest.raises(EntityParseError, match="Can't find end of Bold entity at byte offset 0"):
        parse_markdown_v2("*open")


def test_legacy_markdown() -> None:
    text, entities = parse_markdown("*b* _i_ `c` [t](https://t.me/x)")
    assert text == "b i c t"
    assert spans(entities) == [("bold", 0, 1), ("italic", 2, 1), ("code", 4, 1),
                               ("text_link", 6, 1)]
