"""The knowledge base as CSV (`category,question,answer`): read whole or refused whole."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

COLUMNS = ["category", "question", "answer"]
MAX_CATEGORY = 64
MAX_QUESTION = 500
MAX_ANSWER = 4000  # Telegram's message limit is 4096 characters
MAX_ROWS = 50_000


class KbFileError(ValueError):
    """A file that cannot be imported; the message names the line."""


@dataclass(frozen=True, slots=True)
class EntryRow:
    category: str
    question: str
    answer: str


def parse_entries_csv(content: str) -> list[EntryRow]:
    reader = csv.reader(io.StringIO(content.lstrip("\ufeff")))
    header = [cell.strip().lower() for cell in next(reader, [])]
    if header != COLUMNS:
        raise KbFileError(f"line 1: the columns must be {','.join(COLUMNS)}")
    rows: list[EntryRow] = []
    seen: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(COLUMNS):
            raise KbFileError(f"line {line}: expected 3 values, found {len(row)}")
        category, question, answer = (cell.strip() for cell in row)
        for name, value, limit in (("category", category, MAX_CATEGORY),
                                   ("question", question, MAX_QUESTION),
                                   ("answer", answer, MAX_ANSWER)):
            if not value:
                raise KbFileError(f"line {line}: the {name} is empty")
            if len(value) > limit:
                raise KbFileError(f"line {line}: the {name} is longer than {limit} characters")
        if question in seen:
            raise KbFileError(f"line {line}: the same question as line {seen[question]}")
        seen[question] = line
        rows.append(EntryRow(category, question, answer))
        if len(rows) > MAX_ROWS:
            raise KbFileError(f"line {line}: more than {MAX_ROWS} entries in one file")
    if not rows:
        raise KbFileError("the file has no entries")
    return rows


def entries_csv(rows: list[EntryRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([row.category, row.question, row.answer])
    return out.getvalue()
