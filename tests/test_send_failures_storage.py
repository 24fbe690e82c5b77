"""The record of undelivered replies on SQLite and PostgreSQL: written in batches, counted
for /healthz, erased with the person, pruned after the retention period."""

from __future__ import annotations

from datetime import timedelta

from services.send_failures import FinalFailure, SendFailureLog
from storage.db import Database
from storage.models import utcnow
from storage.repositories.send_failures import SendFailureRepository


async def test_failures_are_kept_counted_erased_and_pruned(database: Database) -> None:
    repository = SendFailureRepository(database)
    record = SendFailureLog(repository, retention_days=30)
    record.note(FinalFailure(42, "sendMessage", "blocked", "Forbidden: bot was blocked"))
    record.note(FinalFailure(43, "copyMessage", "transient", "502 Bad Gateway" * 40))
    record.note(FinalFailure(42, "sendPhoto", "failed", "old", at=utcnow() - timedelta(days=40)))
    await record.flush()
    assert await record.count_last_day() == 2
    latest = await repository.latest()
    assert [(f.chat_id, f.method, f.outcome) for f in latest] == [
        (43, "copyMessage", "transient"), (42, "sendMessage", "blocked"),
        (42, "sendPhoto", "failed")]
    assert len(latest[0].reason) == 300  # bounded, as every input

    assert await repository.prune_before(utcnow() - timedelta(days=30)) == 1
    assert await repository.erase_person(42) == 1
    assert [f.chat_id for f in await repository.latest()] == [43]


async def test_memory_stays_bounded_when_the_database_lags(database: Database) -> None:
    record = SendFailureLog(SendFailureRepository(database), retention_days=30)
    for chat_id in range(1, 1_501):
        record.note(FinalFailure(chat_id, "sendMessage", "blocked", "blocked"))
    await record.flush()
    latest = await SendFailureRepository(database).latest(limit=2000)
    assert len(latest) == 1_000 and min(f.chat_id for f in latest) == 501
