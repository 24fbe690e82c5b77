"""MessageEntity bookkeeping shared by the parsers: UTF-16 offsets, order, trimming and the
entities Telegram finds on its own (urls, /commands, @mentions, #hashtags, emails)."""

from __future__ import annotations

import re
from typing import Any

from sandbox.errors import bad_request

# TDLib's order for entities that start at the same offset with the same length.
_PRIORITY = {
    "blockquote": 0,
    "expandable_blockquote": 0,
    "pre": 11,
    "code": 20,
    "text_link": 49,
    "text_mention": 49,
    "bold": 90,
    "italic": 91,
    "underline": 92,
    "strikethrough": 93,
    "spoiler": 94,
    "custom_emoji": 99,
}
_ENTITY_KEYS = ("type", "offset", "length", "url", "user", "language", "custom_emoji_id",
                "unix_time", "date_time_format")
_KNOWN_TYPES = frozenset({
    "mention", "hashtag", "cashtag", "bot_command", "url", "email", "phone_number", "bold",
    "italic", "underline", "strikethrough", "spoiler", "blockquote", "expandable_blockquote",
    "code", "pre", "text_link", "text_mention", "custom_emoji", "date_time",
})
_CODE_TYPES = frozenset({"code", "pre"})
# Auto-found entities never overlap these; formatting entities may wrap them.
_EXCLUSIVE_TYPES = frozenset({"code", "pre", "text_link", "text_mention", "custom_emoji",
                              "date_time"})
_TRIM = " \t\r\n\v\f"
_COMMON_TLDS = frozenset({
    "com", "org", "net", "io", "ru", "cn", "me", "dev", "app", "info", "edu", "gov", "uk",
    "de", "hk", "tw", "sg", "co", "xyz", "ai", "jp", "fr", "us", "eu", "ca", "au", "in", "br",
    "it", "nl", "pl", "es", "ch", "se", "no", "kr", "tv", "cc", "biz", "site", "online", "top",
})
_URL = re.compile(
    r"(?<![\w@./:-])(?:(?P<scheme>https?|ftp)://)?"
    r"(?P<host>(?:[A-Za-z0-9\u00a1-\uffff-]+\.)+(?P<tld>[A-Za-z\u00a1-\uffff]{2,24}))"
    r"(?::\d{1,5})?(?:[/?#][^\s<>\"]*)?"
)
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,24}(?![\w-])")
_MENTION = re.compile(r"(?<![\w@])@[A-Za-z0-9_]{4,32}(?![\w@])")
_HASHTAG = re.compile(r"(?<![\w#&])#\w{1,256}")
_COMMAND = re.compile(r"(?<![\w/\\.<>])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/<>])")
_TRAILING_PUNCT = ".,;:!?'\")]}"
_HTTP_URL = re.compile(r"^(?:(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://)?(?P<host>[^/?#\s]+)(?P<rest>.*)$")


