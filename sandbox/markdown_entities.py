"""MarkdownV2 and legacy Markdown parse modes, after TDLib's parsers (basics: no nested
quotes, no custom emoji), with Telegram's error wording."""

from __future__ import annotations

from typing import Any

from sandbox.entities import check_url, sort_entities, utf16_len
from sandbox.html_entities import EntityParseError, UserResolver

_RESERVED = frozenset("_*[]()~`>#+-=|{}.!")
_TYPE_NAMES = {
    "bold": "Bold", "italic": "Italic", "underline": "Underline", "strikethrough": "Strikethrough",
    "spoiler": "Spoiler", "code": "Code", "pre": "Pre", "text_link": "TextUrl",
}


def _byte_offset(source: str, index: int) -> int:
    return len(source[:index].encode("utf-8", "surrogatepass"))


def _reserved(char: str) -> EntityParseError:
    return EntityParseError(
        f"Character '{char}' is reserved and must be escaped with the preceding '\\'"
    )


def _link_entity(
    url: str, offset: int, length: int, resolve_user: UserResolver | None
) -> dict[str, Any] | None:
    if url.startswith("tg://user?id="):
        user_id = url[len("tg://user?id=") :]
        user = resolve_user(int(user_id)) if user_id.isdigit() and resolve_user else None
        if user is None:
            return None
        return {"type": "text_mention", "offset": offset, "length": length, "user": user}
    checked = check_url(url)
    if checked is None:
        return None
    return {"type": "text_link", "offset": offset, "length": length, "url": checked}


def parse_markdown_v2(
    source: str, resolve_user: UserResolver | None = None
) -> tuple[str, list[dict[str, Any]]]:
    out: list[str] = []
    entities: list[dict[str, Any]] = []
    # open entities: [type, argument, utf16 offset, byte position in source, out index]
    stack: list[list[Any]] = []
    quote_start: int | None = None
    u16 = 0
    n = len(source)
    i = 0

    def at(k: int) -> str:
        return source[k] if k < n else "\0"

    def emit(char: str) -> None:
        nonlocal u16
        out.append(char)
        u16 += 2 if ord(char) > 0xFFFF else 1

    while i < n:
        char = source[i]
        line_start = i == 0 or source[i - 1] == "\n"
        if char == ">" and line_start and not stack:
            if quote_start is None:
                quote_start = u16
            i += 1
            continue
        if char == "\n" and quote_start is not None and at(i + 1) != ">":
            if u16 > quote_start:
                entities.append({"type": "blockquote", "offset": quote_start,
                                 "length": u16 - quote_start})
            quote_start = None
        if char == "\\" and 0 < ord(at(i + 1)) <= 126 and i + 1 < n:
            emit(source[i + 1])
            i += 2
            continue
        in_code = bool(stack) and stack[-1][0] in ("code", "pre")
        if (char != "`" if in_code else char not in _RESERVED):
            emit(char)
            i += 1
            continue
        top = stack[-1][0] if stack else None
        closes = (
            (top == "bold" and char == "*")
            or (top == "italic" and char == "_" and at(i + 1) != "_")
            or (top == "underline" and char == "_" and at(i + 1) == "_")
            or (top == "strikethrough" and char == "~")
            or (top == "spoiler" and char == "|" and at(i + 1) == "|")
            or (top == "code" and char == "`")
            or (top == "pre" and source.startswith("```", i))
            or (top == "text_link" and char == "]")
        )
        if not closes:
            i = _open_v2(source, i, u16, len(out), stack)
            continue
        kind, argument, offset, _, out_index = stack.pop()
        if kind in ("underline", "spoiler"):
            i += 1
        elif kind == "pre":
            i += 2
        i += 1
        if kind == "text_link":
            if at(i) == "(":
                i += 1
                url_start = i
                url: list[str] = []
                while i < n and source[i] != ")":
                    if source[i] == "\\" and 0 < ord(at(i + 1)) <= 126 and i + 1 < n:
                        url.append(source[i + 1])
                        i += 2
                        continue
                    url.append(source[i])
                    i += 1
                if i >= n:
                    raise EntityParseError(
                        f"Can't find end of a URL at byte offset {_byte_offset(source, url_start)}"
                    )
                i += 1
                link = "".join(url)
            else:
                link = "".join(out[out_index:])
            if u16 > offset:
                entity = _link_entity(link, offset, u16 - offset, resolve_user)
                if entity is not None:
                    entities.append(entity)
            continue
        if u16 > offset:
            entity = {"type": kind, "offset": offset, "length": u16 - offset}
            if kind == "pre" and argument:
                entity["language"] = argument
            entities.append(entity)
    if stack:
        kind, _, _, byte_pos, _ = stack[-1]
        raise EntityParseError(
            f"Can't find end of {_TYPE_NAMES[kind]} entity at byte offset {byte_pos}"
        )
    if quote_start is not None and u16 > quote_start:
        entities.append({"type": "blockquote", "offset": quote_start, "length": u16 - quote_start})
    return "".join(out), sort_entities(entities)


