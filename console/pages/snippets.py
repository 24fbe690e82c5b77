"""The canned-reply library: staff curate the shared replies of each category; every expert
may keep their own. Used from a case's reply box and, in Telegram, with /snippets."""

from __future__ import annotations

from aiohttp import web

from console.auth import requires, viewer
from console.forms import Form
from console.keys import SERVICES
from console.pages.roster import category_names
from console.pages.roster_case_labels import render_ops
from console.rendering import redirect
from services.hotline.snippets import PLACEHOLDERS, SnippetRefused
from storage.models import Role

REFUSALS = {
    "empty": "console_workspace.snippets.refused_empty",
    "too_long": "console_workspace.snippets.refused_too_long",
    "staff_only": "console_workspace.snippets.refused_staff_only",
    "category": "console_workspace.snippets.refused_category",
    "gone": "console_workspace.snippets.refused_gone",
}


async def _page(request: web.Request, *, status: int = 200,
                form: Form | None = None) -> web.Response:
    signed_in = viewer(request)
    library = await request.app[SERVICES].hotline.snippets.library(signed_in.telegram_id)
    return await render_ops(request, "console/snippets.html", status=status, form=form,
                            library=library, names=await category_names(request),
                            staff=signed_in.is_staff, placeholders=PLACEHOLDERS)


@requires(Role.EXPERT)
async def library_page(request: web.Request) -> web.Response:
    return await _page(request)


@requires(Role.EXPERT)
async def add(request: web.Request) -> web.StreamResponse:
    form = Form(await request.post())
    signed_in = viewer(request)
    shared = form.flag("shared")
    category = form.choice("category", await category_names(request), required=shared)
    if not form.ok:
        return await _page(request, status=400, form=form)
    try:
        await request.app[SERVICES].hotline.snippets.add(
            signed_in.telegram_id, signed_in.is_staff, shared=shared, category=category,
            title=form.value("title"), body=form.value("body"))
    except SnippetRefused as refused:
        form.fail("_general", REFUSALS[refused.reason], **refused.values)
        return await _page(request, status=400, form=form)
    raise redirect("/console/snippets", notice="console_workspace.snippets.added")


@requires(Role.EXPERT)
async def remove(request: web.Request) -> web.StreamResponse:
    form = Form(await request.post())
    signed_in = viewer(request)
    try:
        await request.app[SERVICES].hotline.snippets.remove(
            int(request.match_info["id"]), signed_in.telegram_id, signed_in.is_staff)
    except SnippetRefused as refused:
        form.fail("_general", REFUSALS[refused.reason], **refused.values)
        return await _page(request, status=400, form=form)
    raise redirect("/console/snippets", notice="console_workspace.snippets.removed")


def routes() -> list[web.RouteDef]:
    return [
        web.get("/snippets", library_page),
        web.post("/snippets", add),
        web.post(r"/snippets/{id:\d{1,12}}/remove", remove),
    ]
