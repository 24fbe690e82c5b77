"""What the idea pages share: the idea from the path, and its page with the review forms
(any refused one showing its message beside the field)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from console.forms import Form
from console.keys import SERVICES
from console.pages.page_parts import aware, path_id
from console.pages.submit_once import issue
from console.rendering import locale_of, render, text
from storage.models import Idea

# What each kind of history entry is called (storage.models.IdeaEvent.kind).
EVENT_TEXTS = {
    "status": "console_comms.ideas.event.status",
    "published": "console_comms.ideas.event.published",
    "note": "console_comms.ideas.event.note",
    "duplicate": "console_comms.ideas.event.duplicate",
    "hidden": "console_comms.ideas.event.hidden",
    "restored": "console_comms.ideas.event.restored",
    "edited": "console_comms.ideas.event.edited",
    "withdrawn": "console_comms.ideas.event.withdrawn",
}


async def place_names(request: web.Request) -> tuple[dict[str, str], dict[str, str]]:
    """Streets and communities (stored in Chinese) by their name in the viewer's locale."""
    english = locale_of(request) == "en"
    streets = await request.app[SERVICES].places.streets()
    return ({s.name: s.name_en if english else s.name for s in streets},
            {name: name_en if english else name
             for s in streets for name, name_en in s.communities})


async def status_labels(request: web.Request) -> dict[str, str]:
    return await request.app[SERVICES].ideas.status_names(locale_of(request))


def _history(events: list[Any], labels: dict[str, str],
             references: dict[int, str]) -> list[dict[str, Any]]:
    return [{"kind": e.kind, "status": labels.get(e.status or "", e.status),
             "text": references.get(int(e.text), e.text)
             if e.kind == "duplicate" and (e.text or "").isdigit() else e.text,
             "actor": e.actor_id, "at": aware(e.created_at)} for e in events]


async def idea_page(request: web.Request, idea: Idea, *, failed: dict[str, Form] | None = None,
                    status: int = 200) -> web.Response:
    """The idea as staff see it, its history with notes, and the review forms."""
    services = request.app[SERVICES]
    labels = await status_labels(request)
    events = await services.ideas.history(idea.id)
    duplicates = {int(e.text) for e in events if e.kind == "duplicate" and (e.text or "").isdigit()}
    references = {}
    for other_id in duplicates | ({idea.duplicate_of_id} if idea.duplicate_of_id else set()):
        other = await services.ideas.get(other_id)
        if other is not None:
            references[other_id] = other.reference
    author = await services.people.get(idea.author_id)
    # The bot tells the author in their own language; the reviewer writes the answer knowing it.
    author_locale = author.locale if author is not None else services.default_locale
    streets, communities = await place_names(request)
    return await render(
        request, "console/idea.html", status=status, idea=idea, statuses=labels,
        once=await issue(request, idea_path(idea)),
        history=_history(events, labels, references), event_texts=EVENT_TEXTS,
        original=references.get(idea.duplicate_of_id or 0),
        author=author.display_name if author else str(idea.author_id),
        author_language=text(request, f"language.name.{author_locale}"),
        created=aware(idea.created_at), hidden=aware(idea.hidden_at),
        withdrawn=aware(idea.withdrawn_at),
        pending=idea.status != idea.published_status or idea.answer != idea.published_answer,
        targets=[(k, v) for k, v in labels.items() if k != idea.status],
        street=streets.get(idea.street, idea.street),
        community=communities.get(idea.community, idea.community), failed=failed or {})


def idea_path(idea: Idea) -> str:
    """The idea's page: where its forms lead, and the purpose of their one-time token."""
    return f"/console/ideas/{idea.id}"


async def idea_of(request: web.Request) -> Idea:
    idea = await request.app[SERVICES].ideas.get(path_id(request))
    if idea is None:
        raise web.HTTPNotFound()
    return idea
