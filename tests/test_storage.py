"""Storage on real database files (SQLite) and on PostgreSQL when it answers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import DateTime, text
from sqlmodel import SQLModel

from services.conversation_log import ConversationLog, LogEntry
from services.places import PlacesFileError, PlacesService, parse_places_csv
from storage.db import Database
from storage.migrate import current_revision, head_revision, include_name, upgrade_to_head
from storage.models import Case, Role, utcnow
from storage.models.base import UTCDateTime
from storage.repositories.conversation import ConversationRepository
from storage.repositories.drafts import DraftRepository, DraftState
from storage.repositories.hotline_cases import CaseRepository
from storage.repositories.places import PlaceRepository
from storage.repositories.users import TelegramIdentity, UserRepository

ALICE = TelegramIdentity(1001, "Alice", "Li", "alice", "en")


async def test_migrations_reach_head_and_are_idempotent(database: Database) -> None:
    assert await current_revision(database) == head_revision()
    assert await upgrade_to_head(database) == head_revision()


async def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    try:
        async with db.engine.connect() as connection:
            assert (await connection.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
            assert (await connection.execute(text("PRAGMA foreign_keys"))).scalar() == 1
            assert (await connection.execute(text("PRAGMA busy_timeout"))).scalar() == 5000
    finally:
        await db.close()


async def test_first_contact_records_a_resident_once(database: Database) -> None:
    users = UserRepository(database)
    person, created = await users.record_contact(ALICE, "en")
    assert created and person.roles == {"resident"} and person.locale == "en"
    renamed = TelegramIdentity(1001, "Alicia", None, "alice", "zh-hans")
    person, created = await users.record_contact(renamed, "zh_CN")
    # Seen again: name refreshed, but the language stays the one already chosen.
    assert not created and person.first_name == "Alicia" and person.locale == "en"
    assert len(await users.list_people()) == 1


async def test_roles_are_granted_listed_and_revoked(database: Database) -> None:
    users = UserRepository(database)
    await users.record_contact(ALICE, "en")
    assert await users.grant(1001, Role.STAFF, "zh_CN")
    assert not await users.grant(1001, Role.STAFF, "zh_CN")
    # Granting to someone who never wrote creates a bare row for them.
    assert await users.grant(2002, Role.ADMIN, "zh_CN")
    staff = await users.list_people(Role.STAFF)
    assert [p.telegram_id for p in staff] == [1001]
    assert (await users.get(2002)).roles == {"admin"}
    assert await users.revoke(1001, Role.STAFF)
    assert not await users.revoke(1001, Role.STAFF)
    assert (await users.get(1001)).roles == {"resident"}


async def test_anonymise_keeps_the_id_and_drops_the_rest(database: Database) -> None:
    users = UserRepository(database)
    await users.record_contact(ALICE, "en")
    await users.save_profile(1001, "Alice Li", "Taihe station", "Taihe")
    await DraftRepository(database).save(1001, DraftState("profile", "organisation", {"a": 1}))
    await users.anonymise(1001)
    person = await users.get(1001)
    assert person.first_name is None and person.username is None and person.forgotten_at
    assert await users.get_profile(1001) is None
    assert await DraftRepository(database).get(1001) is None


async def test_drafts_round_trip_unicode(database: Database) -> None:
    drafts = DraftRepository(database)
    await UserRepository(database).record_contact(ALICE, "en")
    await drafts.save(1001, DraftState("profile", "community", {"full_name": "王小明 <b>"}))
    state = await drafts.get(1001)
    assert state == DraftState("profile", "community", {"full_name": "王小明 <b>"})


async def test_conversation_log_batches_erases_and_expires(database: Database) -> None:
    log = ConversationLog(ConversationRepository(database), batch_size=3)
    for i in range(7):
        log.record(LogEntry(chat_id=1001, direction="in", kind="text", telegram_id=1001,
                            message_id=i + 1, text=f"message {i}"))
    log.record(LogEntry(chat_id=3003, direction="in", kind="text", telegram_id=3003,
                        message_id=1, text="x" * 20_000,
                        created_at=utcnow() - timedelta(days=400)))
    assert await log.flush() == 8
    history = await log.history(1001)
    assert [e.text for e in history] == [f"message {i}" for i in range(7)]
    long_one = await log.history(3003)
    assert len(long_one[0].text) == 8192  # bounded, not rejected
    assert await log.purge_expired(365) == 1
    assert await log.count_for_user(3003) == 0
    log.record(LogEntry(chat_id=1001, direction="out", kind="text", telegram_id=1001,
                        message_id=99, text="pending"))
    assert await log.erase_user(1001) == 8  # seven written and the one not written yet
    assert await log.count_for_user(1001) == 0 and log.pending == 0


async def test_migrations_match_the_models(database: Database) -> None:
    """A model changed without a migration fails here, not on a user's database."""

    def differences(connection) -> list:  # type: ignore[no-untyped-def]
        context = MigrationContext.configure(connection, opts={
            "compare_type": True, "include_name": include_name})
        return compare_metadata(context, SQLModel.metadata)

    async with database.engine.connect() as connection:
        assert await connection.run_sync(differences) == []


