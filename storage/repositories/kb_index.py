"""The knowledge base's full-text index over pre-segmented words, kept in step with
kb_entries inside the same transaction: SQLite FTS5 (BM25), PostgreSQL tsvector with the
'simple' configuration (no stemming or stop words: the words are already cut) and a GIN index.

Only published entries are indexed (the repository removes an entry when it leaves that
status), so a search needs no join to filter them out.

A query is a list of alternatives; each alternative is a list of words that must all occur
(a synonym that is a phrase, 政府采购 → 政府 AND 采购).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Float, Integer, Subquery, column, text
from sqlalchemy.ext.asyncio import AsyncSession

Alternatives = Sequence[Sequence[str]]


def _fts5_expression(alternatives: Alternatives) -> str:
    # The words are \w+ only (services.kb.segmenter), so quoting them is all FTS5 needs.
    groups = [" AND ".join(f'"{w}"' for w in words) for words in alternatives if words]
    return " OR ".join(f"({g})" for g in groups)


def _tsquery_expression(alternatives: Alternatives) -> str:
    groups = [" & ".join(f"'{w}'" for w in words) for words in alternatives if words]
    return " | ".join(f"({g})" for g in groups)


async def put(session: AsyncSession, entry_id: int, question_tokens: str,
              answer_tokens: str) -> None:
    if session.bind.dialect.name == "postgresql":
        await session.execute(text(
            "INSERT INTO kb_search (entry_id, document) VALUES (:id, "
            "setweight(to_tsvector('simple', :q), 'A') || "
            "setweight(to_tsvector('simple', :a), 'B')) "
            "ON CONFLICT (entry_id) DO UPDATE SET document = EXCLUDED.document"),
            {"id": entry_id, "q": question_tokens, "a": answer_tokens})
        return
    await session.execute(text("DELETE FROM kb_fts WHERE rowid = :id"), {"id": entry_id})
    await session.execute(text(
        "INSERT INTO kb_fts (rowid, question, answer) VALUES (:id, :q, :a)"),
        {"id": entry_id, "q": question_tokens, "a": answer_tokens})


async def remove(session: AsyncSession, entry_id: int) -> None:
    table, key = (("kb_search", "entry_id") if session.bind.dialect.name == "postgresql"
                  else ("kb_fts", "rowid"))
    await session.execute(text(f"DELETE FROM {table} WHERE {key} = :id"),  # noqa: S608
                          {"id": entry_id})


async def word_counts(session: AsyncSession) -> dict[str, int]:
    """How many indexed (published) entries hold each word. PostgreSQL's ts_stat reads every
    document (about 40 ms for 10,000 entries), so callers keep the result for minutes."""
    if session.bind.dialect.name == "postgresql":
        sql = "SELECT word, ndoc FROM ts_stat('SELECT document FROM kb_search')"
    else:
        sql = "SELECT term, doc FROM kb_fts_words"
    rows = await session.execute(text(sql))
    return {word: int(count) for word, count in rows.all()}


def ranked(dialect: str, alternatives: Alternatives, limit: int) -> Subquery:
    """The best `limit` entries of the index as a subquery (entry_id, rank), so the caller
    reads them with their entries in one statement (on PostgreSQL a search's time is mostly
    waiting for the server, so one statement instead of two). Rank is BM25 (SQLite) or ts_rank
    (PostgreSQL), larger is better in both, and only comparable within one query."""
    if dialect == "postgresql":
        expr = _tsquery_expression(alternatives)
        sql = ("SELECT s.entry_id AS entry_id, ts_rank(s.document, q) AS rank "
               "FROM kb_search s, to_tsquery('simple', :expr) q "
               "WHERE s.document @@ q ORDER BY rank DESC LIMIT :limit")
    else:
        expr = _fts5_expression(alternatives)
        # bm25() is smaller for better matches; the question column weighs four times more.
        sql = ("SELECT rowid AS entry_id, -bm25(kb_fts, 4.0, 1.0) AS rank FROM kb_fts "
               "WHERE kb_fts MATCH :expr ORDER BY rank DESC LIMIT :limit")
    return (text(sql).bindparams(expr=expr, limit=limit)
            .columns(column("entry_id", Integer), column("rank", Float)).subquery("ranked"))
