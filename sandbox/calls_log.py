"""Every Bot API call the bot made, in order, in a ring buffer of configurable size."""

from __future__ import annotations

import time
from collections import deque
from typing import Any


class CallsLog:
    def __init__(self, size: int) -> None:
        # Tuples keep the hot path to one allocation; dicts are built only when someone reads.
        self._calls: deque[tuple[str, Any, bool, int | None, str | None, float]] = deque(
            maxlen=size
        )

    def add(
        self,
        method: str,
        params: Any,
        ok: bool,
        error_code: int | None = None,
        description: str | None = None,
    ) -> None:
        self._calls.append((method, params, ok, error_code, description, time.time()))

    def clear(self) -> None:
        self._calls.clear()

    def __len__(self) -> int:
        return len(self._calls)

    def list(self, method: str | None = None, limit: int | None = None) -> list[dict[str, Any]]:
        wanted = method.lower() if method else None
        rows = [
            {"method": m, "params": p, "ok": ok, "error_code": code, "description": desc, "at": at}
            for m, p, ok, code, desc, at in self._calls
            if wanted is None or m.lower() == wanted
        ]
        return rows if limit is None else rows[-limit:]
