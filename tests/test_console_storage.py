"""The console's storage on SQLite and PostgreSQL: a link is used once even when two
browsers race for it, sessions and links are purged, the audit log filters and pages, and
the dashboard's queries answer."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from services.audit import AuditLog
from services.console_access import ConsoleAccess, SignInRefused
from services.people import PeopleService
from storage.db import Database
from storage.models import Role, utcnow
from storage.repositories.audit import AuditFilter, AuditRepository
from storage.repositories.console import ConsoleRepository
from storage.repositories.dashboard import DashboardRepository
from storage.repositories.trainings import NewCourse, TrainingRepository
from storage.repositories.users import TelegramIdentity, UserRepository

STAFF = TelegramIdentity(3001, "Wang", None, None, "en")


async def access_for(database: Database, clock=utcnow) -> ConsoleAccess:  # type: ignore[no-untyped-def]
    users = UserRepository(database)
    await users.record_contact(STAFF, "en")
    await users.grant(STAFF.telegram_id, Role.STAFF, "zh_CN")
    people = PeopleService(users, "zh_CN", ())
    return ConsoleAccess(ConsoleRepository(database), people, "http://console.test", clock)


def token_of(link: str) -> str:
    return link.split("token=", 1)[1]


async def test_a_link_opens_exactly_one_session_when_two_race(database: Database) -> None:
    access = await access_for(database)
    token = token_of(await access.issue_link(STAFF.telegram_id))
    results = await asyncio.gather(access.redeem(token), access.redeem(token),
                                   return_exceptions=True)
    opened = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, SignInRefused)]
    assert len(opened) == 1 and len(refused) == 1 and refused[0].reason == "used"
    secret, record = opened[0]
    assert record.locale == "en"
    assert (await access.session_for(secret)).telegram_id == STAFF.telegram_id
    assert await access.session_for(secret[:-1] + "x") is None


async def test_links_and_sessions_expire_and_are_purged(database: Database) -> None:
    now = [utcnow()]
    access = await access_for(database, clock=lambda: now[0])
    late = token_of(await access.issue_link(STAFF.telegram_id))
    secret, _ = await access.redeem(token_of(await access.issue_link(STAFF.telegram_id)))
    now[0] += timedelta(minutes=10)
    with pytest.raises(SignInRefused) as refused:
        await access.redeem(late)
    assert refused.value.reason == "expired" and refused.value.locale == "en"
    assert await access.session_for(secret) is not None  # used 10 minutes ago: still live
    now[0] += timedelta(hours=8)
    assert await access.session_for(secret) is None  # 8 hours idle
    assert await access.purge_expired() == 3  # the used link, the expired link, the session


async def test_the_audit_log_filters_and_pages_newest_first(database: Database) -> None:
    moments = iter([utcnow() - timedelta(days=2), utcnow() - timedelta(days=1), utcnow()])
    log = AuditLog(AuditRepository(database), clock=lambda: next(moments))
    await log.record(1, "roster.update", "legal mon 09:00", '{"expert": 7}')
    await log.record(2, "ideas.status", "I-2026-0001")
    await log.record(1, "roster.update", "x" * 300)
    entries, total = await log.search(AuditFilter(), 1, 2)
    assert total == 3 and [e.telegram_id for e in entries] == [1, 2]
    assert len(entries[0].target) == 256  # cut, not refused
    entries, total = await log.search(AuditFilter(telegram_id=1, action="roster.update"), 1, 50)
    assert total == 2 and entries[1].detail == '{"expert": 7}'
    entries, total = await log.search(AuditFilter(since=utcnow() - timedelta(hours=36)), 1, 50)
    assert total == 2
    assert await log.actions() == ["ideas.status", "roster.update"]
    assert await log.actors() == [1, 2]


async def test_the_dashboard_queries_answer(database: Database) -> None:
    dashboard = DashboardRepository(database)
    assert await dashboard.cases_by_status() == {}
    assert await dashboard.sending_announcement_ids() == []
    assert await dashboard.scheduled_announcements() == 0
    assert await dashboard.ideas_waiting("submitted") == 0
    assert await dashboard.newest_ideas(utcnow() - timedelta(days=7), 5) == ([], 0)
    starts = utcnow() + timedelta(days=2)
    await TrainingRepository(database).create_course(NewCourse(
        title="财务管理", kind="capacity", description="", capacity=20,
        registration_deadline=starts, audience="everyone", created_by=None,
        sessions=((starts - timedelta(days=7), starts - timedelta(days=7, hours=-2), "past"),
                  (starts, starts + timedelta(hours=2), "三楼会议室"))))
    [upcoming] = await dashboard.upcoming_sessions(utcnow(), 5)
    assert (upcoming.course_title, upcoming.position) == ("财务管理", 2)
    assert upcoming.place == "三楼会议室"
    assert (upcoming.registered, upcoming.capacity) == (0, 20)
    assert abs(upcoming.starts_at - starts) < timedelta(seconds=1)
