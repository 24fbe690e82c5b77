"""The live inbox and live case pages: Server-Sent Events from aiohttp, fed by the case event
hub (services/hotline/case_events.py), which hears this process's changes and, through the
database, every other process's.

A stream carries only "changed" (never case data): on it the page fetches its fragment
through the ordinary role-checked views, so an expert's page learns nothing of cases they
may not see. A comment line every few seconds keeps proxies from closing the stream and
lets the server notice a closed tab.
"""

from __future__ import annotations

import asyncio
import contextlib
import re

from aiohttp import web

from console.auth import requires, viewer
from console.forms import Form
from console.keys import SERVICES
from console.pages import cases
from console.pages.roster import category_names
from console.pages.roster_case_labels import render_ops
from services.hotline.case_events import EVERY_CASE, STOP
from services.hotline.inbox import VIEWS
from storage.models import Role

HEARTBEAT_SECONDS = 5.0


async def _inbox_context(request: web.Request) -> dict:
    form = Form(request.query)
    names = await category_names(request)
    signed_in = viewer(request)
    view = form.choice("view", {v: v for v in VIEWS}, required=False) or (
        "open" if signed_in.is_staff else "mine")
    category = form.choice("category", names, required=False)
    # A page number that is not one (an old or edited link) shows the first page.
    raw_page = request.query.get("page", "")
    number = int(raw_page) if re.fullmatch(r"[1-9]\d{0,4}", raw_page) else 1
    page = await request.app[SERVICES].hotline.inbox.page(
        view, category, signed_in.telegram_id, signed_in.is_staff, page=number)
    query = {"view": view, **({"category": category} if category else {})}
    return {"inbox": page, "view": view, "category": category or "", "names": names,
            "views": VIEWS, "query": query,
            # The live list refetches the page it shows, not the first one.
            "page_query": {**query, **({"page": page.page} if page.page > 1 else {})}}


@requires(Role.EXPERT)
async def inbox_page(request: web.Request) -> web.Response:
    """Mine / waiting for a claim / all open, by category, longest waiting first."""
    return await render_ops(request, "console/inbox.html", **await _inbox_context(request))


@requires(Role.EXPERT)
async def inbox_list(request: web.Request) -> web.Response:
    """The inbox's list alone, for the live page to put in place."""
    return await render_ops(request, "console/inbox_list.html", **await _inbox_context(request))


@requires(Role.EXPERT)
async def timeline(request: web.Request) -> web.Response:
    """The case's timeline alone, for the live case page to put in place."""
    services = request.app[SERVICES]
    detail = await services.hotline.case_browser.detail(request.match_info["number"])
    if detail is None or not await cases.may_see(request, detail.case):
        raise web.HTTPNotFound()
    return await render_ops(request, "console/case_timeline.html", detail=detail,
                            timeline=await services.hotline.case_browser.timeline(detail),
                            names=await category_names(request))


async def _stream(request: web.Request, case_id: int | None) -> web.StreamResponse:
    response = web.StreamResponse(headers={
        "Content-Type": "text/event-stream", "Cache-Control": "no-store",
        "X-Accel-Buffering": "no"})
    await response.prepare(request)
    events = request.app[SERVICES].hotline.cases.events
    with events.listen() as queue, contextlib.suppress(ConnectionResetError):
        await response.write(b"retry: 2000\n\n")
        while True:
            try:
                changed = await asyncio.wait_for(queue.get(), HEARTBEAT_SECONDS)
            except TimeoutError:
                await response.write(b": still here\n\n")
                continue
            if changed == STOP:
                break
            if case_id is None or changed in (case_id, EVERY_CASE):
                await response.write(b"event: changed\ndata: 1\n\n")
    return response


@requires(Role.EXPERT)
async def inbox_stream(request: web.Request) -> web.StreamResponse:
    return await _stream(request, None)


@requires(Role.EXPERT)
async def case_stream(request: web.Request) -> web.StreamResponse:
    case = await request.app[SERVICES].hotline.case_browser.case(request.match_info["number"])
    if case is None or not await cases.may_see(request, case):
        raise web.HTTPNotFound()
    return await _stream(request, case.id)


def routes() -> list[web.RouteDef]:
    return [
        web.get("/inbox", inbox_page),
        web.get("/inbox/list", inbox_list),
        web.get("/inbox/live", inbox_stream),
        web.get(f"/cases/{cases.NUMBER}/timeline", timeline),
        web.get(f"/cases/{cases.NUMBER}/live", case_stream),
    ]
