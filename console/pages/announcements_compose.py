"""Composing an announcement in the console: the form with a live preview and count, the
confirmation step, and publishing through the same AnnouncementService the /announce
dialog uses (so the outbox, the delivery engine and the schedule are the bot's own)."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from console.auth import requires, viewer
from console.forms import Form
from console.keys import SERVICES
from console.pages.announcements_media import (
    DROP,
    KEPT,
    SEND_PURPOSE,
    SHOWN,
    accepts_uploads,
    attach,
    attached,
    read_upload,
    upload,
    with_media,
)
from console.pages.page_parts import telegram_preview
from console.pages.submit_once import FIELD as ONCE
from console.pages.submit_once import answer_if_used, issue, only_once
from console.rendering import locale_of, redirect, render, text
from services.actors import Actor
from services.announcements.composing import fits_telegram
from services.announcements.media_upload import MediaKind
from services.announcements.web_compose import (
    CHOICE_FIELDS,
    TEXT_FIELDS,
    ComposeForm,
    check_compose_form,
    form_values,
    preview_draft,
)
from services.refusals import Refused
from storage.models import Role, utcnow

# The roles an audience can be narrowed to: those of the /announce dialog.
AUDIENCE_ROLES = (Role.SOCIAL_WORKER.value, Role.RESIDENT.value, Role.EXPERT.value)
# The chat dialog's refusals speak of "sending" an answer; the form's say the same of a field.
FIELD_TEXTS = {
    "announce.error.empty": "console_comms.announcements.error.empty",
    "announce.error.too_long": "console_comms.announcements.error.too_long",
    "announce.error.link": "console_comms.announcements.error.link",
    "announce.error.budget": "console_comms.announcements.error.budget",
    "announce.error.date": "console_comms.announcements.error.date",
    "announce.error.past": "console_comms.announcements.error.past",
    "announce.error.time": "console_comms.announcements.error.time",
    "announce.error.too_far": "console_comms.announcements.error.too_far",
    "console.form.not_a_choice": "console.form.not_a_choice",
    "records.compose.markup": "records.compose.markup",
}


async def _choices(request: web.Request) -> dict[str, Any]:
    """The topics, kinds, streets and roles the form offers, labelled in the viewer's locale."""
    services = request.app[SERVICES]
    locale = locale_of(request)
    topics = await services.subscriptions.topics()
    kinds = await services.subscriptions.kinds()
    return {
        "topics": [(t.key, t.label(locale), t.has_kinds) for t in topics],
        "kinds": [(k.key, k.label(locale)) for k in kinds],
        "streets": [(s.name, s.label(locale)) for s in await services.places.streets()],
        "roles": [(role, text(request, f"role.{role}")) for role in AUDIENCE_ROLES],
        "topic_rows": topics,
        "kind_rows": kinds,
    }


async def _read(request: web.Request) -> tuple[Form, ComposeForm, dict[str, Any]]:
    """The posted form checked by the composing rules; the Form keeps values and errors."""
    services = request.app[SERVICES]
    form = Form(await request.post())
    choices = await _choices(request)
    values = form_values(form.values, {name: form.lists.get(name, []) for name in CHOICE_FIELDS})
    checked = check_compose_form(
        values, author_id=viewer(request).telegram_id, topics=choices["topic_rows"],
        kinds=choices["kind_rows"], streets=[s[0] for s in choices["streets"]],
        roles=AUDIENCE_ROLES, zone=ZoneInfo(services.timezone), now=utcnow())
    for name, error in checked.errors.items():
        form.fail(name, FIELD_TEXTS[error.reason], limit=error.limit)
    return form, checked, choices


async def _composing_token(request: web.Request, form: Form) -> str:
    """The form's one-time token (the one Send claims), or a new one if it is not usable
    (opened more than a day ago)."""
    token = form.value(ONCE)
    tokens = request.app[SERVICES].form_tokens
    if not await tokens.usable(token, viewer(request).telegram_id, SEND_PURPOSE):
        token = await issue(request, SEND_PURPOSE)
    form.values[ONCE] = token
    return token


async def _compose_page(request: web.Request, form: Form, choices: dict[str, Any], *,
                        status: int = 200) -> web.Response:
    """The form, with the attachment uploaded for it before (kept unless replaced or
    dropped)."""
    token = await _composing_token(request, form)
    return await render(request, "console/announcement_compose.html", status=status, form=form,
                        once=token, kept=await attached(request, token), **choices)


@requires(Role.STAFF)
async def compose(request: web.Request) -> web.Response:
    """The empty form: topic, title, body, link, project fields, audience and when."""
    return await _compose_page(request, Form({"when": "now"}), await _choices(request))


