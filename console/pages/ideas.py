"""Ideas in the console: the review board (filters by view, status, place, date and text),
one idea with its history and private notes, and the `hotline ideas export` download.
The review actions (status with answer, publish, note, duplicate, hide/show): ideas_review.py."""

from __future__ import annotations

from aiohttp import web

from console.audit import audit
from console.auth import requires
from console.forms import Form
from console.keys import SERVICES
from console.pages import ideas_review
from console.pages.idea_page import idea_of, idea_page, place_names, status_labels
from console.pages.page_parts import aware, download, page_number
from console.rendering import locale_of, render, render_refusal, text
from services.ideas.board import TEXT_FILTER_MAX, VIEWS, BoardFilter
from services.ideas.export import FORMATS
from storage.models import Role

CONTENT_TYPES = {"csv": "text/csv",
                 "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
VIEW_TEXTS = {
    "active": "console_comms.ideas.view.active", "open": "console_comms.ideas.view.open",
    "hidden": "console_comms.ideas.view.hidden",
    "duplicates": "console_comms.ideas.view.duplicates",
    "withdrawn": "console_comms.ideas.view.withdrawn", "all": "console_comms.ideas.view.all",
}
FILTER_FIELDS = ("view", "status", "street", "community", "from", "to", "q")


async def _places(request: web.Request) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(street, label) and (community, label) pairs in the viewer's locale."""
    locale = locale_of(request)
    streets = await request.app[SERVICES].places.streets()
    communities = [(name, f"{s.label(locale)} · {name_en if locale == 'en' else name}")
                   for s in streets for name, name_en in s.communities]
    return [(s.name, s.label(locale)) for s in streets], communities


async def read_filter(request: web.Request, form: Form) -> BoardFilter:
    """The filters above the board, each checked; a refused one is left out and shown."""
    services = request.app[SERVICES]
    streets, communities = await _places(request)
    statuses = [s.key for s in await services.ideas.statuses()]
    first, last = form.date("from", required=False), form.date("to", required=False)
    if first and last and first > last:
        form.fail("to", "console_comms.ideas.error.dates")
        last = None
    return BoardFilter(
        view=form.choice("view", VIEWS, required=False) or "active",
        status=form.choice("status", statuses, required=False),
        street=form.choice("street", [s for s, _ in streets], required=False),
        community=form.choice("community", [c for c, _ in communities], required=False),
        first=first, last=last,
        text=form.text("q", max_length=TEXT_FILTER_MAX, required=False))


@requires(Role.STAFF)
async def board(request: web.Request) -> web.Response:
    """The review board: ideas oldest first, filtered, paged; hidden and withdrawn marked."""
    services = request.app[SERVICES]
    form = Form(request.query)
    wanted = await read_filter(request, form)
    page = await services.ideas.board.search(wanted, page_number(request))
    streets, communities = await _places(request)
    street_names, community_names = await place_names(request)
    labels = await status_labels(request)
    query = {name: form.value(name) for name in FILTER_FIELDS if form.value(name)}
    export_query = {name: query[name] for name in ("status", "from", "to") if name in query}
    return await render(
        request, "console/ideas.html", status=200 if form.ok else 400, form=form, page=page,
        rows=[(idea, aware(idea.created_at)) for idea in page.ideas], statuses=labels,
        streets=streets, communities=communities, street_names=street_names,
        community_names=community_names,
        views=[(view, text(request, VIEW_TEXTS[view])) for view in VIEWS],
        query=query, export_query=export_query)


@requires(Role.STAFF)
async def detail(request: web.Request) -> web.Response:
    return await idea_page(request, await idea_of(request))


@requires(Role.STAFF)
async def export(request: web.Request) -> web.StreamResponse:
    """`hotline ideas export --status S --from D --to D --format F`, as a download."""
    file_format = request.match_info["format"]
    if file_format not in FORMATS:
        raise web.HTTPNotFound()
    form = Form(request.query)
    wanted = await read_filter(request, form)
    if not form.ok:
        return await render_refusal(request, 400, "console.refused.bad_request")
    locale = locale_of(request)
    services = request.app[SERVICES]

    def header(column: str) -> str:
        return text(request, f"ideas.export.{column}")

    data = await services.ideas.board.export(wanted.status, wanted.first, wanted.last,
                                             file_format, locale, header)
    await audit(request, "ideas.export", detail={
        "format": file_format, "status": wanted.status,
        "from": wanted.first.isoformat() if wanted.first else None,
        "to": wanted.last.isoformat() if wanted.last else None})
    return download(data, services.ideas.board.file_name(file_format),
                    CONTENT_TYPES[file_format])


@requires(Role.STAFF)
async def photo(request: web.Request) -> web.StreamResponse:
    """The idea's photo, fetched through the bot (the page never sees a Telegram address)."""
    idea = await idea_of(request)
    found = (await request.app[SERVICES].files.image(idea.photo_file_id)
             if idea.photo_file_id else None)
    if found is None:
        raise web.HTTPNotFound()
    data, content_type = found
    # Private to this browser; the file behind an idea's photo never changes.
    return web.Response(body=data, content_type=content_type, headers={
        "Cache-Control": "private, max-age=3600", "X-Content-Type-Options": "nosniff"})


def routes() -> list[web.RouteDef]:
    return [
        web.get("/ideas", board),
        web.get(r"/ideas/export.{format:[a-z]+}", export),
        web.get(r"/ideas/{id:\d+}", detail),
        web.get(r"/ideas/{id:\d+}/photo", photo),
        *ideas_review.routes(),
    ]
