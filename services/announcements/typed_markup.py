"""Telegram HTML from text typed in a browser, and the same filter for showing it there.

In the chat, Telegram turns the staff member's formatting into entities and PTB writes the
HTML; in the web console staff type the body themselves. They may use Telegram's own tags
(<b>, <i>, <u>, <s>, <code>, <pre>, <blockquote>, spoilers, <a href="https://...">); any
other tag, attribute or stray "<" is kept as literal text, so what staff type can never become
markup Telegram refuses, nor script in a browser. Unclosed tags are closed at the end.
"""

from __future__ import annotations

import re
from html import escape
from html.parser import HTMLParser

# Telegram's HTML parse mode, with the synonyms it accepts mapped onto one spelling.
_TAGS = {"b": "b", "strong": "b", "i": "i", "em": "i", "u": "u", "ins": "u", "s": "s",
         "strike": "s", "del": "s", "code": "code", "pre": "pre", "blockquote": "blockquote",
         "tg-spoiler": "tg-spoiler", "a": "a", "span": "tg-spoiler"}
_SAFE_LINK = re.compile(r"^(https?://|tg://)[^\s\"'<>]+$", re.IGNORECASE)


class _Filter(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.open: list[str] = []

    def _literal(self) -> None:
        self.out.append(escape(self.get_starttag_text() or "", quote=False))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        name = _TAGS.get(tag)
        values = dict(attrs)
        if name is None or (tag == "span" and values.get("class") != "tg-spoiler") or \
                self._inside_code(name):
            self._literal()
            return
        if name == "a":
            href = (values.get("href") or "").strip()
            if not _SAFE_LINK.match(href):
                self._literal()
                return
            self.out.append(f'<a href="{escape(href)}">')
        elif name == "blockquote" and "expandable" in values:
            self.out.append("<blockquote expandable>")
        else:
            self.out.append(f"<{name}>")
        self.open.append(name)

    def _inside_code(self, name: str) -> bool:
        """Telegram takes no formatting inside code, but for <pre><code>."""
        if not self.open or self.open[-1] not in ("code", "pre"):
            return False
        return not (name == "code" and self.open[-1] == "pre")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._literal()  # <br/> and the like: Telegram has no empty tags

    def handle_endtag(self, tag: str) -> None:
        name = _TAGS.get(tag)
        if name is None or name not in self.open:
            self.out.append(escape(f"</{tag}>", quote=False))
            return
        # Closing an outer tag closes what is still open inside it (Telegram wants nesting).
        while self.open:
            inner = self.open.pop()
            self.out.append(f"</{inner}>")
            if inner == name:
                return

    def handle_data(self, data: str) -> None:
        self.out.append(escape(data, quote=False))

    def handle_comment(self, data: str) -> None:
        self.out.append(escape(f"<!--{data}-->", quote=False))

    def handle_decl(self, decl: str) -> None:
        self.out.append(escape(f"<!{decl}>", quote=False))

    def handle_pi(self, data: str) -> None:
        self.out.append(escape(f"<?{data}>", quote=False))

    def unknown_decl(self, data: str) -> None:
        self.out.append(escape(f"<![{data}]>", quote=False))

    def result(self) -> str:
        self.close()
        # HTMLParser holds back an unfinished "<..." at the very end: it is text too.
        tail = self.rawdata
        if tail:
            self.out.append(escape(tail, quote=False))
            self.rawdata = ""
        self.out.extend(f"</{name}>" for name in reversed(self.open))
        self.open.clear()
        return "".join(self.out)


def telegram_html(typed: str) -> str:
    """The typed text as Telegram HTML: its Telegram tags kept, everything else literal."""
    parser = _Filter()
    parser.feed(typed.replace("\r\n", "\n"))
    return parser.result()


class _Checker(HTMLParser):
    """Finds the first tag Telegram would not take, as the console's toolbar never makes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.refused: str | None = None

    def _refuse(self) -> None:
        if self.refused is None:
            self.refused = self.get_starttag_text() or ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        spoiler = tag != "span" or values.get("class") == "tg-spoiler"
        link = tag != "a" or _SAFE_LINK.match((values.get("href") or "").strip())
        if tag not in _TAGS or not spoiler or not link:
            self._refuse()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._refuse()

    def handle_endtag(self, tag: str) -> None:
        if tag not in _TAGS and self.refused is None:
            self.refused = f"</{tag}>"


def unsupported_tag(typed: str) -> str | None:
    """The first tag (or link) outside Telegram's HTML subset, as typed; None when all is
    well. A lone "<" in text is no tag and passes (it is escaped when sent)."""
    checker = _Checker()
    checker.feed(typed)
    checker.close()
    return checker.refused