async def test_places_are_seeded_once_and_grouped_by_street(database: Database) -> None:
    places = PlacesService(PlaceRepository(database))
    assert await places.seed_if_empty()
    assert not await places.seed_if_empty()
    streets = await places.streets()
    assert [s.name for s in streets] == ["太和街道", "吴井街道", "矣六街道"]
    assert streets[0].label("en") == "Taihe Street"
    assert ("太和社区", "Taihe Community") in streets[0].communities


def test_a_places_file_with_a_duplicate_is_refused_with_its_line() -> None:
    text = ("street,street_en,community,community_en\n"
            "a,A,b,B\n"
            "a,A,b,B\n")
    with pytest.raises(PlacesFileError, match="line 3: a / b is listed twice"):
        parse_places_csv(text)
    with pytest.raises(PlacesFileError, match="line 1: the columns must be"):
        parse_places_csv("name\nx\n")


async def test_a_local_bound_means_the_same_moment_on_every_backend(database: Database) -> None:
    """A week in Shanghai begins at 16:00 UTC on Sunday. A case asked at 00:30 on Monday,
    local time, belongs to that week: SQLite keeps no zone, and before every stored time was
    compared in UTC, a local bound was read as UTC and the case fell outside (the weekly
    report said "no consultations" for the first eight hours of each local day)."""
    await UserRepository(database).record_contact(ALICE, "en")
    asked = datetime(2026, 12, 6, 16, 30, tzinfo=UTC)
    async with database.session() as session:
        session.add(Case(number="C-2026-0001", asker_id=ALICE.telegram_id, category="legal",
                         created_at=asked))
    cases = CaseRepository(database)
    shanghai = ZoneInfo("Asia/Shanghai")
    monday = datetime(2026, 12, 7, tzinfo=shanghai)
    assert [c.number for c in await cases.between(monday, monday + timedelta(days=7))] == [
        "C-2026-0001"]
    assert await cases.between(monday - timedelta(days=7), monday) == []
    # Read back aware and in UTC, on SQLite as on PostgreSQL.
    (case,) = await cases.between(asked, asked + timedelta(seconds=1))
    assert case.created_at == asked and case.created_at.utcoffset() == timedelta(0)


def test_every_timestamp_column_is_kept_in_utc() -> None:
    """A bare DateTime column would bring the SQLite zone bug back for its table."""
    bare = [f"{table.name}.{column.name}" for table in SQLModel.metadata.tables.values()
            for column in table.columns
            if isinstance(column.type, DateTime) and not isinstance(column.type, UTCDateTime)]
    timestamps = [column for table in SQLModel.metadata.tables.values()
                  for column in table.columns if isinstance(column.type, UTCDateTime)]
    assert bare == [] and len(timestamps) > 50
