"""What the hotline services need from Telegram, as a protocol the handlers layer implements.

The services decide who is told what and when; the messenger renders a card or a text in
the recipient's language, sends it (with retries) and reports whether it arrived.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class CaseCard:
    """What any message about a case may show."""

    case_id: int
    number: str
    category_zh: str
    category_en: str
    question: str
    attachments: int
    alias_zh: str = ""
    alias_en: str = ""
    organisation: str = ""
    community: str = ""
    # For the staff group's card: how many experts had the offer, and those it could not
    # reach as (name, failure), so the card says what really happened.
    offered: int = 0
    undelivered: tuple[tuple[str, str], ...] = ()
    suggested: tuple[str, ...] = ()  # knowledge-base questions the asker found not enough
    # An expert's offer: when it goes to others if not claimed (issue 15 item 7).
    offer_until: str = ""
    # The latest handoff note (services/hotline/handoffs.py), read first by the next expert:
    # its summary, or why there is none (a catalogue key of a ready reason, or free words).
    handoff: str = ""
    handoff_skip_key: str = ""
    handoff_skip: str = ""


# Failures that sending again will not mend: the person blocked the bot or never opened a
# chat with it, or Telegram refuses the message. Anything else (network, 5xx, rate limits
# past the gateway's tries) is worth another try later.
FINAL_FAILURES = frozenset({"blocked", "rejected"})


@dataclass(frozen=True, slots=True)
class Delivery:
    """The result of a send: the new message's id, or why it finally failed."""

    message_id: int | None
    failure: str | None = None  # "blocked", "rate_limited", "network", "rejected"
    media_ref: str | None = None  # the file_id of a file posted (post_file)

    @property
    def ok(self) -> bool:
        return self.message_id is not None

    @property
    def final(self) -> bool:
        """It did not arrive, and sending it again would not help."""
        return self.failure in FINAL_FAILURES


class CaseMessenger(Protocol):
    async def send_card(self, chat_id: int, kind: str, card: CaseCard, *,
                        thread_id: int | None = None, reply_to: int | None = None) -> Delivery:
        """Sends a case card (offer, claimed, closed, ...) with its buttons."""

    async def edit_card(self, chat_id: int, message_id: int, kind: str, card: CaseCard) -> None:
        """Rewrites an earlier card (an offer becomes "taken"); failures are only logged."""

    async def drop_buttons(self, chat_id: int, message_id: int) -> None:
        """Takes the buttons off a message whose step is done; failures are only logged."""

    async def notify(self, chat_id: int, key: str, *, thread_id: int | None = None,
                     reply_to: int | None = None, **values: object) -> Delivery:
        """Sends one catalogue text in the recipient's language."""

    async def copy(self, to_chat: int, from_chat: int, message_id: int, *,
                   reply_to: int | None = None, thread_id: int | None = None) -> Delivery:
        """copyMessage (never a forward: the sender's account stays hidden), with retries."""

    async def edit_copy(self, chat_id: int, message_id: int, text: str | None,
                        caption: str | None) -> bool:
        """Carries an edit over to the copy; False when the copy cannot be edited."""

    async def post_text(self, chat_id: int, text: str, *,
                        reply_to: int | None = None) -> Delivery:
        """Sends words a person wrote elsewhere (the console) as plain text, never markup."""

    async def post_file(self, chat_id: int, kind: str, data: bytes, filename: str,
                        caption: str | None, *, reply_to: int | None = None) -> Delivery:
        """Sends a photo or a document uploaded elsewhere (the console), caption as plain
        text; the Delivery carries Telegram's file_id."""

    async def send_rendered(self, chat_id: int, template: str, **data: object) -> Delivery:
        """Sends a whole template (a report) rendered in the recipient's language."""

    async def notify_with_buttons(self, chat_id: int, key: str,
                                  buttons: tuple[tuple[str, str], ...],
                                  **values: object) -> Delivery:
        """One catalogue text with a row of buttons: (label key, callback data) each, the
        labels in the recipient's language (a shift swap's Accept, Withdraw)."""

    async def create_topic(self, chat_id: int, title: str) -> int | None:
        """A forum topic in the staff group; its thread id."""
