"""The services the handlers, the console, the scheduler and the CLI use, one field per
feature, built once, complete, by the composition root (bot/app.py, bot/assembly.py)."""

from __future__ import annotations

from dataclasses import dataclass

from services.announcements.broadcasts import AnnouncementService
from services.announcements.subscriptions import SubscriptionService
from services.audit import AuditLog
from services.console_access import ConsoleAccess
from services.console_files import ConsoleFiles
from services.console_forms import FormTokens
from services.conversation_log import ConversationLog
from services.dashboard import DashboardService
from services.delivery.engine import DeliveryEngine
from services.dialogs import DialogService
from services.hotline import HotlineServices
from services.ideas import IdeaService
from services.kb.service import KnowledgeBase
from services.people import PeopleService
from services.places import PlacesService
from services.privacy import PrivacyService
from services.profiles import ProfileService
from services.send_failures import SendFailureLog
from services.texts import Texts
from services.trainings.reminders import ReminderDispatcher
from services.trainings.service import TrainingService
from storage.db import Database


@dataclass(slots=True)
class Services:
    database: Database
    texts: Texts
    people: PeopleService
    places: PlacesService
    profiles: ProfileService
    dialogs: DialogService
    conversation_log: ConversationLog
    privacy: PrivacyService
    hotline: HotlineServices
    ideas: IdeaService
    kb: KnowledgeBase
    console: ConsoleAccess
    audit: AuditLog
    dashboard: DashboardService
    delivery: DeliveryEngine
    subscriptions: SubscriptionService
    announcements: AnnouncementService
    trainings: TrainingService
    training_reminders: ReminderDispatcher
    # The console's one-time form tokens (the /forget confirmation uses them too).
    form_tokens: FormTokens
    # Files people sent the bot, fetched through it when a console page shows them.
    files: ConsoleFiles
    send_failures: SendFailureLog
    default_locale: str
    timezone: str
    retention_days: int
