"""The Bot API methods the sandbox serves, registered by name from the spec."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sandbox.params import MethodSpec, Params, method_specs
from sandbox.state import Sandbox

Handler = Callable[[Sandbox, Params], Any | Awaitable[Any]]


@dataclass(frozen=True, slots=True)
class MethodEntry:
    name: str
    spec: MethodSpec
    handler: Handler
    is_async: bool


METHODS: dict[str, MethodEntry] = {}


def method(name: str, *, is_async: bool = False) -> Callable[[Handler], Handler]:
    """Serve `name`; a name missing from the spec fails at import time, not in a test."""
    spec = method_specs()[name.lower()]
    if spec.name != name:
        raise ValueError(f"spec spells {name} as {spec.name}")

    def register(handler: Handler) -> Handler:
        METHODS[name.lower()] = MethodEntry(name, spec, handler, is_async)
        return handler

    return register
