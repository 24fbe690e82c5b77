"""Injected failures: 5xx answers, slow answers and dropped connections, at a chosen rate."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

FAULT_KINDS = ("5xx", "slow", "drop")


@dataclass(frozen=True)
class FaultConfig:
    """rate: chance per matching call; methods: Bot API method names (None = every method)."""

    rate: float = 0.0
    kinds: tuple[str, ...] = ("5xx",)
    methods: frozenset[str] | None = None
    slow_ms: int = 500
    _lowered: frozenset[str] | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not 0.0 <= self.rate <= 1.0:
            raise ValueError("fault rate must be between 0 and 1")
        unknown = set(self.kinds) - set(FAULT_KINDS)
        if unknown or not self.kinds:
            raise ValueError(f"fault kinds must be some of {FAULT_KINDS}, got {self.kinds}")
        if self.slow_ms < 0:
            raise ValueError("slow_ms must not be negative")
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
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "rate": self.rate,
            "kinds": list(self.kinds),
            "methods": None if self.methods is None else sorted(self.methods),
            "slow_ms": self.slow_ms,
        }


@dataclass(frozen=True, slots=True)
class Fault:
    kind: str  # "500", "502", "slow" or "drop"
    delay: float = 0.0


class FaultInjector:
    """Draws faults from its own seeded generator so a run with a fixed seed repeats exactly."""

    def __init__(self, config: FaultConfig | None, seed: int) -> None:
        self.config = config
        self._rng = random.Random(seed)

    def reseed(self, seed: int) -> None:
        self._rng = random.Random(seed)

    def draw(self, method: str) -> Fault | None:
        config = self.config
        if config is None or config.rate <= 0 or not config.applies_to(method):
            return None
        if self._rng.random() >= config.rate:
            return None
        kind = self._rng.choice(config.kinds)
        if kind == "5xx":
            return Fault(self._rng.choice(("500", "502")))
        if kind == "slow":
            return Fault("slow", config.slow_ms / 1000)
        return Fault("drop")