def _open_v2(source: str, i: int, u16: int, out_index: int, stack: list[list[Any]]) -> int:
    """Push the entity that starts at source[i]; returns the index after its opening marker."""
    char = source[i]
    byte_pos = _byte_offset(source, i)
    argument = ""
    n = len(source)
    if char == "_":
        if source.startswith("__", i):
            kind, i = "underline", i + 2
        else:
            kind, i = "italic", i + 1
    elif char == "*":
        kind, i = "bold", i + 1
    elif char == "~":
        kind, i = "strikethrough", i + 1
    elif char == "|" and source.startswith("||", i):
        kind, i = "spoiler", i + 2
    elif char == "[":
        kind, i = "text_link", i + 1
    elif char == "`" and source.startswith("```", i):
        kind, i = "pre", i + 3
        end = i
        while end < n and source[end] not in " \t\r\n\v\f`":
            end += 1
        if end > i and end < n and source[end] != "`":
            argument, i = source[i:end], end
        if i < n and source[i] in "\r\n":
            i += 2 if i + 1 < n and source[i + 1] in "\r\n" and source[i] != source[i + 1] else 1
    elif char == "`":
        kind, i = "code", i + 1
    else:
        raise _reserved(char)
    stack.append([kind, argument, u16, byte_pos, out_index])
    return i


def parse_markdown(
    source: str, resolve_user: UserResolver | None = None
) -> tuple[str, list[dict[str, Any]]]:
    """Legacy Markdown: *bold* _italic_ `code` ```pre``` [text](url), '\\' escapes markers."""
    out: list[str] = []
    entities: list[dict[str, Any]] = []
    n = len(source)
    i = 0
    while i < n:
        char = source[i]
        if char == "\\" and i + 1 < n and source[i + 1] in "_*`[":
            out.append(source[i + 1])
            i += 2
            continue
        if char not in "_*`[":
            out.append(char)
            i += 1
            continue
        begin = i
        offset = utf16_len("".join(out))
        if char == "[":
            close = source.find("]", i + 1)
            if close < 0 or not source.startswith("(", close + 1) or source.find(")", close) < 0:
                raise EntityParseError(
                    f"Can't find end of the entity starting at byte offset "
                    f"{_byte_offset(source, begin)}"
                )
            label = source[i + 1 : close]
            url_end = source.find(")", close)
            out.append(label)
            entity = _link_entity(source[close + 2 : url_end], offset, utf16_len(label),
                                  resolve_user)
            if entity is not None and label:
                entities.append(entity)
            i = url_end + 1
            continue
        marker = "```" if source.startswith("```", i) else char
        end = source.find(marker, i + len(marker))
        if end < 0:
            raise EntityParseError(
                "Can't find end of the entity starting at byte offset "
                f"{_byte_offset(source, begin)}"
            )
        inner = source[i + len(marker) : end]
        language = ""
        if marker == "```":
            first_line, sep, rest = inner.partition("\n")
            if sep and first_line and " " not in first_line:
                language, inner = first_line, rest
        out.append(inner)
        if inner:
            kind = {"*": "bold", "_": "italic", "`": "code", "```": "pre"}[marker]
            entity = {"type": kind, "offset": offset, "length": utf16_len(inner)}
            if language:
                entity["language"] = language
            entities.append(entity)
        i = end + len(marker)
    return "".join(out), sort_entities(entities)
