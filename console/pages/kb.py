"""The knowledge base in the console: search, proposals to review, edit, retire, figures."""

from __future__ import annotations

from datetime import timedelta

from aiohttp import web

from console.audit import audit
from console.auth import requires, viewer
from console.forms import Form
from console.keys import SERVICES
from console.rendering import redirect, render, render_refusal
from services.kb.entries_csv import MAX_ANSWER, MAX_CATEGORY, MAX_QUESTION
from storage.models import KbStatus, Role, utcnow

DONE = {"approve": "console_kb.done_approve", "save": "console_kb.done_save",
        "retire": "console_kb.done_retire"}
# Named for the texts test: the entry page shows console_kb.status_<status>.
STATUS_KEYS = ("console_kb.status_proposed", "console_kb.status_published",
               "console_kb.status_retired")
LISTED = 200  # published entries on the page; search finds the others
FIGURE_DAYS = 7


@requires(Role.STAFF)
async def overview(request: web.Request) -> web.Response:
    """Proposals waiting, a search, the published entries and last week's figures."""
    kb = request.app[SERVICES].kb
    query = request.query.get("q", "").strip()[:200]
    hits = await kb.search(query, 20) if query else []
    now = utcnow()
    return await render(
        request, "console/kb.html", query=query, hits=hits,
        proposals=await kb.entries([KbStatus.PROPOSED]),
        published=await kb.entries([KbStatus.PUBLISHED], limit=LISTED),
        published_total=await kb.count([KbStatus.PUBLISHED]),
        figures=await kb.figures(now - timedelta(days=FIGURE_DAYS), now))


@requires(Role.STAFF)
async def entry_page(request: web.Request) -> web.Response:
    """One entry with its edit form."""
    entry = await _entry(request)
    if entry is None:
        return await render_refusal(request, 404, "console_kb.not_found")
    return await render(request, "console/kb_entry.html", entry=entry, form=None)


@requires(Role.STAFF)
async def change_entry(request: web.Request) -> web.StreamResponse:
    """Approves (a proposal), saves (a published entry) or retires, as the button says."""
    entry = await _entry(request)
    if entry is None:
        return await render_refusal(request, 404, "console_kb.not_found")
    form = Form(await request.post())
    action = form.choice("action", ["approve", "save", "retire"])
    proposals = request.app[SERVICES].kb.proposals
    if action is None:
        return await render(request, "console/kb_entry.html", status=400, entry=entry,
                            form=form)
    if action == "retire":
        changed = await proposals.retire(entry.id)
    else:
        category = form.text("category", max_length=MAX_CATEGORY, min_length=1)
        question = form.text("question", max_length=MAX_QUESTION, min_length=1)
        answer = form.text("answer", max_length=MAX_ANSWER, min_length=1)
        if not form.ok:
            return await render(request, "console/kb_entry.html", status=400, entry=entry,
                                form=form)
        if action == "approve":
            changed = await proposals.approve(entry.id, viewer(request).telegram_id,
                                              category=category, question=question,
                                              answer=answer)
        else:
            changed = await proposals.edit(entry.id, category=category, question=question,
                                           answer=answer)
    if changed is None:  # approved, retired or edited meanwhile (another tab, the CLI)
        raise redirect(f"/console/kb/{entry.id}", notice="console_kb.stale")
    await audit(request, f"kb.{action}", target=str(entry.id),
                detail={"case": entry.source_case_id} if entry.source_case_id else "")
    raise redirect("/console/kb", notice=DONE[action])


async def _entry(request: web.Request):  # type: ignore[no-untyped-def]
    raw = request.match_info["entry_id"]
    if not raw.isdigit() or len(raw) > 9:
        return None
    return await request.app[SERVICES].kb.entry(int(raw))


def routes() -> list[web.RouteDef]:
    return [web.get("/kb", overview), web.get(r"/kb/{entry_id}", entry_page),
            web.post(r"/kb/{entry_id}", change_entry)]
