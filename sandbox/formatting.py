"""From what the bot sent (text, parse_mode, entities) to what Telegram stores."""

from __future__ import annotations

from typing import Any

from sandbox.entities import (
    auto_entities,
    clean_user_entities,
    drop_nested_in_code,
    merge_auto,
    sort_entities,
    trim,
)
from sandbox.errors import bad_request
from sandbox.html_entities import EntityParseError, UserResolver, parse_html
from sandbox.markdown_entities import parse_markdown, parse_markdown_v2

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
_PARSERS = {"html": parse_html, "markdownv2": parse_markdown_v2, "markdown": parse_markdown}


def format_text(
    text: str,
    parse_mode: str | None,
    entities: Any,
    *,
    resolve_user: UserResolver | None,
    caption: bool = False,
) -> tuple[str, list[dict[str, Any]]]:
    """Text and entities as Telegram stores them; raises the Bad Request Telegram would."""
    if entities is not None:
        found = clean_user_entities(entities, text)
    elif parse_mode:
        parser = _PARSERS.get(parse_mode.lower())
        if parser is None:
            raise bad_request("unsupported parse_mode")
        try:
            text, found = parser(text, resolve_user)
        except EntityParseError as exc:
            raise bad_request(f"can't parse entities: {exc}") from exc
    else:
        found = []
    text, found = trim(text, found)
    if not text and not caption:
        raise bad_request("message text is empty")
    if len(text) > (CAPTION_LIMIT if caption else TEXT_LIMIT):
        raise bad_request("message caption is too long" if caption else "message is too long")
    found = merge_auto(text, drop_nested_in_code(found))
    return text, sort_entities(found)


def user_text_entities(text: str) -> list[dict[str, Any]]:
    """What Telegram finds in a text a user typed: /commands, urls, mentions, hashtags."""
    return sort_entities(auto_entities(text))
