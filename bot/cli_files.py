"""Reading a user's file for a command: UTF-8 text, bounded, refused in one sentence.

A file saved by a spreadsheet in GBK, or a PDF passed by mistake, used to end in a
UnicodeDecodeError traceback; the refusal names the line of the first byte that is not UTF-8.
"""

from __future__ import annotations

from pathlib import Path

# Every file the command line reads is a page or a list: CSV plans, course files, bodies.
MAX_TEXT_FILE_BYTES = 5_000_000


class InputFileError(ValueError):
    """The file cannot be used; the message is one sentence without the path."""


def read_utf8(path: Path, max_bytes: int = MAX_TEXT_FILE_BYTES) -> str:
    try:
        with path.open("rb") as file:
            data = file.read(max_bytes + 1)
    except OSError as error:
        raise InputFileError(error.strerror or str(error)) from None
    if len(data) > max_bytes:
        raise InputFileError(f"the file is larger than {max_bytes:,} bytes")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise InputFileError(
            f"line {line} is not UTF-8 text (byte 0x{data[error.start]:02x}); "
            "save the file as UTF-8") from None
