"""Which areas /forget erases, in which order, and how /privacy counts each of them (the
same list, so the two cannot drift); part of the composition root (bot/app.py).

The person's queued reminders go first (so the reply can count them: giving the places back
would otherwise re-plan them away uncounted); then the places are given back, which stores
the promotions they cause and the notices owed. The name goes last (PrivacyService.forget),
after everything that may still look the person up.
"""

from __future__ import annotations

from functools import partial

from services.container import Services
from services.privacy import Eraser, Kept
from services.trainings.erasure import drop_queued, give_back_places
from storage.repositories.console import ConsoleRepository
from storage.repositories.console_forms import ConsoleFormRepository
from storage.repositories.hotline_picks import PendingPickRepository
from storage.repositories.idea_erasure import IdeaErasureRepository
from storage.repositories.outbox import OutboxRepository
from storage.repositories.privacy_counts import PrivacyCounts
from storage.repositories.send_failures import SendFailureRepository
from storage.repositories.users import UserRepository


def register_erasers(services: Services) -> None:
    database = services.database
    console = ConsoleRepository(database)
    forms = ConsoleFormRepository(database)
    idea_votes = IdeaErasureRepository(database)

    async def console_access(telegram_id: int) -> int:
        # Form tokens (the /forget confirmation among them) are not counted: they are
        # plumbing, not something the person would recognise.
        await forms.erase_person(telegram_id)
        return await console.erase_person(telegram_id)

    counts = PrivacyCounts(database)
    failures = SendFailureRepository(database)

    async def training_places(telegram_id: int) -> int:
        # What give_back_places gives back: places and waitlist places on courses not over.
        return len(await services.trainings.my_courses(telegram_id))

    services.privacy.erasers += [
        Eraser("training_queue", partial(drop_queued, services.trainings),
               counts.training_queue),
        Eraser("training_places", partial(give_back_places, services.trainings),
               training_places),
        Eraser("outbox", OutboxRepository(database).cancel_for_chat, counts.outbox),
        Eraser("subscriptions", services.subscriptions.forget_subscriber, counts.subscriptions),
        Eraser("draft", services.dialogs.discard, counts.draft),
        Eraser("profile", UserRepository(database).erase_profile, counts.profile),
        Eraser("console", console_access, counts.console),
        Eraser("ideas", services.ideas.erase_author_details, counts.ideas),
        Eraser("idea_supports", idea_votes.erase_supports, counts.idea_supports),
        Eraser("idea_reports", idea_votes.erase_reports, counts.idea_reports),
        # Before the hotline's own eraser: a proposal is found through the case's asker.
        Eraser("kb_proposals", services.kb.repository.erase_proposals_of,
               services.kb.repository.count_proposals_of),
        Eraser("hotline_messages", services.hotline.cases.anonymise_asker,
               counts.hotline_messages),
        # Messages still waiting for "which case?" count as hotline messages in the reply.
        Eraser("hotline_messages", PendingPickRepository(database).erase_user,
               counts.pending_picks),
        # Messages that could not be delivered to the person count as their messages.
        Eraser("messages", failures.erase_person, failures.count_for),
    ]
    services.privacy.kept += [
        Kept("hotline_cases", counts.hotline_cases),
        Kept("training_history", counts.training_history),
    ]
