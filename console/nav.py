"""The console's navigation, in one place: each page area adds its one entry here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from storage.models import Role

if TYPE_CHECKING:
    from console.auth import Viewer


@dataclass(frozen=True, slots=True)
class NavItem:
    label_key: str
    path: str
    role: Role = Role.STAFF


NAV = [
    NavItem("console.nav.dashboard", "/console/"),
    NavItem("console_workspace.nav.inbox", "/console/inbox", Role.EXPERT),
    NavItem("console_ops.nav.roster", "/console/roster"),
    NavItem("console_ops.nav.cases", "/console/cases", Role.EXPERT),
    NavItem("console_workspace.nav.snippets", "/console/snippets", Role.EXPERT),
    NavItem("console_comms.nav.announcements", "/console/announcements"),
    NavItem("console_comms.nav.trainings", "/console/trainings"),
    NavItem("console_comms.nav.ideas", "/console/ideas"),
    NavItem("console_kb.nav", "/console/kb"),
    NavItem("console.nav.audit", "/console/audit", Role.ADMIN),
]


def nav_for(viewer: Viewer | None) -> list[NavItem]:
    if viewer is None:
        return []
    return [item for item in NAV if viewer.may(item.role)]
