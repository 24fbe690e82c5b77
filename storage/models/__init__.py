"""The tables, one module per area; importing this package registers them all on
SQLModel.metadata (Alembic's env.py relies on that). A new area adds its module here."""

from storage.models.announcements import (
    Announcement,
    AnnouncementTopic,
    OutboxMessage,
    ProjectKind,
    SubscriberPreference,
    Subscription,
)
from storage.models.base import utc_column, utcnow
from storage.models.console import AuditEntry, ConsoleLoginToken, ConsoleSession
from storage.models.console_forms import ConsoleFormToken
from storage.models.conversation import ConversationEntry, Direction
from storage.models.duty_cases import CategoryFallback, OfferDecline
from storage.models.hotline import (
    Case,
    CaseCounter,
    CaseMessage,
    CaseOffer,
    CaseStatus,
    Expert,
    HotlineBlock,
    HotlineCategory,
    PendingPick,
    RosterOverride,
    RosterShift,
)
from storage.models.hotline_handoffs import CaseHandoff
from storage.models.hotline_history import CaseClaim, CaseCopy, CaseRating
from storage.models.ideas import (
    Idea,
    IdeaEvent,
    IdeaReport,
    IdeaReviewPanel,
    IdeaSequence,
    IdeaStaffTopic,
    IdeaStatus,
    IdeaSupport,
)
from storage.models.inbound import InboundUpdate
from storage.models.kb import KbEntry, KbStatus, KbSuggestion, KbSynonym
from storage.models.people import Draft, Role, SocialWorkerProfile, User, UserRole
from storage.models.places import Place
from storage.models.roster_duty import CoverageGapNotice, RosterNotice, ShiftSwap
from storage.models.send_failures import SendFailure
from storage.models.trainings import (
    Absence,
    Attendance,
    Course,
    CourseSession,
    CourseStatus,
    Registration,
    RegistrationStatus,
    ReminderState,
    TrainingNotice,
    TrainingReminder,
)
from storage.models.upkeep import CacheVersion, ScheduledRun
from storage.models.working_calendar import WorkingCalendarDay, WorkingCalendarReminder
from storage.models.workspace import CaseAlert, CaseLogEntry, CaseNote, ChangedCase, Snippet

__all__ = [
    "Absence",
    "Announcement",
    "AnnouncementTopic",
    "Attendance",
    "AuditEntry",
    "CacheVersion",
    "Case",
    "CaseAlert",
    "CaseClaim",
    "CaseCopy",
    "CaseCounter",
    "CaseHandoff",
    "CaseLogEntry",
    "CaseMessage",
    "CaseNote",
    "CaseOffer",
    "CaseRating",
    "CaseStatus",
    "CategoryFallback",
    "ChangedCase",
    "ConsoleFormToken",
    "ConsoleLoginToken",
    "ConsoleSession",
    "ConversationEntry",
    "Course",
    "CourseSession",
    "CourseStatus",
    "CoverageGapNotice",
    "Direction",
    "Draft",
    "Expert",
    "HotlineBlock",
    "HotlineCategory",
    "Idea",
    "IdeaEvent",
    "IdeaReport",
    "IdeaReviewPanel",
    "IdeaSequence",
    "IdeaStaffTopic",
    "IdeaStatus",
    "IdeaSupport",
    "InboundUpdate",
    "KbEntry",
    "KbStatus",
    "KbSuggestion",
    "KbSynonym",
    "OfferDecline",
    "OutboxMessage",
    "PendingPick",
    "Place",
    "ProjectKind",
    "Registration",
    "RegistrationStatus",
    "ReminderState",
    "Role",
    "RosterNotice",
    "RosterOverride",
    "RosterShift",
    "ScheduledRun",
    "SendFailure",
    "ShiftSwap",
    "Snippet",
    "SocialWorkerProfile",
    "SubscriberPreference",
    "Subscription",
    "TrainingNotice",
    "TrainingReminder",
    "User",
    "UserRole",
    "WorkingCalendarDay",
    "WorkingCalendarReminder",
    "utc_column",
    "utcnow",
]
