"""/duty for experts (my shifts; step off or on for now; `/duty swap` offers a shift, see
handlers/roster_swaps.py) and /stats for staff."""

from __future__ import annotations

from datetime import date, timedelta

from babel.dates import format_skeleton
from telegram import Update
from telegram.ext import Application, CommandHandler, filters

from handlers.auth import require_roles
from handlers.context import HotlineContext
from handlers.replies import reply
from handlers.roster_swaps import choose_shift
from handlers.routes import Routes
from services.actors import Actor
from services.commands import CommandSpec
from services.hotline.duty_summary import summarise
from services.refusals import Refused
from storage.models import Role, utcnow

COMMANDS = [
    CommandSpec("duty", "cmd.duty", frozenset({Role.EXPERT})),
    CommandSpec("stats", "cmd.stats", frozenset({Role.STAFF, Role.ADMIN})),
]
DUTY_DAYS = 7
STATS_DAYS = 30


@require_roles(Role.EXPERT, Role.STAFF, Role.ADMIN)
async def duty(update: Update, context: HotlineContext) -> None:
    """Shows the expert's shifts for the coming week, steps them off or on, or offers one
    of their shifts to swap (staff: `/duty swap <telegram id>` on someone's behalf)."""
    user_id = update.effective_user.id
    hotline = context.services.hotline
    argument = (context.args[0].lower() if context.args else "")
    if argument == "swap":
        await choose_shift(update, context)
        return
    if Role.EXPERT.value not in context.roles:
        await reply(update, context, context.html("auth.refused"))
        return
    expert = await hotline.experts.get(user_id)
    if expert is None:
        await reply(update, context, context.html("hotline.duty.not_listed"))
        return
    if argument in ("off", "on"):
        try:
            await hotline.roster_actions.step(Actor.in_bot(user_id), argument == "off")
        except Refused as refused:
            await reply(update, context, context.refusal(refused))
            return
        key = "hotline.duty.now_off" if argument == "off" else "hotline.duty.now_on"
        await reply(update, context, context.html(key))
        return
    if argument:
        await reply(update, context, context.html("hotline.duty.usage"))
        return
    today = utcnow().astimezone(hotline.roster.zone).date()
    shifts = await hotline.roster.shifts_of(user_id, today, DUTY_DAYS)
    names = {c.key: (c.name_en if context.locale == "en" else c.name_zh)
             for c in await hotline.experts.categories()}
    babel_locale = "en" if context.locale == "en" else "zh_CN"

    def day(value: date) -> str:
        return format_skeleton("MMMEd", value, locale=babel_locale)

    comma = context.text("hotline.duty.category_separator")
    rows = [(day(run.first), day(run.last) if run.last != run.first else None,
             [(s.start, s.end, comma.join(names.get(k, k) for k in s.categories))
              for s in run.shifts]) for run in summarise(shifts)]
    await reply(update, context, context.render(
        "hotline_duty", alias=expert.alias(context.locale), rows=rows,
        stepped_off=expert.stepped_off, days=DUTY_DAYS))


@require_roles(Role.STAFF, Role.ADMIN)
async def stats(update: Update, context: HotlineContext) -> None:
    """Figures of the last 30 days: totals, per category and per expert."""
    reports = context.services.hotline.reports
    last = utcnow()
    first = last - timedelta(days=STATS_DAYS)
    totals, categories, experts = await reports.figures(first, last, context.locale)
    await reply(update, context, context.render(
        "hotline_stats", totals=totals, categories=categories, experts=experts,
        first=first.astimezone(reports.zone).strftime("%Y-%m-%d"),
        last=last.astimezone(reports.zone).strftime("%Y-%m-%d"), weekly=False))


def register(application: Application, routes: Routes) -> None:
    private = filters.ChatType.PRIVATE
    application.add_handler(CommandHandler("duty", duty, filters=private))
    application.add_handler(CommandHandler("stats", stats, filters=private))
