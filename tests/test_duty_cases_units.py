"""The offer's deadline as an expert reads it: the time today, the date too on another day,
always in the hotline's time zone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from services.hotline.offer_deadline import deadline_text

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_a_deadline_today_is_its_time_and_another_day_adds_the_date() -> None:
    now = datetime(2026, 6, 10, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai
    assert deadline_text(datetime(2026, 6, 10, 4, 10, tzinfo=UTC), SHANGHAI, now) == "12:10"
    # 16:30 UTC is 00:30 the next day in Shanghai.
    assert deadline_text(datetime(2026, 6, 10, 16, 30, tzinfo=UTC), SHANGHAI,
                         now) == "2026-06-11 00:30"
    # SQLite hands the stored time back without its zone: it is UTC.
    assert deadline_text(datetime(2026, 6, 10, 4, 10), SHANGHAI, now) == "12:10"
