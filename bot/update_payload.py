"""Checking an update's JSON before it is kept: the shape Telegram sends, bounded nesting,
texts every database can store, ids that fit in 64 bits."""

from __future__ import annotations

import json
from typing import Any

from storage.row_errors import INT64_MAX, INT64_MIN, NUL, storable_text

# Telegram's deepest updates (a reply quoting a message with a keyboard) nest about a dozen
# levels; far deeper JSON is not from Telegram and would only cost recursion further on.
MAX_DEPTH = 40


class MalformedUpdate(ValueError):
    """Not an update at all: the caller is answered 400."""


class UnusableUpdate(ValueError):
    """A well-formed update we cannot act on (an id beyond 64 bits): acknowledged, dropped."""


def parse_update(body: bytes | str) -> tuple[int, dict[str, Any]]:
    """The update_id and the checked JSON object (its texts made storable)."""
    try:
        payload = json.loads(body)
    except RecursionError:
        raise MalformedUpdate("JSON nested too deeply") from None
    except ValueError as exc:
        raise MalformedUpdate(f"invalid JSON ({exc.__class__.__name__})") from None
    if not isinstance(payload, dict):
        raise MalformedUpdate(f"a JSON {type(payload).__name__}, not an object")
    return check_update(payload)


def check_update(payload: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """The same checks for an update that arrived already decoded (long polling)."""
    update_id = payload.get("update_id")
    if not isinstance(update_id, int) or isinstance(update_id, bool):
        raise MalformedUpdate("no integer update_id")
    _check_and_clean(payload)
    return update_id, payload


def _check_and_clean(payload: dict[str, Any]) -> None:
    """One walk over the tree, without recursion: depth, integer range, U+0000 in texts."""
    stack: list[tuple[Any, int]] = [(payload, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise MalformedUpdate(f"JSON nested deeper than {MAX_DEPTH} levels")
        if isinstance(node, dict):
            if any(NUL in key for key in node):
                cleaned = {storable_text(k): v for k, v in node.items()}
                node.clear()
                node.update(cleaned)
            items = node.items()
        else:
            items = enumerate(node)
        for key, value in items:
            if isinstance(value, str):
                if NUL in value:
                    node[key] = storable_text(value)
            elif isinstance(value, bool):
                continue
            elif isinstance(value, int):
                if not INT64_MIN <= value <= INT64_MAX:
                    raise UnusableUpdate(f"{key} {value} does not fit in 64 bits")
            elif isinstance(value, dict | list):
                stack.append((value, depth + 1))


def payload_text(payload: dict[str, Any]) -> str:
    """The JSON kept in the inbox (compact; non-ASCII as is, half the size of escapes)."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
