"""Both clocks where people read figures (issue 15 items 1 and 5): the weekly report and /stats
through the sandbox, the console's case page and dashboard, and an expert's own /mystats.
Working-time figures are worked out by hand in each test from the roster and the calendar."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.app import Hotline
from sandbox.client import SandboxClient
from scheduler.hotline import send_weekly_report
from storage.models import Case, CaseClaim, CaseRating, CaseStatus, Role, utcnow
from tests.console_support import console_base, signed_in_client
from tests.driver import person, say, wait_reply
from tests.hotline_support import ALL_DAY, expert, roster, social_worker

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=SHANGHAI).astimezone(UTC)


async def handled_case(hotline: Hotline, asker_id: int, expert_id: int, *, created: datetime,
                       claimed: datetime, answered: datetime,
                       closed: datetime | None) -> Case:
    """A case of the legal category with the given moments, and its claim row."""
    repository = hotline.services.hotline.cases.repository
    case = await repository.create(asker_id, "legal", None, 0)
    await repository.changes.set_fields(
        case.id, created_at=created, waiting_since=created, claimed_at=claimed,
        first_answer_at=answered, closed_at=closed, expert_id=expert_id,
        status=CaseStatus.CLOSED if closed else CaseStatus.OPEN, escalate_at=None)
    async with hotline.services.database.session() as session:
        session.add(CaseClaim(case_id=case.id, category="legal", expert_id=expert_id,
                              waiting_since=created, claimed_at=claimed))
    return case


def lines_of(text: str) -> list[str]:
    return [line.strip() for line in text.split("\n")]


async def test_the_weekly_report_gives_both_clocks_for_a_case_asked_before_new_year(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    wang = await expert(hotline, sandbox, "Wang", "legal")
    # The legal category is covered 09:00–17:00 every day; the calendar decides what counts.
    await roster(hotline, f"{wang['id']},legal,daily,09:00,17:00")
    asker = await social_worker(hotline, sandbox, "Emma")
    # Asked on Wednesday 31 December 2025 at 16:00, the eve of the New Year holiday (1–3
    # January 2026), claimed on Sunday 4 January at 10:00, a make-up working day (调休),
    # answered at 10:30 and closed at 11:00.
    await handled_case(hotline, asker["id"], wang["id"], created=local(2025, 12, 31, 16, 0),
                       claimed=local(2026, 1, 4, 10, 0), answered=local(2026, 1, 4, 10, 30),
                       closed=local(2026, 1, 4, 11, 0))
    admins = []
    for name, language in (("Admin", "en"), ("管理员", "zh-hans")):
        admins.append(await person(sandbox, hotline, name, language=language,
                                   role=Role.ADMIN, first="/start"))

    # Monday 5 January 2026 at 09:00: the report of 29 December – 4 January.
    assert await send_weekly_report(hotline.services, local(2026, 1, 5, 9, 0)) == 2
    english = await wait_reply(sandbox, admins[0]["id"], "weekly report")
    lines = lines_of(english["text"])
    # Wall clock: 31 Dec 16:00 → 4 Jan 10:00 is 90 hours; to close 91 hours.
    assert ("Wall-clock time · Average minutes: to claim 5400.0, to first answer 30.0, "
            "to close 5460.0.") in lines
    # Working time: 31 Dec 16:00–17:00 (60) + 1–3 Jan nothing + 4 Jan 09:00–10:00 (60);
    # the answer 30; the close 60 + 4 Jan 09:00–11:00 (120).
    assert ("Working time · Average minutes: to claim 120.0, to first answer 30.0, "
            "to close 180.0.") in lines
    legal = lines.index("Legal: 1; claim 5400.0 min, first answer 30.0 min, close 5460.0 min; "
                        "rating —")
    assert lines[legal + 1] == ("in working time: claim 120.0 min, first answer 30.0 min, "
                                "close 180.0 min")
    assert any(line.startswith("Wall-clock time runs from the question on") for line in lines)

    chinese = await wait_reply(sandbox, admins[1]["id"], "热线周报")
    lines = lines_of(chinese["text"])
    assert "自然时间 · 平均用时（分钟）：认领 5400.0，首次回复 30.0，结束 5460.0。" in lines
    assert "工作时间 · 平均用时（分钟）：认领 120.0，首次回复 30.0，结束 180.0。" in lines
    assert "工作时间：认领 120.0 分，首复 30.0 分，结束 180.0 分" in lines


async def test_stats_and_the_console_say_which_clock_is_which(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    wang = await expert(hotline, sandbox, "Wang", "legal")
    li = await expert(hotline, sandbox, "Li", "finance")
    # Nobody is rostered for legal: whatever today is, no working time passes for it.
    await roster(hotline, f"{li['id']},finance,{ALL_DAY}")
    asker = await social_worker(hotline, sandbox, "Emma")
    now = utcnow()
    case = await handled_case(
        hotline, asker["id"], wang["id"], created=now - timedelta(minutes=40),
        claimed=now - timedelta(minutes=10), answered=now - timedelta(minutes=4), closed=None)
    staff = await person(sandbox, hotline, "Zhou", role=Role.STAFF)
    stats = lines_of((await say(sandbox, staff["id"], "/stats"))["text"])
    assert ("Wall-clock time · Average minutes: to claim 30.0, to first answer 6.0, "
            "to close —.") in stats
    assert ("Working time · Average minutes: to claim 0.0, to first answer 0.0, "
            "to close —.") in stats

    async with await signed_in_client(hotline, sandbox, staff["id"]) as client:
        async with client.get(f"{console_base(hotline)}/cases/{case.number}") as response:
            assert response.status == 200
            page = await response.text()
        async with client.get(f"{console_base(hotline)}/") as response:
            dashboard = await response.text()

    def words(html: str, element: str) -> str:
        found = re.search(rf'id="{element}"[^>]*>(.*?)</', html, re.S)
        assert found, element
        return re.sub(r"\s+", " ", found[1]).strip()

    assert words(page, "clock-claim") == "30.0 min (working time 0.0 min)"
    assert words(page, "clock-answer") == "6.0 min (working time 0.0 min)"
    assert words(page, "clock-close") == "–"
    assert "Average minutes to claim · Wall-clock time" in dashboard
    assert 'id="figure-claim-working"' in dashboard
    assert "Average minutes to claim (working time)" in dashboard


async def test_mystats_shows_an_expert_their_own_figures_in_both_clocks(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    wang = await expert(hotline, sandbox, "王伟", "legal", language="zh-hans")
    zhao = await expert(hotline, sandbox, "赵敏", "legal")
    await roster(hotline, f"{wang['id']},legal,daily,09:00,17:00")
    asker = await social_worker(hotline, sandbox, "Emma")
    # Last week's Saturday, entered as a make-up working day: a controlled calendar.
    today = utcnow().astimezone(SHANGHAI).date()
    saturday = today - timedelta(days=today.weekday() + 7) + timedelta(days=5)
    await hotline.services.hotline.calendar.set_day(saturday, "workday", "调休")

    def at(hour: int, minute: int = 0) -> datetime:
        return datetime.combine(saturday, time(hour, minute), tzinfo=SHANGHAI).astimezone(UTC)

    # Asked at 08:00, claimed 09:30, answered 09:40, closed 11:30, rated 4 at 12:00.
    mine = await handled_case(hotline, asker["id"], wang["id"], created=at(8),
                              claimed=at(9, 30), answered=at(9, 40), closed=at(11, 30))
    # Zhao's case on the same day is not Wang's business.
    others = await handled_case(hotline, asker["id"], zhao["id"], created=at(8),
                                claimed=at(8, 1), answered=at(8, 2), closed=at(8, 3))
    async with hotline.services.database.session() as session:
        session.add(CaseRating(case_id=mine.id, asker_id=asker["id"], stars=4,
                               comment="很有帮助，谢谢", closed_at=at(11, 30),
                               created_at=at(12)))
        session.add(CaseRating(case_id=others.id, asker_id=asker["id"], stars=1,
                               comment="别人的评价", closed_at=at(8, 3), created_at=at(12)))

    text = (await say(sandbox, wang["id"], "/mystats"))["text"]
    last_week = lines_of(text.split("本月")[0])
    assert last_week[0] == "我的评价与数据"
    monday, sunday = saturday - timedelta(days=5), saturday + timedelta(days=1)
    assert f"上周 {monday:%Y-%m-%d} 至 {sunday:%Y-%m-%d}" in last_week
    assert "认领 1 个，结束 1 个。" in last_week
    # Wall clock 90 min; working time only from 09:00 on the make-up Saturday: 30.
    assert "认领用时中位数 90.0 分钟（工作时间 30.0 分钟）" in last_week
    assert "首次回复用时中位数 10.0 分钟（工作时间 10.0 分钟）" in last_week
    # 08:00 → 11:30 is 210 minutes; 09:00 → 11:30 is 150.
    assert "结束用时中位数 210.0 分钟（工作时间 150.0 分钟）" in last_week
    assert "收到评价 1 次，平均 4 星。" in last_week
    assert "4 星：“很有帮助，谢谢”" in last_week
    assert "别人的评价" not in text
    assert "本月" in text

    # Someone who is not an expert is told what the command is for.
    staff = await person(sandbox, hotline, "Zhou", role=Role.STAFF)
    refused = await say(sandbox, staff["id"], "/mystats")
    assert refused["text"] == ("/mystats shows hotline experts their own ratings and figures, "
                               "and you are not a hotline expert. To ask a question, send /ask.")


async def test_a_case_is_numbered_in_the_bureaus_year(hotline: Hotline) -> None:
    """01:30 on 1 January in Shanghai is 17:30 on 31 December in UTC: the case is the new
    year's (C-2027-...), as an idea made in the same minute is (I-2027-...)."""
    cases = hotline.services.hotline.cases
    assert cases.year_of(local(2027, 1, 1, 1, 30)) == 2027
    assert cases.year_of(local(2026, 12, 31, 23, 59)) == 2026
