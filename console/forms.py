"""Server-side form validation that keeps what was typed and says what is wrong, per field.

    form = Form(await request.post())
    title = form.text("title", max_length=60)
    seats = form.integer("seats", minimum=1, maximum=500)
    if not form.ok:
        return await render(request, "console/x.html", status=400, form=form)

Each check records at most one error per field as a catalogue key (console.form.*, or the
page's own via `form.fail`); the template macros in console/forms.html show it beside the
field, with the value as it was typed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True, slots=True)
class FieldError:
    key: str
    values: dict[str, Any] = field(default_factory=dict)


class Form:
    def __init__(self, data: Mapping[str, Any] | None = None) -> None:
        # Uploaded files are not values to show again; keep only text fields.
        self.values: dict[str, str] = {}
        self.lists: dict[str, list[str]] = {}
        if data is not None:
            for name in set(data):
                items = [v for v in _getall(data, name) if isinstance(v, str)]
                if items:
                    self.values[name] = items[0]
                    self.lists[name] = items
        self.errors: dict[str, FieldError] = {}

    @property
    def ok(self) -> bool:
        return not self.errors

    def value(self, name: str) -> str:
        return self.values.get(name, "")

    def fail(self, name: str, key: str, **values: Any) -> None:
        """Records a page's own error for a field (the first error of a field wins)."""
        self.errors.setdefault(name, FieldError(key, values))

    def _raw(self, name: str, required: bool) -> str | None:
        raw = self.values.get(name, "").strip()
        if not raw:
            if required:
                self.fail(name, "console.form.required")
            return None
        return raw

    def text(self, name: str, *, max_length: int, min_length: int = 0,
             required: bool = True) -> str | None:
        raw = self._raw(name, required)
        if raw is None:
            return None
        if len(raw) > max_length:
            self.fail(name, "console.form.too_long", limit=max_length)
            return None
        if len(raw) < min_length:
            self.fail(name, "console.form.too_short", limit=min_length)
            return None
        return raw

    def integer(self, name: str, *, minimum: int | None = None, maximum: int | None = None,
                required: bool = True) -> int | None:
        raw = self._raw(name, required)
        if raw is None:
            return None
        if not re.fullmatch(r"-?\d{1,12}", raw):
            self.fail(name, "console.form.not_a_number")
            return None
        number = int(raw)
        if (minimum is not None and number < minimum) or (maximum is not None
                                                          and number > maximum):
            self.fail(name, "console.form.out_of_range",
                      minimum="" if minimum is None else minimum,
                      maximum="" if maximum is None else maximum)
            return None
        return number

    def choice(self, name: str, options: Iterable[str], *, required: bool = True) -> str | None:
        raw = self._raw(name, required)
        if raw is None:
            return None
        if raw not in set(options):
            self.fail(name, "console.form.not_a_choice")
            return None
        return raw

    def choices(self, name: str, options: Iterable[str]) -> list[str]:
        """Checkbox groups and multiple selects: every chosen value must be one offered."""
        allowed = set(options)
        chosen = [item for item in self.lists.get(name, []) if item]
        if any(item not in allowed for item in chosen):
            self.fail(name, "console.form.not_a_choice")
            return []
        return list(dict.fromkeys(chosen))

    def date(self, name: str, *, required: bool = True) -> date | None:
        raw = self._raw(name, required)
        if raw is None:
            return None
        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
                raise ValueError(raw)
            return date.fromisoformat(raw)
        except ValueError:
            self.fail(name, "console.form.not_a_date")
            return None

    def time(self, name: str, *, required: bool = True) -> time | None:
        raw = self._raw(name, required)
        if raw is None:
            return None
        match = _TIME.match(raw)
        if match is None:
            self.fail(name, "console.form.not_a_time")
            return None
        return time(int(match[1]), int(match[2]))

    def local_datetime(self, name: str, *, required: bool = True) -> datetime | None:
        """An <input type="datetime-local"> value: naive, in the bureau's local time."""
        raw = self._raw(name, required)
        if raw is None:
            return None
        try:
            return datetime.strptime(raw[:16], "%Y-%m-%dT%H:%M")
        except ValueError:
            self.fail(name, "console.form.not_a_datetime")
            return None

    def flag(self, name: str) -> bool:
        return self.values.get(name, "") in ("1", "on", "true", "yes")


def _getall(data: Mapping[str, Any], name: str) -> list[Any]:
    getall = getattr(data, "getall", None)
    return list(getall(name)) if getall is not None else [data[name]]
