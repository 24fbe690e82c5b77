"""What the entered working calendar costs a routing decision (RosterService.on_duty).

With the package alone and with the bureau's calendar (one more read per call), interleaved
so both meet the same load. SQLite file, 20 experts on `workdays`, a made-up entered 2027."""

from __future__ import annotations

import tempfile
import time
from datetime import datetime
from pathlib import Path

from bot.settings import SUPPORTED_LOCALES
from services.hotline.calendar_service import CalendarService
from services.hotline.experts import ExpertService
from services.hotline.roster import RosterService
from services.people import PeopleService
from services.texts import Texts
from storage.db import Database
from storage.migrate import upgrade_to_head
from storage.repositories.hotline_roster import RosterRepository
from storage.repositories.users import UserRepository
from storage.repositories.working_calendar import WorkingCalendarRepository

CALLS = 1000
EXPERTS = 20


async def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        database = Database(f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}")
        await upgrade_to_head(database)
        try:
            await _measure(database)
        finally:
            await database.close()


async def _measure(database: Database) -> None:
    repository = RosterRepository(database)
    experts = ExpertService(repository, PeopleService(UserRepository(database), "zh_CN", ()),
                            Texts(SUPPORTED_LOCALES, "zh_CN"))
    await experts.seed_categories_if_empty()
    for expert_id in range(1, EXPERTS + 1):
        await experts.add(expert_id, f"专家{expert_id}", ["legal"])
    calendars = CalendarService(WorkingCalendarRepository(database))
    await calendars.import_notice("date,kind,name\n" + "".join(
        f"2027-02-{day:02d},holiday,春节\n" for day in range(6, 14))
        + "2027-02-20,workday,春节调休\n", "bench.csv")
    package_only = RosterService(repository, "Asia/Shanghai")
    entered = RosterService(repository, "Asia/Shanghai", calendars)
    await entered.import_file("telegram_id,categories,days,start,end\n" + "".join(
        f"{expert_id},legal,workdays,09:00,17:00\n" for expert_id in range(1, EXPERTS + 1)))
    makeup_saturday = datetime(2027, 2, 20, 10, 0, tzinfo=entered.zone)
    assert len(await entered.on_duty("legal", makeup_saturday)) == EXPERTS
    spent = {"package only": 0.0, "with the entered calendar": 0.0}
    for _ in range(CALLS):
        for label, roster in (("package only", package_only), ("with the entered calendar",
                                                                entered)):
            started = time.perf_counter()
            await roster.on_duty("legal", makeup_saturday)
            spent[label] += time.perf_counter() - started
    for label, seconds in spent.items():
        print(f"on_duty {label}: {1000 * seconds / CALLS:.2f} ms per call ({CALLS} calls)")
