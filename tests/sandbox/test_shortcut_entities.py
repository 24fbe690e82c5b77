"""The chat page's text box reads Telegram Desktop's formatting shortcuts into entities."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from sandbox.client import SandboxClient
from sandbox.shortcut_entities import parse_shortcuts


def spans(entities: list[dict]) -> list[tuple]:
    return [(e["type"], e["offset"], e["length"], e.get("url")) for e in entities]


def test_each_shortcut_becomes_its_entity() -> None:
    text, entities = parse_shortcuts(
        "**Bold** __it__ _it2_ ~~old~~ ||secret|| `a<b>` [map](https://park.example/a_b_)")
    assert text == "Bold it it2 old secret a<b> map"
    assert spans(entities) == [
        ("bold", 0, 4, None), ("italic", 5, 2, None), ("italic", 8, 3, None),
        ("strikethrough", 12, 3, None), ("spoiler", 16, 6, None), ("code", 23, 4, None),
        ("text_link", 28, 3, "https://park.example/a_b_")]


def test_what_is_no_shortcut_stays_as_typed() -> None:
    assert parse_shortcuts("/training_new snake_case 2*3*4") == (
        "/training_new snake_case 2*3*4", [{"type": "bot_command", "offset": 0, "length": 13}])
    # Typed tags are characters; nothing inside code is read; overlapping markers stay.
    assert parse_shortcuts("<b>typed</b> & more") == ("<b>typed</b> & more", [])
    assert parse_shortcuts("`**x**`") == ("**x**", [{"type": "code", "offset": 0, "length": 5}])
    assert parse_shortcuts("**a __b** c__") == ("**a __b** c__", [])
    assert parse_shortcuts("[x](javascript:alert(1))")[1] == []
    text, entities = parse_shortcuts("```\nline 1\nline 2\n```")
    assert (text, spans(entities)) == ("line 1\nline 2", [("pre", 0, 13, None)])


@settings(deadline=None)
@given(st.text(alphabet=st.characters(blacklist_characters="*_~|`[\ue000\ue001",
                                      blacklist_categories=("Cs",)), min_size=1))
def test_text_without_markers_is_sent_unchanged(typed: str) -> None:
    assert parse_shortcuts(typed)[0] == typed


async def test_the_control_api_reads_shortcut_text(client: SandboxClient) -> None:
    user = await client.add_user("Ann")
    sent = await client.send_text(user["id"], "**Saturday** <i>x</i>", shortcuts=True)
    assert sent["text"] == "Saturday <i>x</i>"
    assert sent["entities"] == [{"type": "bold", "offset": 0, "length": 8}]
    assert sent["sandbox"]["html"] == "<b>Saturday</b> &lt;i&gt;x&lt;/i&gt;"
