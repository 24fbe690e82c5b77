"""The service functions behind the console's announcement, training and idea pages, on real
databases (SQLite, and PostgreSQL when it answers)."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from bot.app import build_services
from bot.settings import load_settings
from services.announcements.broadcasts import Draft
from services.announcements.typed_markup import telegram_html
from services.announcements.web_compose import check_compose_form, form_values
from services.container import Services
from services.ideas import IdeaRefused
from services.ideas.author_notice import author_notice
from services.ideas.board import BoardFilter
from services.trainings.board import check_course_form
from storage.db import Database
from storage.models import Role
from storage.repositories.announcements import Kind, Topic
from storage.repositories.outbox import BLOCKED, SENT, OutboxRepository, OutboxResult
from storage.repositories.users import UserRepository
from tests.ideas_helpers import staff_actor

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Monday 10:00 in Shanghai
TOPICS = [Topic("projects", "项目", "Project calls", True), Topic("news", "政策", "News", False)]
KINDS = [Kind("elderly", "居家养老", "Home-based elderly care")]

STAFF = staff_actor(9)  # a staff member acting from the console


@pytest.fixture
async def services(database: Database) -> AsyncIterator[Services]:
    settings = load_settings(_env_file=None, database_url="sqlite+aiosqlite:///unused.db")
    built = build_services(settings, database)
    await built.places.seed_if_empty()
    yield built


# ------------------------------------------------------------------ typed announcement bodies


@pytest.mark.parametrize(("typed", "expected"), [
    ("<b>bold</b> & <i>it", "<b>bold</b> &amp; <i>it</i>"),
    ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
    ('<a href="javascript:alert(1)">x</a>', '&lt;a href="javascript:alert(1)"&gt;x&lt;/a&gt;'),
    ('<a href="https://a.example/?q=1&r=2" onclick="x">l</a>',
     '<a href="https://a.example/?q=1&amp;r=2">l</a>'),
    ("1 < 2 > 0", "1 &lt; 2 &gt; 0"),
    ("<b><i>x</b> y</i>", "<b><i>x</i></b> y&lt;/i&gt;"),
    ("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;"),
    ("<code><b>raw</b></code>", "<code>&lt;b&gt;raw&lt;/b&gt;</code>"),
    ('<span class="tg-spoiler">s</span>', "<tg-spoiler>s</tg-spoiler>"),
    ("ends with <b", "ends with &lt;b"),
])
def test_typed_bodies_keep_only_telegram_markup(typed: str, expected: str) -> None:
    assert telegram_html(typed) == expected


# ------------------------------------------------------------------ the compose form


def _compose(**typed: object) -> dict:
    raw = {"topic": "news", "title": "Policy update", "body": "Read <b>this</b>.",
           "link": "", "when": "now", "send_at": ""}
    raw.update({k: v for k, v in typed.items() if isinstance(v, str)})
    chosen = {k: v for k, v in typed.items() if isinstance(v, list)}
    return check_compose_form(form_values(raw, chosen), author_id=7, topics=TOPICS, kinds=KINDS,
                              streets=["太和街道"], roles=["resident", "social_worker"],
                              zone=SHANGHAI, now=NOW)


def test_a_complete_form_gives_the_dialogs_draft() -> None:
    form = _compose(roles=["resident"], streets=["太和街道"], when="later",
                    send_at="2026-11-24T09:30")
    assert form.errors == {}
    assert form.draft == Draft(author_id=7, topic="news", title="Policy update",
                               body_html="Read <b>this</b>.", roles=frozenset({"resident"}),
                               streets=frozenset({"太和街道"}),
                               send_at=datetime(2026, 11, 24, 9, 30, tzinfo=SHANGHAI))


def test_each_bad_field_is_refused_beside_itself() -> None:
    form = _compose(title="  ", link="ftp://x", when="later", send_at="2026-11-23T09:00",
                    roles=["admin"])
    assert {name: e.reason for name, e in form.errors.items()} == {
        "title": "announce.error.empty", "link": "announce.error.link",
        "send_at": "announce.error.past", "roles": "console.form.not_a_choice"}
    assert form.draft is None
    too_far = _compose(when="later", send_at="2027-06-01T09:00")
    assert too_far.errors["send_at"].reason == "announce.error.too_far"
    assert _compose(topic="forged").errors["topic"].reason == "console.form.not_a_choice"
    assert _compose(body="<b> </b>").errors["body"].reason == "announce.error.empty"


def test_a_project_call_needs_its_structured_fields() -> None:
    form = _compose(topic="projects", kind="elderly", budget="12.5", deadline="2026-11-01",
                    eligibility="", contact="王老师 13800000000")
    assert {name: e.reason for name, e in form.errors.items()} == {
        "deadline": "announce.error.past", "eligibility": "announce.error.empty"}
    good = _compose(topic="projects", kind="elderly", budget="12.5万元", deadline="2026-12-31",
                    eligibility="Registered organisations", contact="王老师")
    assert good.draft is not None
    assert good.draft.details == {"kind": "elderly", "budget": "12.5", "deadline": "2026-12-31",
                                  "eligibility": "Registered organisations", "contact": "王老师"}


# ------------------------------------------------------------------ announcement history


async def test_history_lists_every_state_with_its_delivery_report(services: Services) -> None:
    users = UserRepository(services.database)
    for person in (101, 102, 103):
        await users.ensure_exists(person, "en")
    await services.subscriptions.subscribe_many([101, 102, 103], ["policy"])
    sent = await services.announcements.publish(Draft(None, "policy", "First", "Body"))
    later = await services.announcements.publish(Draft(
        None, "policy", "Second", "Body", send_at=datetime.now(UTC) + timedelta(days=1)))
    await services.announcements.cancel(later.id)
    outbox = OutboxRepository(services.database)
    claimed = await outbox.claim("test", 10, timedelta(minutes=1))
    await outbox.record("test", [OutboxResult(claimed[0].id, SENT, message_id=5),
                                 OutboxResult(claimed[1].id, BLOCKED, error="blocked")])
    page = await services.announcements.history.page(1)
    assert [(e.record.title, e.record.state) for e in page.entries] == [
        ("Second", "cancelled"), ("First", "sending")]  # "send now" is sending at once
    first = page.entries[1].report
    assert (first.sent, first.blocked, first.failed, first.remaining) == (1, 1, 0, 1)
    assert page.entries[0].report.cancelled == 3
    assert (page.number, page.pages, page.total) == (1, 1, 2)
    only = await services.announcements.history.page(9, ["cancelled"])
    assert [e.record.id for e in only.entries] == [later.id] and only.number == 1
    assert sent.recipients == 3


# ------------------------------------------------------------------ courses


def test_the_course_form_names_every_bad_field() -> None:
    form = check_course_form({"title": "", "kind": "cooking", "description": "",
                              "sessions": "2026-12-05 12:00-09:00 Room 1", "capacity": "0",
                              "deadline": "tomorrow", "audience": "everyone"}, SHANGHAI, NOW)
    assert {name: e.reason for name, e in form.errors.items()} == {
        "title": "trainings.error.empty", "kind": "trainings.error.unknown_choice",
        "sessions": "trainings.error.ends_before_start",
        "capacity": "trainings.error.out_of_range", "deadline": "trainings.error.bad_datetime"}
    late = check_course_form({"title": "Finance", "kind": "financial_management",
                              "sessions": "2026-12-05 09:00-12:00 Room 1", "capacity": "20",
                              "deadline": "2026-12-06T18:00", "audience": "everyone"},
                             SHANGHAI, NOW)
    assert late.errors["deadline"].reason == "trainings.error.deadline_after_start"


async def test_the_course_list_holds_cancelled_courses_too(services: Services) -> None:
    form = check_course_form({"title": "Finance", "kind": "financial_management",
                              "description": "Budgets", "capacity": "20",
                              "sessions": "2030-12-05 09:00-12:00 Room 1\n"
                                          "2030-12-12 09:00-12:00 https://meet.example/x",
                              "deadline": "2030-12-01T18:00", "audience": "social_workers"},
                             SHANGHAI, NOW)
    assert form.errors == {} and form.plan is not None
    assert form.plan.sessions[0].starts_at == datetime(2030, 12, 5, 1, 0, tzinfo=UTC)
    first = await services.trainings.create(form.plan, None)
    second = await services.trainings.create(form.plan, None)
    await services.trainings.cancel_course(STAFF, first)
    everything = await services.trainings.board.courses(None)
    assert [(c.id, c.status) for c in everything.courses] == [(second, "open"),
                                                              (first, "cancelled")]
    cancelled = await services.trainings.board.courses("cancelled")
    assert [c.id for c in cancelled.courses] == [first] and cancelled.total == 1


# ------------------------------------------------------------------ ideas


async def _idea(services: Services, author: int, title: str, street: str = "太和街道",
                community: str = "太和社区") -> int:
    await services.people.grant(author, Role.RESIDENT)
    idea = await services.ideas.submit(author, {
        "title": title, "problem": "No benches.", "solution": f"{title} now.",
        "street": street, "community": community, "contact": None, "show_name": False})
    return idea.id


async def test_the_board_filters_and_hides(services: Services) -> None:
    board = services.ideas.board
    benches = await _idea(services, 201, "Benches")
    lights = await _idea(services, 202, "Street lights 100%", street="吴井街道",
                         community="吴井社区")
    await services.ideas.change_status(STAFF, lights, "submitted", "not_adopted", "No.", True)
    titles = lambda page: [i.title for i in page.ideas]  # noqa: E731
    assert titles(await board.search(BoardFilter())) == ["Benches", "Street lights 100%"]
    assert titles(await board.search(BoardFilter(status="not_adopted"))) == ["Street lights 100%"]
    assert titles(await board.search(BoardFilter(street="太和街道"))) == ["Benches"]
    assert titles(await board.search(BoardFilter(text="100%"))) == ["Street lights 100%"]
    assert titles(await board.search(BoardFilter(text="1_0"))) == []
    assert titles(await board.search(BoardFilter(view="open"))) == ["Benches"]
    today = datetime.now(SHANGHAI).date()
    assert len((await board.search(BoardFilter(first=today, last=today))).ideas) == 2
    assert (await board.search(BoardFilter(last=today - timedelta(days=1)))).total == 0
    hidden = await services.ideas.hide(STAFF, lights)
    assert hidden.hidden_at is not None
    with pytest.raises(IdeaRefused):
        await services.ideas.hide(STAFF, lights)
    assert titles(await board.search(BoardFilter(view="hidden"))) == ["Street lights 100%"]
    assert [e.kind for e in await services.ideas.history(lights)][-1] == "hidden"
    await services.ideas.unhide(STAFF, lights)
    assert (await board.search(BoardFilter(view="hidden"))).total == 0
    assert benches


async def test_the_export_is_the_clis_file(services: Services) -> None:
    await _idea(services, 301, "=SUM(A1)")
    board = services.ideas.board

    def header(column: str) -> str:
        return services.texts.text("en", f"ideas.export.{column}")

    data = await board.export(None, date(2020, 1, 1), None, "csv", "en", header)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][0] == header("reference") and rows[1][2] == "'=SUM(A1)"
    book = load_workbook(io.BytesIO(await board.export(None, None, None, "xlsx", "en", header)))
    assert book.active.cell(2, 3).value == "=SUM(A1)"
    # Dated by the bureau's day: 16:30 UTC on the 6th is already the 7th in Shanghai.
    late = datetime(2026, 12, 6, 16, 30, tzinfo=UTC)
    assert board.file_name("xlsx", late) == "ideas-2026-12-07.xlsx"
    assert board.file_name("csv", late - timedelta(hours=1)) == "ideas-2026-12-06.csv"


async def test_the_author_is_told_in_their_language(services: Services) -> None:
    idea_id = await _idea(services, 401, "Benches")
    await services.people.set_locale(401, "en")
    change = await services.ideas.change_status(STAFF, idea_id, "submitted", "accepted",
                                                "We will <b>do</b> it.", True)
    text = await author_notice(services.ideas, services.people, services.texts, change.idea)
    assert "Benches" in text and "We will &lt;b&gt;do&lt;/b&gt; it." in text
    assert "Accepted" in text

