"""The rules for what staff type while composing: every answer validated and bounded."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from html import unescape
from zoneinfo import ZoneInfo

# Field -> longest accepted length (characters), mirrored by the table's columns.
LIMITS = {"title": 128, "body": 3000, "link": 512, "eligibility": 300, "contact": 100}
# Telegram's own limits on what one message can carry.
TEXT_LIMIT, CAPTION_LIMIT = 4096, 1024
MAX_BUDGET = Decimal("100000")  # 万元: ten times the bureau's yearly total
MAX_SCHEDULE_AHEAD = timedelta(days=90)
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")


# Every reason a ComposeInputError can give (text keys, checked by tests/test_texts.py).
ERROR_KEYS = frozenset({
    "announce.error.empty", "announce.error.too_long", "announce.error.link",
    "announce.error.budget", "announce.error.date", "announce.error.past",
    "announce.error.time", "announce.error.too_far", "announce.error.use_buttons",
    "announce.error.attachment", "announce.error.text_only",
})


class ComposeInputError(ValueError):
    """The answer is refused; `reason` is a text key, `limit` the bound it broke (if any)."""

    def __init__(self, reason: str, limit: object = 0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.limit = limit


def clean_text(field: str, raw: str | None) -> str:
    value = (raw or "").strip()
    if field in ("title", "contact"):
        value = " ".join(value.split())
    if not value:
        raise ComposeInputError("announce.error.empty")
    if len(value) > LIMITS[field]:
        raise ComposeInputError("announce.error.too_long", LIMITS[field])
    return value


def clean_link(raw: str | None) -> str:
    value = (raw or "").strip()
    if not _URL.match(value):
        raise ComposeInputError("announce.error.link")
    if len(value) > LIMITS["link"]:
        raise ComposeInputError("announce.error.too_long", LIMITS["link"])
    return value


def clean_budget(raw: str | None) -> str:
    value = (raw or "").strip().removesuffix("万元").removesuffix("万").strip()
    try:
        amount = Decimal(value.replace(",", ""))
    except InvalidOperation:
        raise ComposeInputError("announce.error.budget") from None
    if not amount.is_finite() or amount <= 0 or amount > MAX_BUDGET or \
            amount != amount.quantize(Decimal("0.01")):
        raise ComposeInputError("announce.error.budget")
    return f"{amount.normalize():f}"


def clean_deadline(raw: str | None, today: date) -> str:
    try:
        deadline = date.fromisoformat((raw or "").strip())
    except ValueError:
        raise ComposeInputError("announce.error.date") from None
    if deadline < today:
        raise ComposeInputError("announce.error.past")
    return deadline.isoformat()


def parse_send_time(raw: str | None, zone: ZoneInfo, now: datetime) -> datetime:
    """"2026-12-01 09:30" in local time, in the future and at most 90 days ahead."""
    try:
        local = datetime.strptime(" ".join((raw or "").split()), "%Y-%m-%d %H:%M")
    except ValueError:
        raise ComposeInputError("announce.error.time") from None
    moment = local.replace(tzinfo=zone)
    if moment <= now:
        raise ComposeInputError("announce.error.past")
    if moment - now > MAX_SCHEDULE_AHEAD:
        raise ComposeInputError("announce.error.too_far", MAX_SCHEDULE_AHEAD.days)
    return moment


def visible_length(html: str) -> int:
    """What Telegram counts against its limits: the text once the markup is parsed."""
    return len(unescape(_TAG.sub("", html)))


def fits_telegram(html: str, *, with_file: bool) -> int | None:
    """None when the rendered message fits one Telegram message; else the limit it breaks."""
    limit = CAPTION_LIMIT if with_file else TEXT_LIMIT
    return None if visible_length(html) <= limit else limit
