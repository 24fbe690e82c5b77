"""Where one feature hands over to another: deep links, dialog flows, the main menu, newcomer
offers and what follows a finished profile or suggestion.

handlers/registry.py creates one `Routes` per Application and passes it to every feature's
`register()`; the dispatching handlers (start, dialogs, main_menu, profile, kb_suggest) find it
through `context.routes`. Nothing is kept in a module: two Applications in one process (as in
the tests) never see each other's entries.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:
    from telegram import Update

    from handlers.context import HotlineContext
    from services.dialogs import DraftState

    Action = Callable[[Update, HotlineContext], Awaitable[object]]
    DeepLinkHandler = Callable[[Update, HotlineContext, str], Awaitable[None]]
    StepHandler = Callable[[Update, HotlineContext, DraftState], Awaitable[None]]

# Callback data of a main-menu button: "menu:<name>".
MENU_PREFIX = "menu:"

Handler = TypeVar("Handler")


class _Named(Generic[Handler]):
    """Names -> handlers, each name registered once (a second one is a wiring mistake)."""

    def __init__(self, what: str) -> None:
        self._what = what
        self._handlers: dict[str, Handler] = {}

    def add(self, name: str, handler: Handler) -> None:
        if name in self._handlers:
            raise ValueError(f"{self._what} {name!r} is registered twice")
        self._handlers[name] = handler

    def get(self, name: str) -> Handler | None:
        return self._handlers.get(name)

    def __contains__(self, name: object) -> bool:
        return name in self._handlers

    def names(self) -> frozenset[str]:
        return frozenset(self._handlers)


class DialogFlows(_Named["StepHandler"]):
    """Flow name -> the handler of its next answer (handlers/dialogs.py routes to it)."""

    def __init__(self) -> None:
        super().__init__("dialog flow")


class DeepLinks(_Named["DeepLinkHandler"]):
    """Start-payload prefix -> handler given the rest ("a42" -> "42" for "a")."""

    def __init__(self) -> None:
        super().__init__("deep link")

    def match(self, payload: str) -> tuple[DeepLinkHandler, str] | None:
        """The handler of the longest prefix the payload starts with, and the rest of it."""
        for prefix in sorted(self._handlers, key=len, reverse=True):
            if payload.startswith(prefix):
                return self._handlers[prefix], payload.removeprefix(prefix)
        return None


class Continuations(_Named["StepHandler | Action"]):
    """Flow name -> what comes next once a shared step (the profile, the suggestions) is done."""


class NewcomerOffers:
    """Run after the greeting of a person's very first /start (e.g. "subscribe?"), in order."""

    def __init__(self) -> None:
        self._offers: list[Action] = []

    def add(self, offer: Action) -> None:
        self._offers.append(offer)

    def __iter__(self) -> Iterator[Action]:
        return iter(list(self._offers))


class GreetingPanels(NewcomerOffers):
    """Run after the greeting of every plain /start: a person's own things to do (an
    expert's open cases and shifts, handlers/hotline_expert_desk.py), in order."""


@dataclass(frozen=True, slots=True)
class MenuEntry:
    label_key: str
    action: Action
    roles: frozenset[str] | None  # None: everyone
    position: int

    def shown_to(self, roles: frozenset[str]) -> bool:
        return self.roles is None or bool(self.roles & roles)


class MainMenu:
    """The buttons under /start, keyed by their callback data ("menu:ask")."""

    def __init__(self) -> None:
        self._entries: dict[str, MenuEntry] = {}

    def add(self, name: str, label_key: str, action: Action, *,
            roles: Iterable[str] | None = None, position: int = 50) -> None:
        """Adds a button; lower positions come first."""
        data = MENU_PREFIX + name
        if data in self._entries:
            raise ValueError(f"menu entry {name!r} is registered twice")
        allowed = frozenset(str(role) for role in roles) if roles is not None else None
        self._entries[data] = MenuEntry(label_key, action, allowed, position)

    def shown_to(self, roles: frozenset[str]) -> list[tuple[str, MenuEntry]]:
        """(callback data, entry) of the buttons these roles see, in their order."""
        return sorted(((data, entry) for data, entry in self._entries.items()
                       if entry.shown_to(roles)), key=lambda item: item[1].position)

    def get(self, data: str) -> MenuEntry | None:
        return self._entries.get(data)


@dataclass(frozen=True, slots=True)
class Routes:
    """Every hand-over point of one Application, filled by the features' register()."""

    flows: DialogFlows = field(default_factory=DialogFlows)
    deep_links: DeepLinks = field(default_factory=DeepLinks)
    menu: MainMenu = field(default_factory=MainMenu)
    newcomer_offers: NewcomerOffers = field(default_factory=NewcomerOffers)
    greeting_panels: GreetingPanels = field(default_factory=GreetingPanels)
    # A feature that needed the profile first (started with `then=<flow>` in the draft's
    # data) continues here once the profile is saved, e.g. /ask goes on to its categories.
    after_profile: Continuations = field(
        default_factory=lambda: Continuations("after-profile step"))
    # flow -> what "I still want an expert" continues with (hotline_ask registers open_case).
    after_suggestions: Continuations = field(
        default_factory=lambda: Continuations("after-suggestions step"))
