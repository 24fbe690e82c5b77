"""Tables for people to open in Excel: CSV (UTF-8 with a BOM) or XLSX (openpyxl).

Both carry the viewer's headers; the XLSX also has a frozen header row, a header filter
(autofilter) and column widths fitted to the longest value, so a file opens readable.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import datetime

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

FORMATS = ("csv", "xlsx")
# Excel would evaluate a cell starting with one of these as a formula.
_FORMULA_START = ("=", "+", "-", "@")
_MIN_WIDTH, _MAX_WIDTH = 8, 60
_DATE_TIME = "%Y-%m-%d %H:%M"
_XLSX_DATE_TIME = "yyyy-mm-dd hh:mm"


def _safe(value: object) -> object:
    return f"'{value}" if isinstance(value, str) and value[:1] in _FORMULA_START else value


def _shown(value: object) -> object:
    return value.strftime(_DATE_TIME) if isinstance(value, datetime) else value


def _width(value: object) -> int:
    """Display width in characters: a Chinese character takes two columns."""
    text = "" if value is None else str(_shown(value))
    longest = max((sum(2 if ord(ch) > 0x2E80 else 1 for ch in line)
                   for line in text.splitlines() or [""]), default=0)
    return longest


def table_csv(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows([[_safe(_shown(v)) for v in row] for row in rows])
    # The byte-order mark is what makes Excel read 汉字 in a CSV file correctly.
    return buffer.getvalue().encode("utf-8-sig")


def table_xlsx(title: str, headers: Sequence[str],
               rows: Sequence[Sequence[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]  # Excel's limit on a sheet name
    sheet.append(list(headers))
    for row in rows:
        sheet.append([_safe(v) for v in row])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, datetime):
                cell.number_format = _XLSX_DATE_TIME
    sheet.freeze_panes = "A2"
    last = get_column_letter(max(len(headers), 1))
    sheet.auto_filter.ref = f"A1:{last}{max(sheet.max_row, 1)}"
    for index, header in enumerate(headers, start=1):
        widest = max([_width(header) + 3] + [_width(row[index - 1]) for row in rows
                                             if index - 1 < len(row)])
        sheet.column_dimensions[get_column_letter(index)].width = min(
            max(widest + 2, _MIN_WIDTH), _MAX_WIDTH)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def table(kind: str, title: str, headers: Sequence[str],
          rows: Sequence[Sequence[object]]) -> bytes:
    return table_xlsx(title, headers, rows) if kind == "xlsx" else table_csv(headers, rows)
