"""The experts, and adding one from the console: the same service, validation and audit entry
as `hotline experts add` (an id already an expert is updated, as the command line does)."""

from __future__ import annotations

from aiohttp import web

from console.audit import audit
from console.auth import requires
from console.forms import Form
from console.keys import SERVICES
from console.pages.roster import category_names
from console.pages.roster_case_labels import render_ops
from console.rendering import redirect
from services.hotline.experts import MAX_NAME, ExpertInputError
from storage.models import Role

# A Telegram user id: positive, at most 2**52 (Telegram's documented bound), 12 digits here.
MAX_TELEGRAM_ID = 10**12 - 1
# The refusals ExpertInputError carries, for the catalogue test to find.
REFUSALS = ("records.experts.error.invalid", "records.experts.error.name_length",
            "records.experts.error.no_category", "records.experts.error.unknown_category")


async def _page(request: web.Request, *, status: int = 200,
                form: Form | None = None) -> web.Response:
    experts = await request.app[SERVICES].hotline.experts.all()
    return await render_ops(request, "console/roster_experts.html", status=status,
                            experts=sorted(experts, key=lambda e: e.name), form=form,
                            names=await category_names(request), max_name=MAX_NAME)


@requires(Role.STAFF)
async def experts_page(request: web.Request) -> web.Response:
    """Lists the experts with their categories and offers the form to add one."""
    return await _page(request)


@requires(Role.STAFF)
async def add_expert(request: web.Request) -> web.StreamResponse:
    """Adds (or updates) an expert and grants the role, as `hotline experts add` does."""
    form = Form(await request.post())
    telegram_id = form.integer("telegram_id", minimum=1, maximum=MAX_TELEGRAM_ID)
    name = form.text("name", max_length=MAX_NAME)
    categories = form.choices("categories", await category_names(request))
    if not categories and "categories" not in form.errors:
        form.fail("categories", "records.experts.error.no_category")
    optional = {field: form.text(field, max_length=MAX_NAME, required=False)
                for field in ("name_en", "alias_zh", "alias_en")}
    if not form.ok or telegram_id is None or name is None:
        return await _page(request, status=400, form=form)
    experts = request.app[SERVICES].hotline.experts
    try:
        created = await experts.add(telegram_id, name, categories, optional["name_en"],
                                    optional["alias_zh"], optional["alias_en"])
    except ExpertInputError as error:
        form.fail(error.field or "name", error.key, **error.values)
        return await _page(request, status=400, form=form)
    expert = await experts.get(telegram_id)
    assert expert is not None
    await audit(request, "experts.add" if created else "experts.update",
                target=str(telegram_id),
                detail={"name": expert.name, "categories": list(expert.categories)})
    raise redirect("/console/roster/experts", notice=(
        "console_records.experts_added" if created else "console_records.experts_updated"))


def routes() -> list[web.RouteDef]:
    return [
        web.get("/roster/experts", experts_page),
        web.post("/roster/experts", add_expert),
    ]
