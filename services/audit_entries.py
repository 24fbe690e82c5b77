"""What the audit log says about an action that several channels take (the bot, the console,
the command line): one action key, target and detail shape, whoever wrote the row."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from services.delivery.protocol import Progress
from storage.models import Case
from storage.repositories.announcements import AnnouncementRecord


@dataclass(frozen=True, slots=True)
class AuditEntryOf:
    action: str
    target: str = ""
    detail: dict[str, Any] = field(default_factory=dict)


def announcement_published(record: AnnouncementRecord, *, scheduled: bool) -> AuditEntryOf:
    """As the console's compose page records it: send now, or schedule for later."""
    return AuditEntryOf(
        "announcements.schedule" if scheduled else "announcements.send",
        f"announcement {record.id}",
        {"title": record.title, "topic": record.topic, "recipients": record.recipients,
         "send_at": record.send_at.isoformat()})


def announcement_cancelled(record: AnnouncementRecord, progress: Progress) -> AuditEntryOf:
    return AuditEntryOf("announcements.cancel", f"announcement {record.id}",
                        {"title": record.title, "sent": progress.sent,
                         "not_sent": progress.cancelled})


def case_changed(action: str, before: Case, after: Case, **extra: Any) -> AuditEntryOf:
    """`cases.<action>` with the case as it was and is now, as the console's case page and
    the audit sentences read it (expert, category, status: [before, after])."""
    return AuditEntryOf(f"cases.{action}", after.number, {
        "expert": [before.expert_id, after.expert_id],
        "category": [before.category, after.category],
        "status": [before.status, after.status], **extra})
