"""The announcement text of `hotline announce --body-file`, as Telegram HTML.

Three formats, all converted safely (what the file says can never become markup it did not
ask for, nor markup Telegram refuses):

- `markdown` (the default): a small, well-defined subset read by markdown-it-py (CommonMark):
  `**bold**`, `*italic*` or `_italic_`, `` `code` ``, `[text](https://url)`, paragraphs
  separated by a blank line, line breaks kept, `\\*` for a literal star. Nothing else is
  Markdown here: headings, lists, quotes and tags are shown as typed. A link to anything but
  http:// or https:// is refused, naming its line.
- `text`: everything as typed.
- `html`: Telegram's own HTML (<b>, <i>, <u>, <s>, <code>, <pre>, <blockquote>, <tg-spoiler>,
  <a href="https://...">), for text that already is; any other tag is refused, naming its line.
"""

from __future__ import annotations

import re
from html import escape
from html.parser import HTMLParser

from markdown_it import MarkdownIt
from markdown_it.token import Token

from services.announcements.typed_markup import telegram_html

FORMATS = ("markdown", "text", "html")
_WEB_LINK = re.compile(r"^https?://[^\s\"'<>]+$", re.IGNORECASE)
_TELEGRAM_TAGS = frozenset({"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "code",
                            "pre", "blockquote", "tg-spoiler", "a", "span"})
# CommonMark's paragraph, emphasis, code span, link, escape and hard break rules, nothing more.
_MARKDOWN = MarkdownIt("zero").enable(["emphasis", "backticks", "link", "escape", "newline"])
_INLINE_TAGS = {"strong_open": "<b>", "strong_close": "</b>", "em_open": "<i>",
                "em_close": "</i>", "link_close": "</a>"}


class BodyFormatError(ValueError):
    """The file is refused; the message is one sentence naming the line."""


def body_html(source: str, body_format: str) -> str:
    """The file's text as Telegram HTML, or BodyFormatError saying what is wrong where."""
    source = source.replace("\r\n", "\n").strip()
    if body_format == "text":
        return escape(source, quote=False)
    if body_format == "html":
        _check_telegram_html(source)
        return telegram_html(source)
    if body_format == "markdown":
        return _markdown_html(source)
    raise BodyFormatError(f"unknown format {body_format!r}; formats: {', '.join(FORMATS)}")


def _markdown_html(source: str) -> str:
    paragraphs: list[str] = []
    for token in _MARKDOWN.parse(source):
        if token.type == "inline":
            line = (token.map or [0])[0] + 1
            paragraphs.append("".join(_inline(child, line) for child in token.children or []))
    return "\n\n".join(p for p in paragraphs if p)


def _inline(token: Token, line: int) -> str:
    if token.type == "text":
        return escape(token.content, quote=False)
    if token.type == "code_inline":
        return f"<code>{escape(token.content, quote=False)}</code>"
    if token.type in ("softbreak", "hardbreak"):
        return "\n"
    if token.type == "link_open":
        href = str(token.attrGet("href") or "")
        if not _WEB_LINK.match(href):
            raise BodyFormatError(f"line {line}: a link must start with http:// or https:// "
                                  f"(found {href[:60]!r})")
        return f'<a href="{escape(href)}">'
    return _INLINE_TAGS.get(token.type, "")


class _TagCheck(HTMLParser):
    """Finds the first tag Telegram would not take, with its line."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problem: str | None = None

    def _refuse(self, reason: str) -> None:
        if self.problem is None:
            self.problem = f"line {self.getpos()[0]}: {reason}"

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _TELEGRAM_TAGS:
            self._refuse(f"<{tag}> is not one of Telegram's tags (b, i, u, s, code, pre, "
                         "blockquote, tg-spoiler, a)")
        elif tag == "a" and not _WEB_LINK.match(dict(attrs).get("href") or ""):
            self._refuse("a link must start with http:// or https://")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._refuse(f"<{tag}/> is not one of Telegram's tags; use a new line instead")

    def handle_endtag(self, tag: str) -> None:
        if tag not in _TELEGRAM_TAGS:
            self._refuse(f"</{tag}> is not one of Telegram's tags")


def _check_telegram_html(source: str) -> None:
    check = _TagCheck()
    check.feed(source)
    check.close()
    if check.problem is not None:
        raise BodyFormatError(check.problem)
