"""Each category's fallback (issue 15 item 4) on the roster's pages: the list, and naming or
clearing one through the same front door as the bot's /fallback and `hotline fallback`."""

from __future__ import annotations

from aiohttp import web

from console.auth import requires, viewer
from console.forms import Form
from console.keys import SERVICES
from console.pages.roster import category_names
from console.pages.roster_case_labels import render_ops
from console.rendering import redirect
from services.actors import Actor
from services.refusals import Refused
from storage.models import Role

MAX_PERSON = 64


async def _page(request: web.Request, *, status: int = 200,
                form: Form | None = None) -> web.Response:
    fallbacks = request.app[SERVICES].hotline.duty_cases.fallbacks
    return await render_ops(request, "console/roster_fallbacks.html", status=status,
                            fallbacks=await fallbacks.listing(), form=form,
                            names=await category_names(request), max_person=MAX_PERSON)


@requires(Role.STAFF)
async def fallbacks_page(request: web.Request) -> web.Response:
    """Lists each category's fallback and offers the form to name or clear one."""
    return await _page(request)


@requires(Role.STAFF)
async def save_fallback(request: web.Request) -> web.StreamResponse:
    """Names the category's fallback (an expert's name, @username or Telegram id), or clears
    it when the person is left empty."""
    form = Form(await request.post())
    category = form.choice("category", await category_names(request))
    person = form.text("person", max_length=MAX_PERSON, required=False)
    if not form.ok or category is None:
        return await _page(request, status=400, form=form)
    fallbacks = request.app[SERVICES].hotline.duty_cases.fallbacks
    actor = Actor.in_console(viewer(request).telegram_id)
    try:
        if person:
            await fallbacks.set(actor, category, await fallbacks.find_person(person))
        else:
            await fallbacks.clear(actor, category)
    except Refused as refused:
        form.fail(refused.field or "person", refused.key, **refused.values)
        return await _page(request, status=400, form=form)
    raise redirect("/console/roster/fallbacks", notice=(
        "console_duty.fallback_saved" if person else "console_duty.fallback_cleared"))


def routes() -> list[web.RouteDef]:
    return [
        web.get("/roster/fallbacks", fallbacks_page),
        web.post("/roster/fallbacks", save_fallback),
    ]
