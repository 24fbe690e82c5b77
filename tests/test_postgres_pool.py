"""PostgreSQL connections are pinged only after a pause (storage/db.py), and one the server
dropped meanwhile is replaced, not an error."""

from __future__ import annotations

import asyncpg
import pytest
from sqlalchemy import text

from storage.db import Database


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

