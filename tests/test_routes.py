"""Each Application has its own routes (deep links, dialog flows, menu, hand-overs): features
register into the object the registry hands them, never into a module, so two Applications in
one process do not share or leak entries."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import AsyncIterator
from pathlib import Path
from types import ModuleType

import pytest
from telegram.ext import Application, ApplicationBuilder

import handlers
from bot.app import build_services
from bot.settings import load_settings
from handlers.context import CONTEXT_TYPES, ROUTES_KEY, SERVICES_KEY
from handlers.registry import register_handlers
from handlers.routes import Routes
from storage.db import Database


def handler_modules() -> list[ModuleType]:
    return [importlib.import_module(f"handlers.{info.name}")
            for info in pkgutil.iter_modules(handlers.__path__)]


def module_state() -> dict[str, object]:
    """A copy of every dict, list and set kept at module level in handlers/."""
    state: dict[str, object] = {}
    for module in handler_modules():
        for name, value in vars(module).items():
            if isinstance(value, dict | list | set):
                state[f"{module.__name__}.{name}"] = repr(value)
    return state


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    built = Database(f"sqlite+aiosqlite:///{tmp_path / 'routes.db'}")
    yield built
    await built.close()


def new_application(database: Database) -> Application:
    settings = load_settings(_env_file=None, database_url="sqlite+aiosqlite:///unused.db")
    application = (ApplicationBuilder().token("123:routes").context_types(CONTEXT_TYPES)
                   .updater(None).build())
    application.bot_data[SERVICES_KEY] = build_services(settings, database)
    return application


async def test_two_applications_do_not_share_routes(database: Database) -> None:
    before = module_state()
    first, second = new_application(database), new_application(database)
    first_routes = register_handlers(first)
    second_routes = register_handlers(second)

    assert first.bot_data[ROUTES_KEY] is first_routes
    assert second.bot_data[ROUTES_KEY] is second_routes
    for part in ("flows", "deep_links", "menu", "newcomer_offers", "after_profile",
                 "after_suggestions"):
        assert getattr(first_routes, part) is not getattr(second_routes, part)
    # Both hold every feature's entries, each once (a second registration would raise).
    assert first_routes.flows.names() == second_routes.flows.names()
    assert {"profile", "hotline_ask", "idea"} <= first_routes.flows.names()
    assert first_routes.deep_links.names() == {"ask", "idea", "a"}
    assert [entry.label_key for _, entry in first_routes.menu.shown_to(frozenset())] == [
        "menu.idea", "menu.trainings", "menu.announcements", "menu.subscribe", "menu.help",
        "menu.language", "menu.privacy"]
    assert len(list(first_routes.newcomer_offers)) == len(list(second_routes.newcomer_offers)) == 1
    # Registering changed no module-level dict, list or set in handlers/.
    assert module_state() == before


def test_a_name_registered_twice_is_a_wiring_mistake() -> None:
    routes = Routes()

    async def step(*_args: object) -> None:
        return None

    routes.flows.add("profile", step)
    routes.menu.add("help", "menu.help", step)
    with pytest.raises(ValueError, match="profile"):
        routes.flows.add("profile", step)
    with pytest.raises(ValueError, match="help"):
        routes.menu.add("help", "menu.help", step)


def test_the_longest_deep_link_prefix_wins() -> None:
    routes = Routes()

    async def short(*_args: object) -> None:
        return None

    async def long(*_args: object) -> None:
        return None

    routes.deep_links.add("a", short)
    routes.deep_links.add("ask", long)
    assert routes.deep_links.match("ask") == (long, "")
    assert routes.deep_links.match("a42") == (short, "42")
    assert routes.deep_links.match("idea") is None