def utf16_len(text: str) -> int:
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def sort_entities(entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    entities.sort(key=lambda e: (e["offset"], -e["length"], _PRIORITY.get(e["type"], 50)))
    return entities


def check_url(url: str) -> str | None:
    """The URL as Telegram stores it for a text_link, or None when Telegram would drop it."""
    url = url.strip()
    if url.startswith(("tg://", "ton://")) and len(url) > len("tg://"):
        return url
    match = _HTTP_URL.match(url)
    if match is None:
        return None
    scheme = (match.group("scheme") or "http").lower()
    if scheme not in ("http", "https", "ftp"):
        return None
    host = match.group("host").lower()
    hostname = host.rsplit("@", 1)[-1].split(":", 1)[0]
    if "." not in hostname and hostname != "localhost":
        return None
    rest = match.group("rest")
    if not rest.startswith("/"):
        rest = "/" + rest
    return f"{scheme}://{host}{rest}"


def clean_user_entities(raw: Any, text: str) -> list[dict[str, Any]]:
    """Entities given explicitly by the bot: keep the known keys, drop empty ones, clip."""
    if not isinstance(raw, list):
        raise bad_request("can't parse entities: entities must be an Array")
    total = utf16_len(text)
    cleaned: list[dict[str, Any]] = []
    for item in raw:
        if not isinstance(item, dict) or item.get("type") not in _KNOWN_TYPES:
            raise bad_request("can't parse entities: unsupported entity type")
        try:
            offset, length = int(item["offset"]), int(item["length"])
        except (KeyError, TypeError, ValueError) as exc:
            raise bad_request(
                "can't parse entities: entity offset and length are required"
            ) from exc
        if offset < 0 or length <= 0 or offset >= total:
            continue
        entity = {key: item[key] for key in _ENTITY_KEYS if key in item}
        entity["offset"], entity["length"] = offset, min(length, total - offset)
        if entity["type"] == "text_link":
            url = check_url(str(item.get("url", "")))
            if url is None:
                continue
            entity["url"] = url
        cleaned.append(entity)
    return cleaned


def trim(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Telegram strips leading and trailing whitespace and moves the entities along."""
    stripped = text.strip(_TRIM)
    if len(stripped) == len(text):
        return text, entities
    if not entities:
        return stripped, entities
    shift = utf16_len(text[: len(text) - len(text.lstrip(_TRIM))])
    total = utf16_len(stripped)
    kept: list[dict[str, Any]] = []
    for entity in entities:
        start = max(0, entity["offset"] - shift)
        end = min(total, entity["offset"] + entity["length"] - shift)
        if end > start:
            kept.append({**entity, "offset": start, "length": end - start})
    return stripped, kept


def drop_nested_in_code(entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Nothing can be formatted inside code or pre."""
    spans = [(e["offset"], e["offset"] + e["length"], id(e)) for e in entities
             if e["type"] in _CODE_TYPES]
    if not spans:
        return entities
    return [
        e for e in entities
        if not any(start <= e["offset"] and e["offset"] + e["length"] <= end and id(e) != ident
                   for start, end, ident in spans)
    ]


def auto_entities(text: str) -> list[dict[str, Any]]:
    """url, email, mention, hashtag and bot_command entities, as Telegram adds them."""
    if not any(marker in text for marker in ("/", "@", "#", ".")):
        return []
    found: list[tuple[int, int, str]] = []
    taken: list[tuple[int, int]] = []

    def claim(start: int, end: int, kind: str) -> None:
        if end > start and all(end <= a or start >= b for a, b in taken):
            taken.append((start, end))
            found.append((start, end, kind))

    for match in _EMAIL.finditer(text):
        claim(match.start(), match.end(), "email")
    for match in _URL.finditer(text):
        if match.group("scheme") is None and match.group("tld").lower() not in _COMMON_TLDS:
            continue
        end = match.end()
        while end > match.start() and text[end - 1] in _TRAILING_PUNCT:
            end -= 1
        claim(match.start(), end, "url")
    for match in _MENTION.finditer(text):
        claim(match.start(), match.end(), "mention")
    for match in _HASHTAG.finditer(text):
        if not match.group()[1:].isdigit():
            claim(match.start(), match.end(), "hashtag")
    for match in _COMMAND.finditer(text):
        claim(match.start(), match.end(), "bot_command")
    ascii_only = text.isascii()
    entities = []
    for start, end, kind in found:
        offset = start if ascii_only else utf16_len(text[:start])
        length = end - start if ascii_only else utf16_len(text[start:end])
        entities.append({"type": kind, "offset": offset, "length": length})
    return entities


def merge_auto(text: str, entities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    auto = auto_entities(text)
    if not auto:
        return entities
    blocked = [(e["offset"], e["offset"] + e["length"]) for e in entities
               if e["type"] in _EXCLUSIVE_TYPES or e["type"] in ("url", "email")]
    for entity in auto:
        start, end = entity["offset"], entity["offset"] + entity["length"]
        if all(end <= a or start >= b for a, b in blocked):
            entities.append(entity)
    return entities
