"""HTML parse mode: Telegram's HTML subset to text + entities, and entities back to HTML.

The parser follows TDLib's parse_html step by step (including its error wording and UTF-8 byte
offsets), so a bot that gets an entity error here would get the same one from Telegram.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from sandbox.entities import check_url, sort_entities, utf16_len

_SPACES = " \t\r\n\v\f\0"
_SUPPORTED_TAGS = frozenset({
    "a", "b", "strong", "i", "em", "s", "strike", "del", "u", "ins", "tg-spoiler", "span",
    "tg-emoji", "pre", "code", "blockquote", "tg-time",
})
_SIMPLE_TYPES = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline",
    "ins": "underline", "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
    "tg-spoiler": "spoiler", "span": "spoiler",
}
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_HEX = frozenset("0123456789abcdefABCDEF")
_DIGITS = frozenset("0123456789")
_NAME_TOKEN = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-")
_MAX_EMOJI_ID = 2**63

UserResolver = Callable[[int], dict[str, Any] | None]


class EntityParseError(Exception):
    """Becomes "Bad Request: can't parse entities: <message>"."""


def _byte_offset(source: str, index: int) -> int:
    return len(source[:index].encode("utf-8", "surrogatepass"))


def decode_entity(source: str, pos: int) -> tuple[str | None, int]:
    """The character an &...; reference at `pos` stands for, and where the reference ends."""
    n = len(source)
    end = pos + 1
    if end < n and source[end] == "#":
        end += 1
        if end < n and source[end] == "x":
            end += 1
            start = end
            while end < n and source[end] in _HEX:
                end += 1
            code = int(source[start:end], 16) if end > start else 0
        else:
            start = end
            while end < n and source[end] in _DIGITS:
                end += 1
            code = int(source[start:end]) if end > start else 0
        if code == 0 or code >= 0x10FFFF or end - pos >= 10:
            return None, pos
        char = chr(code)
    else:
        start = end
        while end < n and source[end].isascii() and source[end].isalpha():
            end += 1
        char = _NAMED.get(source[start:end])
        if char is None:
            return None, pos
    if end < n and source[end] == ";":
        end += 1
    return char, end


class _Open:
    __slots__ = ("argument", "begin", "chunk_index", "offset", "tag")

    def __init__(self, tag: str, argument: Any, offset: int, chunk_index: int, begin: int):
        self.tag = tag
        self.argument = argument
        self.offset = offset
        self.chunk_index = chunk_index
        self.begin = begin


def parse_html(source: str, resolve_user: UserResolver | None = None) -> tuple[str, list[dict]]:
    chunks: list[str] = []
    entities: list[dict[str, Any]] = []
    stack: list[_Open] = []
    u16 = 0
    n = len(source)
    i = 0

    def at(k: int) -> str:
        return source[k] if k < n else "\0"

    while i < n:
        lt, amp = source.find("<", i), source.find("&", i)
        nxt = min(x for x in (lt, amp, n) if x >= 0)
        if nxt > i:
            chunk = source[i:nxt]
            chunks.append(chunk)
            u16 += utf16_len(chunk)
            i = nxt
            continue
        if source[i] == "&":
            char, end = decode_entity(source, i)
            if char is None:
                char, end = "&", i + 1
            chunks.append(char)
            u16 += 2 if ord(char) > 0xFFFF else 1
            i = end
            continue
        begin = i
        i += 1
        if at(i) != "/":
            i, opened = _read_start_tag(source, begin, i, at)
            opened.offset, opened.chunk_index = u16, len(chunks)
            stack.append(opened)
            continue
        while at(i) not in _SPACES and at(i) != ">":
            i += 1
        if not stack:
            offset = _byte_offset(source, begin)
            raise EntityParseError(f"Unexpected end tag at byte offset {offset}")
        end_name = source[begin + 2 : i].lower()
        while i < n and at(i) in _SPACES:
            i += 1
        if at(i) != ">":
            raise EntityParseError(f"Unclosed end tag at byte offset {_byte_offset(source, begin)}")
        i += 1
        opened = stack.pop()
        if end_name and end_name != opened.tag:
            raise EntityParseError(
                f"Unmatched end tag at byte offset {_byte_offset(source, begin)}, "
                f'expected "</{opened.tag}>", found "</{end_name}>"'
            )
        if u16 > opened.offset:
            _close(opened, u16 - opened.offset, chunks, entities, resolve_user)
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].tag}"')
    text = "".join(chunks)
    if any("\ud800" <= ch <= "\udfff" for ch in text if ch >= "\ud800"):
        raise EntityParseError(
            "Text contains invalid Unicode characters after decoding HTML entities, check for "
            "unmatched surrogate code units"
        )
    for entity in entities:
        if entity["type"] == "code":
            entity.pop("language", None)
    return text, sort_entities(entities)


def _read_start_tag(source: str, begin: int, i: int, at: Callable[[int], str]) -> tuple[int, _Open]:
    while at(i) not in _SPACES and at(i) != ">":
        i += 1
    if i >= len(source):
        raise EntityParseError(f"Unclosed start tag at byte offset {_byte_offset(source, begin)}")
    tag = source[begin + 1 : i].lower()
    if tag not in _SUPPORTED_TAGS:
        raise EntityParseError(
            f'Unsupported start tag "{tag}" at byte offset {_byte_offset(source, begin)}'
        )
    argument: Any = ""
    attributes: dict[str, str] = {}
    n = len(source)

    def unclosed(named: bool) -> EntityParseError:
        name = f' "{tag}"' if named else ""
        offset = _byte_offset(source, begin)
        return EntityParseError(f"Unclosed start tag{name} at byte offset {offset}")

    while True:
        while i < n and source[i] in _SPACES:
            i += 1
        if i >= n:
            raise unclosed(True)
        if source[i] == ">":
            break
        name_start = i
        while at(i) not in _SPACES and at(i) not in "=>":
            i += 1
        name = source[name_start:i].lower()
        if not name:
            raise EntityParseError(
                f'Empty attribute name in the tag "{tag}" at byte offset '
                f"{_byte_offset(source, begin)}"
            )
        while i < n and source[i] in _SPACES:
            i += 1
        if i >= n:
            raise unclosed(True)
        if source[i] != "=":
            if tag == "blockquote" and name == "expandable":
                attributes[name] = ""
                continue
            raise EntityParseError(
                f'Expected equal sign in declaration of an attribute of the tag "{tag}" at byte '
                f"offset {_byte_offset(source, begin)}"
            )
        i += 1
        while i < n and source[i] in _SPACES:
            i += 1
        if i >= n:
            raise unclosed(True)
        i, value = _read_attribute_value(source, i, at)
        if i >= n:
            raise unclosed(False)
        attributes[name] = value
    i += 1
    if tag == "a":
        argument = attributes.get("href", "")
    elif tag == "code":
        cls = attributes.get("class", "")
        argument = cls[len("language-") :] if cls.startswith("language-") else ""
    elif tag == "span":
        if attributes.get("class") != "tg-spoiler":
            raise EntityParseError(
                'Tag "span" must have class "tg-spoiler" at byte offset '
                f"{_byte_offset(source, begin)}"
            )
    elif tag == "tg-emoji":
        argument = attributes.get("emoji-id", "")
    elif tag == "blockquote":
        argument = "expandable" in attributes
    elif tag == "tg-time":
        argument = (attributes.get("unix", ""), attributes.get("format", ""))
    return i, _Open(tag, argument, 0, 0, begin)


def _read_attribute_value(source: str, i: int, at: Callable[[int], str]) -> tuple[int, str]:
    if at(i) not in "'\"":
        start = i
        while at(i) in _NAME_TOKEN:
            i += 1
        if at(i) not in _SPACES and at(i) != ">":
            raise EntityParseError(
                f"Unexpected end of name token at byte offset {_byte_offset(source, start)}"
            )
        return i, source[start:i].lower()
    quote = source[i]
    i += 1
    value: list[str] = []
    n = len(source)
    while i < n and source[i] != quote:
        if source[i] == "&":
            char, end = decode_entity(source, i)
            if char is not None:
                value.append(char)
                i = end
                continue
        value.append(source[i])
        i += 1
    if i < n:
        i += 1
    return i, "".join(value)


def _close(
    opened: _Open,
    length: int,
    chunks: list[str],
    entities: list[dict[str, Any]],
    resolve_user: UserResolver | None,
) -> None:
    offset, tag = opened.offset, opened.tag
    simple = _SIMPLE_TYPES.get(tag)
    if simple is not None:
        entities.append({"type": simple, "offset": offset, "length": length})
    elif tag == "a":
        _close_link(opened, length, chunks, entities, resolve_user)
    elif tag == "blockquote":
        kind = "expandable_blockquote" if opened.argument else "blockquote"
        entities.append({"type": kind, "offset": offset, "length": length})
    elif tag == "tg-emoji":
        emoji_id = opened.argument
        if not emoji_id.isdigit() or not 0 < int(emoji_id) < _MAX_EMOJI_ID:
            raise EntityParseError("Invalid custom emoji identifier specified")
        entities.append(
            {"type": "custom_emoji", "offset": offset, "length": length,
             "custom_emoji_id": emoji_id}
        )
    elif tag == "tg-time":
        unix, fmt = opened.argument
        if unix.isdigit():
            entity = {"type": "date_time", "offset": offset, "length": length,
                      "unix_time": int(unix)}
            if fmt:
                entity["date_time_format"] = fmt
            entities.append(entity)
    elif tag == "pre":
        last = entities[-1] if entities else None
        if (last is not None and last["type"] == "code" and last["offset"] == offset
                and last["length"] == length and last.get("language")):
            last["type"] = "pre"
        else:
            entities.append({"type": "pre", "offset": offset, "length": length})
    else:  # code
        last = entities[-1] if entities else None
        if (last is not None and last["type"] == "pre" and last["offset"] == offset
                and last["length"] == length and opened.argument):
            last["language"] = opened.argument
        else:
            entity = {"type": "code", "offset": offset, "length": length}
            if opened.argument:
                entity["language"] = opened.argument
            entities.append(entity)


def _close_link(
    opened: _Open,
    length: int,
    chunks: list[str],
    entities: list[dict[str, Any]],
    resolve_user: UserResolver | None,
) -> None:
    url = opened.argument or "".join(chunks[opened.chunk_index :])
    if url.startswith("tg://user?id="):
        user_id = url[len("tg://user?id=") :]
        user = resolve_user(int(user_id)) if user_id.isdigit() and resolve_user else None
        if user is not None:
            entities.append(
                {"type": "text_mention", "offset": opened.offset, "length": length, "user": user}
            )
        return
    checked = check_url(url)
    if checked is not None:
        entities.append({"type": "text_link", "offset": opened.offset, "length": length,
                         "url": checked})


# ----------------------------------------------------------------------------- rendering

_SAFE_SCHEMES = ("http://", "https://", "tg://", "mailto:", "ftp://")


def _safe_href(url: str) -> str | None:
    if url.lower().startswith(_SAFE_SCHEMES):
        return html.escape(url, quote=True)
    return None


def _open_tag(entity: dict[str, Any], text: str) -> tuple[str, str]:
    kind = entity["type"]
    simple = {"bold": "b", "italic": "i", "underline": "u", "strikethrough": "s", "code": "code"}
    if kind in simple:
        return f"<{simple[kind]}>", f"</{simple[kind]}>"
    if kind == "spoiler":
        return '<span class="tg-spoiler">', "</span>"
    if kind == "pre":
        language = entity.get("language")
        if language:
            cls = html.escape(f"language-{language}", quote=True)
            return f'<pre><code class="{cls}">', "</code></pre>"
        return "<pre>", "</pre>"
    if kind in ("blockquote", "expandable_blockquote"):
        extra = ' class="expandable"' if kind == "expandable_blockquote" else ""
        return f"<blockquote{extra}>", "</blockquote>"
    href: str | None = None
    if kind == "text_link":
        href = _safe_href(entity.get("url", ""))
    elif kind == "url":
        href = _safe_href(text if "://" in text else f"http://{text}")
    elif kind == "email":
        href = _safe_href(f"mailto:{text}")
    elif kind == "text_mention":
        user_id = int(entity.get("user", {}).get("id", 0))
        return f'<a class="tg-text-mention" data-user-id="{user_id}">', "</a>"
    if href is not None:
        return f'<a href="{href}" target="_blank" rel="noopener noreferrer">', "</a>"
    return f'<span class="tg-{html.escape(kind, quote=True)}">', "</span>"


def _escape(text: str) -> str:
    return html.escape(text, quote=False).replace("\n", "<br>")


def render_html(text: str, entities: list[dict[str, Any]] | None) -> str:
    """Browser-safe HTML for text + entities (overlapping entities are split and reopened)."""
    if not entities:
        return _escape(text)
    data = text.encode("utf-16-le", "surrogatepass")
    total = len(data) // 2

    def piece(start: int, end: int) -> str:
        return data[2 * start : 2 * end].decode("utf-16-le", "replace")

    ordered = sorted(
        (e for e in entities if e.get("length", 0) > 0 and 0 <= e.get("offset", -1) < total),
        key=lambda e: (e["offset"], -e["length"]),
    )
    bounds = sorted({0, total, *(e["offset"] for e in ordered),
                     *(min(total, e["offset"] + e["length"]) for e in ordered)})
    starts: dict[int, list[dict[str, Any]]] = {}
    for entity in ordered:
        starts.setdefault(entity["offset"], []).append(entity)
    out: list[str] = []
    stack: list[tuple[int, str, str]] = []  # (end, open tag, close tag)
    for index, position in enumerate(bounds):
        if any(end <= position for end, _, _ in stack):
            reopen = []
            while any(end <= position for end, _, _ in stack):
                item = stack.pop()
                out.append(item[2])
                if item[0] > position:
                    reopen.append(item)
            for item in reversed(reopen):
                out.append(item[1])
                stack.append(item)
        for entity in starts.get(position, ()):
            end = min(total, entity["offset"] + entity["length"])
            opening, closing = _open_tag(entity, piece(position, end))
            out.append(opening)
            stack.append((end, opening, closing))
        if index + 1 < len(bounds):
            out.append(_escape(piece(position, bounds[index + 1])))
    while stack:
        out.append(stack.pop()[2])
    return "".join(out)
