"""An expert's own actions under /start (issue 15 item 7): their open cases, their shifts of
the coming week, and how to offer a shift to a colleague (/duty swap)."""

from __future__ import annotations

from datetime import date

from babel.dates import format_skeleton
from telegram import Update
from telegram.ext import Application

from handlers.context import HotlineContext
from handlers.replies import reply
from handlers.routes import Routes
from services.commands import CommandSpec
from storage.models import Role, utcnow

COMMANDS: list[CommandSpec] = []


async def show_desk(update: Update, context: HotlineContext) -> None:
    """Shows an expert their open cases and shifts; nothing for anyone else."""
    if Role.EXPERT.value not in context.roles:
        return
    hotline = context.services.hotline
    today = utcnow().astimezone(hotline.roster.zone).date()
    desk = await hotline.duty_cases.desk.of(update.effective_user.id, today)
    if desk is None:
        return
    names = {c.key: (c.name_en if context.locale == "en" else c.name_zh)
             for c in await hotline.experts.categories(include_inactive=True)}
    babel_locale = "en" if context.locale == "en" else "zh_CN"

    def day(value: date) -> str:
        return format_skeleton("MMMEd", value, locale=babel_locale)

    comma = context.text("hotline.duty.category_separator")
    rows = [(day(run.first), day(run.last) if run.last != run.first else None,
             [(s.start, s.end, comma.join(names.get(k, k) for k in s.categories))
              for s in run.shifts]) for run in desk.shifts]
    await reply(update, context, context.render(
        "hotline_expert_desk", desk=desk, rows=rows, reader=context.locale))


def register(application: Application, routes: Routes) -> None:
    routes.greeting_panels.add(show_desk)
