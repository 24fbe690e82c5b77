"""kb_search: PostgreSQL's knowledge-base candidates in one function that always uses the GIN
index

Revision ID: kb_search_0001
Revises: kb_0001
Create Date: 2026-12-06

A question's words are OR-ed, so a common word (社区) matches a quarter of the entries; the
planner then prefers a sequential scan that tests and ranks every document, twice as slow
as the bitmap scan of the GIN index on this small, cached table (bench: make bench ONLY=kb).
The setting is the function's own (SET clause), so no other query is affected.
SQLite has nothing to change: FTS5 always answers from its index.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "kb_search_0001"
down_revision: str | None = "kb_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("""
        CREATE OR REPLACE FUNCTION kb_candidates(expr text, wanted integer)
        RETURNS TABLE (entry_id integer, rank real)
        LANGUAGE sql STABLE ROWS 40
        SET enable_seqscan = off
        AS $$
            SELECT s.entry_id, ts_rank(s.document, q) AS rank
            FROM kb_search s, to_tsquery('simple', expr) q
            WHERE s.document @@ q
            ORDER BY rank DESC
            LIMIT wanted
        $$""")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS kb_candidates(text, integer)")
