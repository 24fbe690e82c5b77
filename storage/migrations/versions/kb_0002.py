"""kb: word counts readable on SQLite (fts5vocab); PostgreSQL's GIN index written through

How many published entries hold each word (services/kb/common_words.py) is read from the
index itself; on PostgreSQL the index no longer parks new entries in a pending list.

Revision ID: kb_0002
Revises: kb_0001
Create Date: 2026-12-06
"""

from collections.abc import Sequence

from alembic import op

revision: str = "kb_0002"
down_revision: str | None = "kb_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A view onto kb_fts's own index: no data of its own, nothing to keep in step. PostgreSQL
    # reads the same figures with ts_stat over kb_search (storage/repositories/kb_index.py).
    if op.get_bind().dialect.name != "postgresql":
        op.execute("CREATE VIRTUAL TABLE kb_fts_words USING fts5vocab(kb_fts, row)")
        return
    # GIN's fast update parks new entries in a pending list that every search reads in full
    # until a vacuum merges it: after an import of 10,000 entries, searches took twice as
    # long (make bench ONLY=kb). Entries are written seldom and read on every question, so
    # the index is written through, and what is pending now is merged.
    op.execute("ALTER INDEX kb_search_document SET (fastupdate = off)")
    op.execute("SELECT gin_clean_pending_list('kb_search_document'::regclass)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        op.execute("DROP TABLE kb_fts_words")
    else:
        op.execute("ALTER INDEX kb_search_document RESET (fastupdate)")