@requires(Role.STAFF)
async def edit_again(request: web.Request) -> web.Response:
    """Back from the confirmation step to the form, everything as it was typed (and the
    attachment uploaded for it kept)."""
    return await _compose_page(request, Form(await request.post()), await _choices(request))


@requires(Role.STAFF)
async def preview(request: web.Request) -> web.Response:
    """JSON for the live preview: the message as recipients will see it, and their number."""
    services = request.app[SERVICES]
    try:
        form = Form(await request.post())
    except ConnectionResetError:
        # The page dropped this request (a newer keystroke, or it moved on): nobody waits.
        return web.Response(status=204)
    values = form_values(form.values, {name: form.lists.get(name, []) for name in CHOICE_FIELDS})
    draft = preview_draft(values, author_id=viewer(request).telegram_id,
                          topics=await services.subscriptions.topics())
    locale = form.value("preview_locale")
    locale = locale if locale in services.texts.supported else locale_of(request)
    message = await services.announcements.render_draft(draft, locale)
    # With a photo or file the text is its caption, and a caption is shorter.
    with_file = form.value("attaching") == "1" or (form.value(KEPT) == "1"
                                                    and not form.flag(DROP))
    limit = fits_telegram(message.html, with_file=with_file)
    return web.json_response({
        "html": str(telegram_preview(message.html)),
        "link_label": message.link_label or "",
        "count": await services.announcements.count_recipients(draft),
        "too_long": text(request, "console_comms.announcements.error.message_too_long", limit=limit)
        if limit else "",
    })


@requires(Role.STAFF)
async def review(request: web.Request) -> web.Response:
    """The confirmation step: the checked message, its recipients and time, then Send.
    A photo or file chosen is checked and handed to the bot here, once."""
    form, checked, choices = await _read(request)
    await answer_if_used(request, form.value(ONCE), SEND_PURPOSE)
    upload_chosen = read_upload(form, await request.post())
    if checked.draft is None or not form.ok:
        return await _compose_page(request, form, choices, status=400)
    token = await _composing_token(request, form)
    media = None if form.flag(DROP) else await attached(request, token)
    services = request.app[SERVICES]
    message = await services.announcements.render_draft(checked.draft, locale_of(request))
    limit = fits_telegram(message.html, with_file=bool(upload_chosen or media))
    if limit is not None:
        form.fail("body", "console_comms.announcements.error.message_too_long", limit=limit)
        return await _compose_page(request, form, choices, status=400)
    if upload_chosen is not None:
        media = await upload(request, form, upload_chosen, checked.draft.title)
        if media is None:
            return await _compose_page(request, form, choices, status=400)
    await attach(request, token, media)
    draft = with_media(checked.draft, media)
    return await render(
        request, "console/announcement_confirm.html", form=form, draft=draft, media=media,
        once=token, preview=telegram_preview(message.html), link_label=message.link_label,
        count=await services.announcements.count_recipients(draft),
        fields=TEXT_FIELDS, choice_fields=CHOICE_FIELDS, **choices)


@requires(Role.STAFF)
async def send(request: web.Request) -> web.StreamResponse:
    """Publishes the confirmed announcement (checked again: time may have passed meanwhile).
    The composing form's one-time token makes a second Send lead to the first one's result."""
    form, checked, choices = await _read(request)
    token = form.value(ONCE)
    await answer_if_used(request, token, SEND_PURPOSE)
    if checked.draft is None:
        return await _compose_page(request, form, choices, status=400)
    media = await attached(request, token)
    if form.value(SHOWN) != (media or {}).get("file_id", ""):
        # Reviewed again in another tab with another attachment: show what would go now.
        form.fail(MediaKind.PHOTO.value, "console_comms.media.error.changed")
        return await _compose_page(request, form, choices, status=400)
    services = request.app[SERVICES]
    async with only_once(request, token, SEND_PURPOSE) as claim:
        draft = with_media(checked.draft, claim.payload)
        try:
            record = await services.announcements.announce(
                Actor.in_console(viewer(request).telegram_id, viewer(request).person.roles),
                draft)
        except Refused as refusal:
            # The time chosen passed while the preview waited: the bot's words, by the field.
            form.fail(refusal.field or "send_at", refusal.key, **refusal.values)
            return await _compose_page(request, form, choices, status=400)
        notice = ("console_comms.announcements.scheduled_notice" if draft.send_at
                  else "console_comms.announcements.sent_notice")
        raise redirect(f"/console/announcements/{record.id}", notice=notice)


def routes() -> list[web.RouteDef]:
    return [
        web.get("/announcements/new", compose),
        web.post("/announcements/new", edit_again),
        web.post("/announcements/preview", preview),
        web.post("/announcements/review", accepts_uploads(review)),
        web.post("/announcements/send", send),
    ]
