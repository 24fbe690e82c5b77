"""Short labels for buttons: cut on a word (or, in Chinese, a character) with an ellipsis.

textwrap.shorten cuts only at spaces, so a Chinese title (no spaces) would shrink to the
ellipsis alone; and Telegram shows a button in the width of its characters, where a Chinese
character takes about two Latin ones. Hence this small measure of our own.
"""

from __future__ import annotations

import unicodedata

ELLIPSIS = "…"
# Cutting back to the last space is worth it only when it keeps most of the label.
_WORD_BACKOFF = 0.6


def display_width(text: str) -> int:
    """Columns the text takes: wide (CJK) characters count two."""
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


def shorten_label(text: str, width: int) -> str:
    """The text whole when it fits in `width` columns, else cut with "…" on a word boundary
    (where the text has spaces) or between characters, never mid-word."""
    text = " ".join(text.split())
    if display_width(text) <= width:
        return text
    budget = width - display_width(ELLIPSIS)
    kept, used = [], 0
    for char in text:
        used += display_width(char)
        if used > budget:
            break
        kept.append(char)
    cut = "".join(kept)
    next_char = text[len(cut)]
    if not next_char.isspace() and " " in cut and _is_latin_word(cut[-1]):
        before_space = cut.rsplit(" ", 1)[0]
        if display_width(before_space) >= budget * _WORD_BACKOFF:
            cut = before_space
    return cut.rstrip(" ,.;:-—、，。；：") + ELLIPSIS


def _is_latin_word(char: str) -> bool:
    # A letter or digit of a spaced script; CJK characters may be cut between any two.
    return char.isalnum() and display_width(char) == 1
