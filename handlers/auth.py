"""Server-side authorisation for commands and buttons: the role is checked on every call."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable

from telegram import Update

from handlers.context import HotlineContext
from handlers.replies import answer_callback, reply
from storage.models import Role

log = logging.getLogger(__name__)

Handler = Callable[[Update, HotlineContext], Awaitable[object]]


def require_roles(*roles: Role) -> Callable[[Handler], Handler]:
    """Refuses (and logs) anyone without one of `roles`, whether by command or by button."""
    allowed = {role.value for role in roles}

    def decorate(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def guarded(update: Update, context: HotlineContext) -> object:
            if allowed & context.roles:
                return await handler(update, context)
            user = update.effective_user
            log.warning(
                "refused %s to user %s (roles %s) in update %s",
                handler.__name__, user.id if user else None, sorted(context.roles),
                update.update_id,
            )
            if update.callback_query is not None:
                await answer_callback(update, context.text("auth.refused"), alert=True)
            else:
                await reply(update, context, context.html("auth.refused"))
            return None

        return guarded

    return decorate
