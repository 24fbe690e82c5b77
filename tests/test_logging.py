"""No secret ever reaches a log line, exception text included."""

from __future__ import annotations

import logging
import sys

from bot.logging_setup import MASK, RedactingFormatter

TOKEN = "7000000001:AAbbCCddEEffGGhhIIjjKKllMMnnOOppQQr"


def test_tokens_are_masked_in_messages_and_tracebacks() -> None:
    formatter = RedactingFormatter([TOKEN, "webhook-secret"], "%(levelname)s %(message)s")
    try:
        raise ConnectionError(f"cannot reach https://api.telegram.org/bot{TOKEN}/getMe")
    except ConnectionError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1,
                                   "POST %s with %s", (f"/bot{TOKEN}/sendMessage",
                                                       "webhook-secret"), sys.exc_info())
    line = formatter.format(record)
    assert TOKEN not in line and "webhook-secret" not in line
    assert line.count(MASK) == 3 and "ConnectionError" in line
