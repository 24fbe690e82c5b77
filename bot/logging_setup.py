"""Logging that never prints a secret: tokens are masked in every formatted line."""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

MASK = "<secret>"


class RedactingFormatter(logging.Formatter):
    """Masks secrets in the whole formatted line, exception text included."""

    def __init__(self, secrets: Iterable[str], fmt: str) -> None:
        super().__init__(fmt)
        self._secrets = [s for s in secrets if s]

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        for secret in self._secrets:
            line = line.replace(secret, MASK)
        return line


def configure_logging(level: str, secrets: Iterable[str]) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        RedactingFormatter(secrets, "%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # httpx logs every request URL at INFO, and Bot API URLs contain the token.
    for noisy in ("httpx", "httpcore", "apscheduler", "aiohttp.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


class RedactingStream:
    """A text stream that masks secrets in everything written through it.

    The CLI sends sys.stdout and sys.stderr through one of these, so a token inside any
    message (a library's error naming the URL it called, a printed reason) never reaches the
    terminal, whichever module printed it."""

    def __init__(self, stream: TextIO, secrets: list[str]) -> None:
        self._stream = stream
        self._secrets = secrets  # shared and filled in once the settings are read

    def write(self, text: str) -> int:
        for secret in self._secrets:
            if secret:
                text = text.replace(secret, MASK)
        return self._stream.write(text)

    def __getattr__(self, name: str) -> Any:  # flush, isatty, encoding, fileno...
        return getattr(self._stream, name)


@contextlib.contextmanager
def masked_output(secrets: list[str]) -> Iterator[None]:
    """sys.stdout and sys.stderr masked while the block runs; restored after."""
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = RedactingStream(out, secrets), RedactingStream(err, secrets)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = out, err
