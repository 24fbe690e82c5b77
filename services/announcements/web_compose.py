"""An announcement composed on one web form, checked by the rules the chat dialog uses.

The chat asks one question at a time and checks each answer; the web console sends every
answer at once, so every field is checked here and each refusal is kept beside its field.
The result is the same `Draft` the dialog builds, published through the same service.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from html import unescape
from typing import Any
from zoneinfo import ZoneInfo

from services.announcements.broadcasts import DETAIL_FIELDS, Draft
from services.announcements.composing import (
    LIMITS,
    ComposeInputError,
    clean_budget,
    clean_deadline,
    clean_link,
    clean_text,
    parse_send_time,
    visible_length,
)
from services.announcements.typed_markup import telegram_html, unsupported_tag
from storage.repositories.announcements import Kind, Topic

TEXT_FIELDS = ("topic", "title", "body", "link", "kind", "budget", "deadline", "eligibility",
               "contact", "when", "send_at")
CHOICE_FIELDS = ("roles", "streets")
# A value outside the choices the form offered (a forged or stale form): the console's text.
NOT_A_CHOICE = "console.form.not_a_choice"
_TAG = re.compile(r"<[^>]+>")
_LINK = re.compile(r"^https?://\S+$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class FieldError:
    reason: str  # a text key
    limit: object = 0


@dataclass(slots=True)
class ComposeForm:
    """What was typed (kept to show the form again), the refusals, and the draft if none."""

    values: dict[str, Any]
    errors: dict[str, FieldError] = field(default_factory=dict)
    draft: Draft | None = None


def form_values(raw: Mapping[str, str], chosen: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    """The fields of the form, text trimmed of nothing (the rules trim), choices as lists."""
    values: dict[str, Any] = {name: str(raw.get(name) or "") for name in TEXT_FIELDS}
    values.update({name: [str(v) for v in chosen.get(name, ())] for name in CHOICE_FIELDS})
    return values


def check_compose_form(values: dict[str, Any], *, author_id: int, topics: Sequence[Topic],
                       kinds: Sequence[Kind], streets: Sequence[str], roles: Sequence[str],
                       zone: ZoneInfo, now: datetime) -> ComposeForm:
    form = ComposeForm(values)
    answers: dict[str, Any] = {}

    def take(name: str, check: Any) -> None:
        try:
            answers[name] = check()
        except ComposeInputError as error:
            form.errors[name] = FieldError(error.reason, error.limit)

    topic = next((t for t in topics if t.key == values["topic"]), None)
    if topic is None:
        form.errors["topic"] = FieldError(NOT_A_CHOICE)
    else:
        answers["topic"] = topic.key
    take("title", lambda: clean_text("title", values["title"]))
    take("body", lambda: _body(values["body"]))
    if values["link"].strip():
        take("link", lambda: clean_link(values["link"]))
    if topic is not None and topic.has_kinds:
        if values["kind"] not in {k.key for k in kinds}:
            form.errors["kind"] = FieldError(NOT_A_CHOICE)
        else:
            answers["kind"] = values["kind"]
        take("budget", lambda: clean_budget(values["budget"]))
        take("deadline", lambda: clean_deadline(values["deadline"],
                                                now.astimezone(zone).date()))
        take("eligibility", lambda: clean_text("eligibility", values["eligibility"]))
        take("contact", lambda: clean_text("contact", values["contact"]))
    if set(values["roles"]) - set(roles):
        form.errors["roles"] = FieldError(NOT_A_CHOICE)
    if set(values["streets"]) - set(streets):
        form.errors["streets"] = FieldError(NOT_A_CHOICE)
    if values["when"] == "later":
        # <input type="datetime-local"> sends 2026-12-01T09:30; the dialog reads a space.
        take("send_at", lambda: parse_send_time(values["send_at"].replace("T", " "), zone,
                                                now).isoformat())
    elif values["when"] != "now":
        form.errors["when"] = FieldError(NOT_A_CHOICE)
    if not form.errors:
        answers.update(roles=values["roles"], streets=values["streets"])
        form.draft = Draft.from_answers(author_id, answers)
    return form


def _body(typed: str) -> str:
    """Telegram HTML of the typed body, bounded by its visible length as in the chat. A tag
    outside Telegram's subset (the toolbar makes none) is refused rather than sent as text."""
    refused = unsupported_tag(typed)
    if refused is not None:
        raise ComposeInputError("records.compose.markup", refused[:40])
    html = telegram_html(typed.strip())
    length = visible_length(html)
    if not unescape(_TAG.sub("", html)).strip():  # nothing but tags and spaces
        raise ComposeInputError("announce.error.empty")
    if length > LIMITS["body"]:
        raise ComposeInputError("announce.error.too_long", LIMITS["body"])
    return html


def preview_draft(values: dict[str, Any], *, author_id: int,
                  topics: Sequence[Topic]) -> Draft:
    """What the form holds so far, unchecked: for the live preview and count, never sent."""
    topic = next((t for t in topics if t.key == values["topic"]), None)
    details = {name: " ".join(values[name].split()) for name in DETAIL_FIELDS
               if topic is not None and topic.has_kinds and values[name].strip()}
    link = values["link"].strip()
    return Draft(author_id=author_id, topic=values["topic"],
                 title=" ".join(values["title"].split()),
                 body_html=telegram_html(values["body"].strip()),
                 link_url=link if _LINK.match(link) else None, details=details or None,
                 roles=frozenset(values["roles"]), streets=frozenset(values["streets"]))
