"""Which areas /forget erases, in which order: part of the composition root (bot/app.py).

The person's queued reminders go first (so the reply can count them: giving the places back
would otherwise re-plan them away uncounted); then the places are given back, which stores
the promotions they cause and the notices owed. The name goes last (PrivacyService.forget),
after everything that may still look the person up.
"""

from __future__ import annotations

from functools import partial

from services.container import Services
from services.privacy import Eraser
from services.trainings.erasure import drop_queued, give_back_places
from storage.repositories.console import ConsoleRepository
from storage.repositories.console_forms import ConsoleFormRepository
from storage.repositories.hotline_picks import PendingPickRepository
from storage.repositories.idea_erasure import IdeaErasureRepository
from storage.repositories.outbox import OutboxRepository
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

    services.privacy.erasers += [
        Eraser("training_queue", partial(drop_queued, services.trainings)),
        Eraser("training_places", partial(give_back_places, services.trainings)),
        Eraser("outbox", OutboxRepository(database).cancel_for_chat),
        Eraser("subscriptions", services.subscriptions.forget_subscriber),
        Eraser("draft", services.dialogs.discard),
        Eraser("profile", UserRepository(database).erase_profile),
        Eraser("console", console_access),
        Eraser("ideas", services.ideas.erase_author_details),
        Eraser("idea_supports", idea_votes.erase_supports),
        Eraser("idea_reports", idea_votes.erase_reports),
        # Before the hotline's own eraser: a proposal is found through the case's asker.
        Eraser("kb_proposals", services.kb.repository.erase_proposals_of),
        Eraser("hotline_messages", services.hotline.cases.repository.anonymise_asker),
        # Messages still waiting for "which case?" count as hotline messages in the reply.
        Eraser("hotline_messages", PendingPickRepository(database).erase_user),
    ]
