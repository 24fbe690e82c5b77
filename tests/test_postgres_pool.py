"""PostgreSQL connections: pinged only after a pause (storage/db.py), one the server dropped
meanwhile is replaced, not an error; so is the LISTEN connection of the shared versions."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest
from sqlalchemy import text

from storage.db import Database
from storage.migrate import upgrade_to_head
from storage.repositories.hotline_cases import CaseRepository


async def test_a_connection_the_server_dropped_is_replaced_not_an_error(
        postgres_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    database = Database(postgres_url)
    try:
        async with database.session() as session:
            first = (await session.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        admin = await asyncpg.connect("postgresql://postgres@127.0.0.1:5432/test")
        try:
            assert await admin.fetchval("SELECT pg_terminate_backend($1)", first)
        finally:
            await admin.close()
        monkeypatch.setattr("storage.db.PING_IDLE_SECONDS", 0.0)  # "after a pause"
        async with database.session() as session:
            second = (await session.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        assert second != first
    finally:
        await database.close()



async def test_a_lost_listen_connection_is_replaced_and_caches_read_through_meanwhile(
        postgres_url: str) -> None:
    database = Database(postgres_url)
    other = Database(postgres_url)
    try:
        await upgrade_to_head(database)
        await database.watch_changes()
        versions = database.shared_versions
        assert versions["hotline_blocks"] == versions["hotline_blocks"]  # listening: stable
        admin = await asyncpg.connect("postgresql://postgres@127.0.0.1:5432/test")
        try:
            listeners = await admin.fetch(
                "SELECT pid FROM pg_stat_activity WHERE query LIKE 'LISTEN%'"
                " AND datname = current_database()")
            assert len(listeners) == 1
            await admin.execute("SELECT pg_terminate_backend($1)", listeners[0]["pid"])
        finally:
            await admin.close()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 5

        def stable() -> bool:
            return versions["hotline_blocks"] == versions["hotline_blocks"]

        while stable():  # until the listener notices: from then on caches read through
            assert loop.time() < deadline, "the lost LISTEN connection went unnoticed"
            await asyncio.sleep(0.005)
        while not stable():  # every read a new number until the LISTEN is back
            assert loop.time() < deadline, "the LISTEN connection did not come back"
            await asyncio.sleep(0.02)
        before = versions["hotline_blocks"]
        await CaseRepository(other).block(4242, "test")
        while versions["hotline_blocks"] == before:
            assert loop.time() < deadline, "a change after the reconnection was not seen"
            await asyncio.sleep(0.005)
    finally:
        await other.close()
        await database.close()
