"""When an offer goes to others, as the expert reads it on the offer (issue 15 item 7)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from storage.models import utcnow
from storage.timestamps import as_utc


def deadline_text(deadline: datetime, zone: ZoneInfo, now: datetime | None = None) -> str:
    """"14:05" today, else "2026-12-07 09:05": in the hotline's time zone, where experts
    work (24-hour digits read the same in Chinese and English)."""
    local = as_utc(deadline).astimezone(zone)
    today = as_utc(now or utcnow()).astimezone(zone).date()
    return local.strftime("%H:%M" if local.date() == today else "%Y-%m-%d %H:%M")
