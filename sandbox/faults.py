"""Injected failures: 5xx and 429 answers, slow answers and dropped connections, at a chosen
rate, optionally only the first `count` times (a failure that passes on a retry)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

FAULT_KINDS = ("5xx", "429", "slow", "drop")


@dataclass(frozen=True)
class FaultConfig:
    """rate: chance per matching call; methods: Bot API method names (None = every method);
    retry_after: the seconds a 429 asks for; count: at most this many faults (None = no end)."""

    rate: float = 0.0
    kinds: tuple[str, ...] = ("5xx",)
    methods: frozenset[str] | None = None
    slow_ms: int = 500
    retry_after: int = 1
    count: int | None = None
    _lowered: frozenset[str] | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not 0.0 <= self.rate <= 1.0:
            raise ValueError("fault rate must be between 0 and 1")
        unknown = set(self.kinds) - set(FAULT_KINDS)
        if unknown or not self.kinds:
            raise ValueError(f"fault kinds must be some of {FAULT_KINDS}, got {self.kinds}")
        if self.slow_ms < 0:
            raise ValueError("slow_ms must not be negative")
        if self.retry_after < 1:
            raise ValueError("retry_after must be at least 1 second")
        if self.count is not None and self.count < 0:
            raise ValueError("count must not be negative")
        lowered = None if self.methods is None else frozenset(m.lower() for m in self.methods)
        object.__setattr__(self, "_lowered", lowered)

    def applies_to(self, method: str) -> bool:
        return self._lowered is None or method.lower() in self._lowered

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FaultConfig:
        methods = data.get("methods")
        return cls(
            rate=float(data.get("rate", 0.0)),
            kinds=tuple(data.get("kinds") or ("5xx",)),
            methods=None if methods is None else frozenset(methods),
            slow_ms=int(data.get("slow_ms", 500)),
            retry_after=int(data.get("retry_after", 1)),
            count=None if data.get("count") is None else int(data["count"]),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "rate": self.rate,
            "kinds": list(self.kinds),
            "methods": None if self.methods is None else sorted(self.methods),
            "slow_ms": self.slow_ms,
            "retry_after": self.retry_after,
            "count": self.count,
        }


@dataclass(frozen=True, slots=True)
class Fault:
    kind: str  # "500", "502", "429", "slow" or "drop"
    delay: float = 0.0


class FaultInjector:
    """Draws faults from its own seeded generator so a run with a fixed seed repeats exactly."""

    def __init__(self, config: FaultConfig | None, seed: int) -> None:
        self.config = config
        self._rng = random.Random(seed)

    @property
    def config(self) -> FaultConfig | None:
        return self._config

    @config.setter
    def config(self, config: FaultConfig | None) -> None:
        # A new configuration starts its own `count` afresh.
        self._config = config
        self._injected = 0

    def reseed(self, seed: int) -> None:
        self._rng = random.Random(seed)

    def draw(self, method: str) -> Fault | None:
        config = self.config
        if config is None or config.rate <= 0 or not config.applies_to(method):
            return None
        if config.count is not None and self._injected >= config.count:
            return None
        if self._rng.random() >= config.rate:
            return None
        self._injected += 1
        kind = self._rng.choice(config.kinds)
        if kind == "5xx":
            return Fault(self._rng.choice(("500", "502")))
        if kind == "429":
            return Fault("429", float(config.retry_after))
        if kind == "slow":
            return Fault("slow", config.slow_ms / 1000)
        return Fault("drop")
