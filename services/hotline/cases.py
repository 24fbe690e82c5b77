"""A consultation from question to rating: submitting, offering, claiming, closing, reopening.

Routing goes in steps, each with a deadline kept in the case row (so a restart loses
nothing): level 0 the experts on duty for the category; level 1 the category's other
experts (the backups); level 2 the staff group (a topic with the same Claim button) or, with
no staff group, the admins. The asker is told at each step what is happening.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from services.hotline.experts import ExpertService
from services.hotline.messenger import CaseCard, CaseMessenger
from services.hotline.roster import RosterService
from services.people import PeopleService
from services.profiles import ProfileService
from storage.models import Case, CaseMessage, CaseStatus, Role, utcnow
from storage.repositories.hotline_cases import CaseRepository

log = logging.getLogger(__name__)

ON_DUTY, BACKUPS, STAFF = 0, 1, 2
REOPEN_WINDOW = timedelta(hours=48)
QUESTION_PREVIEW = 800
MAX_QUESTION_PARTS = 10
STAFF_ROLES = {Role.STAFF.value, Role.ADMIN.value}
BLOCKS_CACHE_SECONDS = 30.0


@dataclass(frozen=True, slots=True)
class QuestionPart:
    """One message of the question, as the asker sent it (copied to the expert on claim)."""

    chat_id: int
    message_id: int
    kind: str
    text: str | None
    media_ref: str | None


@dataclass(frozen=True, slots=True)
class ClaimOutcome:
    result: str  # won, taken, refused, stale
    case: Case | None = None
    reason: str = ""


class CaseService:
    def __init__(self, cases: CaseRepository, experts: ExpertService, roster: RosterService,
                 people: PeopleService, profiles: ProfileService, *, claim_timeout: timedelta,
                 staff_chat_id: int | None, max_open_cases: int) -> None:
        self.repository = cases
        self._experts = experts
        self._roster = roster
        self._people = people
        self._profiles = profiles
        self.claim_timeout = claim_timeout
        self.staff_chat_id = staff_chat_id
        self.max_open_cases = max_open_cases
        self._messenger: CaseMessenger | None = None
        self._blocked: set[int] = set()
        self._blocked_at = -BLOCKS_CACHE_SECONDS

    def attach(self, messenger: CaseMessenger) -> None:
        """The handlers layer plugs in the Telegram side once the bot exists."""
        self._messenger = messenger

    @property
    def messenger(self) -> CaseMessenger:
        assert self._messenger is not None, "handlers.hotline attaches the messenger"
        return self._messenger

    # ------------------------------------------------------------------ cards and aliases

    async def card(self, case: Case) -> CaseCard:
        category = await self._experts.category(case.category)
        parts = [m for m in await self.repository.messages(case.id) if m.sender_role == "asker"]
        question = "\n".join(m.text for m in parts[:MAX_QUESTION_PARTS] if m.text)
        attachments = sum(1 for m in parts[:MAX_QUESTION_PARTS] if m.media_ref)
        alias_zh, alias_en = await self.aliases(case.expert_id)
        profile = await self._profiles.get(case.asker_id)
        organisation = f"{profile.organisation}, {profile.community}" if profile else ""
        return CaseCard(case.id, case.number, category.name_zh if category else case.category,
                        category.name_en if category else case.category,
                        question[:QUESTION_PREVIEW], attachments, alias_zh, alias_en,
                        organisation)

    async def aliases(self, expert_id: int | None) -> tuple[str, str]:
        if expert_id is None:
            return "", ""
        expert = await self._experts.get(expert_id)
        if expert is not None:
            return expert.alias_zh, expert.alias_en
        return self._experts.staff_aliases()

    # ------------------------------------------------------------------ asking

    async def is_blocked(self, telegram_id: int) -> bool:
        """Read through a short cache: checked on every relayed message, changed rarely (by
        the CLI, another process), so a block takes effect within BLOCKS_CACHE_SECONDS."""
        now = time.monotonic()
        if now - self._blocked_at > BLOCKS_CACHE_SECONDS:
            self._blocked = await self.repository.blocked_ids()
            self._blocked_at = now
        return telegram_id in self._blocked

    async def can_open_another(self, asker_id: int) -> bool:
        return len(await self.repository.active_of_asker(asker_id)) < self.max_open_cases

    async def submit(self, asker_id: int, category: str, parts: list[QuestionPart]) -> Case:
        """Opens the case, keeps the question, and offers it to whoever should see it first."""
        now = utcnow()
        case = await self.repository.create(asker_id, category, None, ON_DUTY)
        for part in parts[:MAX_QUESTION_PARTS]:
            await self.repository.add_message(CaseMessage(
                case_id=case.id, sender_role="asker", sender_id=asker_id,
                source_chat_id=part.chat_id, source_message_id=part.message_id, kind=part.kind,
                text=part.text, media_ref=part.media_ref, delivery="held"))
        card = await self.card(case)
        await self._open_staff_topic(case, card)
        on_duty = [e for e in await self._roster.on_duty(category, now) if e != asker_id]
        if on_duty:
            await self.repository.escalate(case.id, ON_DUTY, ON_DUTY, now + self.claim_timeout)
            sent = await self._offer(case, card, on_duty, ON_DUTY)
            if sent:
                await self.messenger.notify(
                    asker_id, "hotline.case.offered", number=case.number, count=sent,
                    category=card_category(card, await self._locale(asker_id)))
                return case
        else:
            await self._tell_off_hours(case, card, now)
        await self._escalate(case, ON_DUTY, card)
        return case

    async def _tell_off_hours(self, case: Case, card: CaseCard, now: datetime) -> None:
        locale = await self._locale(case.asker_id)
        begins = await self._roster.next_shift_start(case.category, now)
        if begins is None:
            await self.messenger.notify(case.asker_id, "hotline.case.nobody_on_duty",
                                        number=case.number)
            return
        await self.messenger.notify(case.asker_id, "hotline.case.off_hours", number=case.number,
                                    category=card_category(card, locale),
                                    next_shift=begins.strftime("%Y-%m-%d %H:%M"))

    async def _offer(self, case: Case, card: CaseCard, experts: list[int], level: int) -> int:
        sent = 0
        for expert_id in experts:
            delivery = await self.messenger.send_card(expert_id, "offer", card)
            if delivery.message_id is not None:
                await self.repository.add_offer(case.id, expert_id, expert_id,
                                                delivery.message_id, level)
                sent += 1
            else:
                log.warning("offer of case %s to expert %s failed: %s", case.number, expert_id,
                            delivery.failure)
        return sent

    # ------------------------------------------------------------------ escalation

    async def escalate_due(self, now: datetime | None = None) -> int:
        """Moves every case whose claim deadline passed one step up; returns how many."""
        moved = 0
        for case in await self.repository.due(now or utcnow()):
            card = await self.card(case)
            if await self._escalate(case, case.escalation_level, card):
                moved += 1
        return moved

    async def _escalate(self, case: Case, level: int, card: CaseCard) -> bool:
        """One step up from `level`; the conditional UPDATE makes a racing checker a no-op."""
        if level == ON_DUTY:
            already = {o.expert_id for o in await self.repository.offers(case.id)}
            already |= await self._roster.on_leave(utcnow())
            backups = [e.telegram_id for e in await self._experts.of_category(case.category)
                       if not e.stepped_off and e.telegram_id not in already
                       and e.telegram_id != case.asker_id]
            if backups:
                if not await self.repository.escalate(case.id, level, BACKUPS,
                                                      utcnow() + self.claim_timeout):
                    return False
                sent = await self._offer(case, card, backups, BACKUPS)
                if sent:
                    await self.messenger.notify(case.asker_id, "hotline.case.to_backups",
                                                number=case.number)
                    return True
                level = BACKUPS
        if not await self.repository.escalate(case.id, level, STAFF, None):
            return False
        await self._offer_to_staff(case, card)
        return True

    async def _offer_to_staff(self, case: Case, card: CaseCard) -> None:
        if self.staff_chat_id is not None:
            thread_id = await self._open_staff_topic(case, card)
            delivery = await self.messenger.send_card(self.staff_chat_id, "staff_offer", card,
                                                      thread_id=thread_id)
            if delivery.message_id is not None:
                await self.repository.add_offer(case.id, None, self.staff_chat_id,
                                                delivery.message_id, STAFF)
                await self.messenger.notify(case.asker_id, "hotline.case.to_staff",
                                            number=case.number)
                return
        admins = [p.telegram_id for p in await self._people.list_people(Role.ADMIN)
                  if p.telegram_id != case.asker_id]
        if await self._offer(case, card, admins, STAFF):
            await self.messenger.notify(case.asker_id, "hotline.case.to_staff",
                                        number=case.number)
            return
        log.error("case %s: no expert, no staff group and no admin could be reached",
                  case.number)
        await self.messenger.notify(case.asker_id, "hotline.case.nobody_reachable",
                                    number=case.number)

    async def _open_staff_topic(self, case: Case, card: CaseCard) -> int | None:
        """The case's topic in the staff group, made once; it mirrors the conversation."""
        if self.staff_chat_id is None:
            return None
        current = await self.repository.get(case.id)
        if current is not None and current.staff_thread_id is not None:
            return current.staff_thread_id
        thread_id = await self.messenger.create_topic(
            self.staff_chat_id, f"{case.number} · {card.category_zh}")
        if thread_id is None:
            return None
        await self.repository.set_fields(case.id, staff_thread_id=thread_id)
        case.staff_thread_id = thread_id
        await self.messenger.send_card(self.staff_chat_id, "staff_topic", card,
                                       thread_id=thread_id)
        for held in await self.repository.held(case.id):
            mirror = await self.messenger.copy(self.staff_chat_id, held.source_chat_id,
                                               held.source_message_id, thread_id=thread_id)
            await self.repository.update_message(held.id, mirror_message_id=mirror.message_id)
        return thread_id

    # ------------------------------------------------------------------ claiming

    async def claim(self, case_id: int, presser_id: int, roles: frozenset[str],
                    in_staff_chat: bool) -> ClaimOutcome:
        """First claim wins; the presser must have been offered the case (or be staff in the
        staff group); anyone else is refused, whatever the button they pressed."""
        case = await self.repository.get(case_id)
        if case is None:
            return ClaimOutcome("stale", reason="no such case")
        offers = await self.repository.offers(case_id)
        offered_to = {o.expert_id for o in offers if o.expert_id is not None}
        staff_offer = any(o.expert_id is None for o in offers)
        expert = await self._experts.get(presser_id)
        # The category's experts are the audience of levels 0 and 1 (on duty, then backups);
        # checking the category rather than only the offer rows also lets an expert press
        # Claim before the offer's row is written, while the offers are still going out.
        allowed = (presser_id in offered_to
                   or (expert is not None and case.category in expert.categories)
                   or (in_staff_chat and staff_offer and bool(STAFF_ROLES & roles)))
        if presser_id == case.asker_id or not allowed:
            reason = ("not an expert" if expert is None else
                      f"expert of {','.join(expert.categories)}, case is {case.category}")
            return ClaimOutcome("refused", case, reason)
        if case.status != CaseStatus.OFFERED or not await self.repository.claim(case_id,
                                                                                presser_id):
            return ClaimOutcome("taken", await self.repository.get(case_id))
        claimed = await self.repository.get(case_id)
        assert claimed is not None
        await self._after_claim(claimed, offers)
        after = await self.repository.get(case_id)
        if after is not None and after.status == CaseStatus.OFFERED:
            return ClaimOutcome("unreachable", after)
        return ClaimOutcome("won", claimed)

    async def _after_claim(self, case: Case, offers: list) -> None:
        card = await self.card(case)
        for offer in offers:
            kind = "offer_won" if offer.expert_id == case.expert_id else "offer_taken"
            await self.messenger.edit_card(offer.chat_id, offer.message_id, kind, card)
        await self._start_conversation(case, card)

    async def _start_conversation(self, case: Case, card: CaseCard) -> None:
        """The expert's case card, the question copied under it, and the asker told who."""
        assert case.expert_id is not None
        expert_card = await self.messenger.send_card(case.expert_id, "claimed", card)
        if not expert_card.ok and await self.repository.unclaim(case.id, case.expert_id):
            # Typically staff claiming in the group who never opened a private chat with
            # the bot: the case waits again, and the topic says how to take it.
            log.warning("case %s: claimer %s cannot be written to (%s); claim undone",
                        case.number, case.expert_id, expert_card.failure)
            await self.mirror_note(case, "hotline.staff.start_private_chat")
            return
        asker_card = await self.messenger.send_card(case.asker_id, "claimed_asker", card)
        await self.repository.set_fields(case.id, expert_anchor_id=expert_card.message_id,
                                         asker_anchor_id=asker_card.message_id)
        await self._reset_active_case(case.expert_id)
        for held in await self.repository.held(case.id):
            delivery = await self.messenger.copy(case.expert_id, held.source_chat_id,
                                                 held.source_message_id,
                                                 reply_to=expert_card.message_id)
            await self.repository.update_message(
                held.id, target_chat_id=case.expert_id, target_message_id=delivery.message_id,
                delivery="delivered" if delivery.ok else "failed")

    async def hand_over(self, case: Case, to_user: int) -> bool:
        """Gives an open case to another expert (or to staff taking it over)."""
        previous = case.expert_id
        if previous == to_user or to_user == case.asker_id:
            return False
        if not await self.repository.reassign(case.id, to_user):
            return False
        if previous is not None:
            await self.messenger.notify(previous, "hotline.handed_over.previous",
                                        number=case.number, reply_to=case.expert_anchor_id)
            if await self._experts.active_case(previous) == case.id:
                await self._experts.set_active_case(previous, None)
        moved = await self.repository.get(case.id)
        assert moved is not None
        card = await self.card(moved)
        anchor = await self.messenger.send_card(to_user, "claimed", card)
        await self.repository.set_fields(case.id, expert_anchor_id=anchor.message_id)
        # The new expert reads what was said so far, in order, under their case card.
        for message in await self.repository.messages(case.id):
            if message.version == 0 and message.delivery != "failed":
                await self.messenger.copy(to_user, message.source_chat_id,
                                          message.source_message_id,
                                          reply_to=anchor.message_id)
        await self.messenger.notify(moved.asker_id, "hotline.handed_over.asker",
                                    number=moved.number,
                                    alias=await self._alias_for(moved.asker_id, to_user),
                                    reply_to=moved.asker_anchor_id)
        await self.mirror_note(moved, "hotline.handed_over.staff")
        return True

    async def take_over(self, case_id: int, staff_id: int) -> bool:
        """Staff step in from the case's topic: claim a waiting case, or take an open one."""
        case = await self.repository.get(case_id)
        if case is None or case.status == CaseStatus.CLOSED or staff_id == case.asker_id:
            return False
        if case.status == CaseStatus.OFFERED:
            offers = await self.repository.offers(case_id)
            if not await self.repository.claim(case_id, staff_id):
                return False
            claimed = await self.repository.get(case_id)
            assert claimed is not None
            await self._after_claim(claimed, offers)
            after = await self.repository.get(case_id)
            return after is not None and after.status == CaseStatus.OPEN
        return await self.hand_over(case, staff_id)

    async def reassign(self, case_id: int, expert_id: int) -> bool:
        """Staff give a waiting or open case to a chosen expert of its category."""
        case = await self.repository.get(case_id)
        if case is None or case.status == CaseStatus.CLOSED or expert_id == case.asker_id:
            return False
        if case.status == CaseStatus.OFFERED:
            offers = await self.repository.offers(case_id)
            if not await self.repository.claim(case_id, expert_id):
                return False
            claimed = await self.repository.get(case_id)
            assert claimed is not None
            await self._after_claim(claimed, offers)
            return True
        return await self.hand_over(case, expert_id)

    async def _reset_active_case(self, expert_id: int) -> None:
        """With a new case the expert's choice is void: a message that is not a reply must
        not slip into whichever case happened to be active, so the bot will ask again."""
        await self._experts.set_active_case(expert_id, None)

    async def _alias_for(self, reader_id: int, expert_id: int) -> str:
        alias_zh, alias_en = await self.aliases(expert_id)
        return alias_en if await self._locale(reader_id) == "en" else alias_zh

    # ------------------------------------------------------------------ ending

    async def close(self, case: Case, by: str) -> bool:
        """Closes (by the expert or by the asker's /end) and asks the asker for a rating."""
        if not await self.repository.close(case.id, by):
            return False
        closed = await self.repository.get(case.id)
        assert closed is not None
        card = await self.card(closed)
        await self.messenger.send_card(closed.asker_id, "closed_asker", card)
        if closed.expert_id is not None:
            if by == "asker":
                await self.messenger.notify(closed.expert_id, "hotline.closed.by_asker",
                                            number=closed.number,
                                            reply_to=closed.expert_anchor_id)
            if await self._experts.active_case(closed.expert_id) == closed.id:
                await self._experts.set_active_case(closed.expert_id, None)
        await self.mirror_note(closed, "hotline.closed.staff")
        return True

    async def reopen(self, case_id: int, asker_id: int) -> Case | None:
        case = await self.repository.get(case_id)
        if case is None or case.asker_id != asker_id:
            return None
        if not await self.repository.reopen(case_id, utcnow() - REOPEN_WINDOW):
            return None
        reopened = await self.repository.get(case_id)
        assert reopened is not None and reopened.expert_id is not None
        await self.messenger.notify(reopened.expert_id, "hotline.reopened.expert",
                                    number=reopened.number, reply_to=reopened.expert_anchor_id)
        await self._reset_active_case(reopened.expert_id)
        await self.mirror_note(reopened, "hotline.reopened.staff")
        return reopened

    async def rate(self, case_id: int, asker_id: int, stars: int) -> bool:
        if not 1 <= stars <= 5:
            return False
        return await self.repository.rate(case_id, asker_id, stars)

    async def transfer(self, case: Case, expert_id: int, category: str) -> bool:
        """Back to the queue in another category; the asker and the staff topic are told."""
        if category == case.category or await self._experts.category(category) is None:
            return False
        if not await self.repository.transfer(case.id, expert_id, category, None):
            return False
        if await self._experts.active_case(expert_id) == case.id:
            await self._experts.set_active_case(expert_id, None)
        moved = await self.repository.get(case.id)
        assert moved is not None
        card = await self.card(moved)
        await self.messenger.notify(moved.asker_id, "hotline.transfer.asker",
                                    number=moved.number,
                                    category=card_category(card, await self._locale(
                                        moved.asker_id)))
        await self.mirror_note(moved, "hotline.transfer.staff")
        await self.offer_in_category(moved, card, skip=(expert_id, moved.asker_id))
        return True

    async def offer_in_category(self, case: Case, card: CaseCard, skip: tuple[int, ...]) -> None:
        """Offers a case that starts over in its category's queue (after a
        transfer, by its expert or by staff) to the experts on duty, else one step up."""
        now = utcnow()
        on_duty = [e for e in await self._roster.on_duty(case.category, now) if e not in skip]
        if on_duty:
            await self.repository.escalate(case.id, ON_DUTY, ON_DUTY, now + self.claim_timeout)
            if await self._offer(case, card, on_duty, ON_DUTY):
                return
        await self._escalate(case, ON_DUTY, card)

    async def mirror_note(self, case: Case, key: str) -> None:
        if self.staff_chat_id is not None and case.staff_thread_id is not None:
            await self.messenger.notify(self.staff_chat_id, key, number=case.number,
                                        thread_id=case.staff_thread_id)

    async def _locale(self, telegram_id: int) -> str:
        person = await self._people.get(telegram_id)
        return person.locale if person is not None else "zh_CN"


def card_category(card: CaseCard, locale: str) -> str:
    return card.category_en if locale == "en" else card.category_zh
