"""Telegram Desktop's formatting shortcuts, for the chat page's text box.

Desktop turns `**bold**`, `__italic__`, `~~strikethrough~~`, `||spoiler||`, `` `code` ``,
```` ```pre``` ```` and `[text](https://url)` typed in its message box into entities before
sending, and sends the rest as typed; the chat page's box does the same (plus `_italic_`
between word boundaries, so `snake_case` and `/training_new` stay as typed). Inside code
nothing else is read. Markers that do not pair up, or that overlap instead of nesting, stay
text, as a client would leave them.
"""

from __future__ import annotations

import re
from html import escape
from typing import Any

from sandbox.entities import merge_auto, sort_entities
from sandbox.formatting import user_text_entities
from sandbox.html_entities import EntityParseError, parse_html

_CODE = re.compile(r"```(?:\n)?(?P<pre>.+?)\n?```|`(?P<code>[^`\n]+)`", re.DOTALL)
_SPANS = (
    (re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*", re.DOTALL), "b"),
    (re.compile(r"__(?=\S)(.+?)(?<=\S)__", re.DOTALL), "i"),
    (re.compile(r"(?<![\w_])_(?=[^\s_])(.+?)(?<=[^\s_])_(?![\w_])", re.DOTALL), "i"),
    (re.compile(r"~~(?=\S)(.+?)(?<=\S)~~", re.DOTALL), "s"),
    (re.compile(r"\|\|(?=\S)(.+?)(?<=\S)\|\|", re.DOTALL), "tg-spoiler"),
)
_LINK = re.compile(r"\[(?P<label>[^\]\n]+)\]\((?P<url>(?:https?|tg)://[^\s()<>\"]+)\)")
# Stands in for a code span while the other markers are read; private-use, never typed.
_HOLE = "\ue000{}\ue001"
_HOLE_BACK = re.compile("\ue000(\\d+)\ue001")


def _to_html(typed: str) -> str:
    holes: list[str] = []

    def hide(match: re.Match[str]) -> str:
        if match.group("pre") is not None:
            holes.append(f"<pre>{escape(match.group('pre'), quote=False)}</pre>")
        else:
            holes.append(f"<code>{escape(match.group('code'), quote=False)}</code>")
        return _HOLE.format(len(holes) - 1)

    def hide_link(match: re.Match[str]) -> str:
        holes.append(f'<a href="{escape(match.group("url"))}">'
                     f'{escape(match.group("label"), quote=False)}</a>')
        return _HOLE.format(len(holes) - 1)

    html = escape(_LINK.sub(hide_link, _CODE.sub(hide, typed)), quote=False)
    for pattern, tag in _SPANS:
        html = pattern.sub(lambda m, tag=tag: f"<{tag}>{m.group(1)}</{tag}>", html)
    return _HOLE_BACK.sub(lambda m: holes[int(m.group(1))], html)


def parse_shortcuts(typed: str) -> tuple[str, list[dict[str, Any]]]:
    """The text and entities a Desktop client would send for what was typed."""
    if not typed:
        return typed, []
    try:
        text, entities = parse_html(_to_html(typed))
    except EntityParseError:  # overlapping markers: sent as typed
        return typed, user_text_entities(typed)
    if not text:
        return typed, user_text_entities(typed)
    return text, sort_entities(merge_auto(text, entities))
