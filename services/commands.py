"""The command catalogue: which commands exist, for whom, and which text describes them.

Each feature module of `handlers` declares its commands here-shaped; /help and the
Telegram command menu (setMyCommands) are both derived from the same list.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from storage.models import Role

EVERYONE = frozenset(Role)
STAFF_ROLES = frozenset({Role.ADMIN, Role.STAFF})


@dataclass(frozen=True, slots=True)
class CommandSpec:
    name: str
    description_key: str
    roles: frozenset[Role] = EVERYONE
    in_menu: bool = True

    def allowed_for(self, roles: Iterable[str]) -> bool:
        return any(role in self.roles for role in roles)


def commands_for(catalogue: Iterable[CommandSpec], roles: Iterable[str]) -> list[CommandSpec]:
    role_set = set(roles) or {Role.RESIDENT.value}
    return [spec for spec in catalogue if spec.allowed_for(role_set)]
