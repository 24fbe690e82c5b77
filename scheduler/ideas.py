"""Wakes the sending of what idea authors are owed; the notices live in the database
(IdeaEvent.notice, stored with each staff decision), not in the scheduler, so a restart or a
send that failed for now loses nothing: the next check sends it."""

from __future__ import annotations

import logging

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.interval import IntervalTrigger

from services.container import Services
from services.ideas.author_notice import Told
from storage.models import utcnow

log = logging.getLogger(__name__)

AUTHOR_NOTICES_JOB_ID = "idea-author-notices"


async def send_author_notices(services: Services) -> Told:
    told = await services.ideas.author_notices.send_owed()
    if told != Told.NOTHING_OWED:
        log.info("idea author notices owed: %s", told)
    return told


def schedule_idea_notices(scheduler: BaseScheduler, services: Services,
                          check_seconds: int) -> None:
    scheduler.add_job(
        send_author_notices, IntervalTrigger(seconds=check_seconds), args=[services],
        id=AUTHOR_NOTICES_JOB_ID, replace_existing=True, coalesce=True, max_instances=1,
        next_run_time=utcnow(),  # what a stopped bot still owed goes out at start
    )
