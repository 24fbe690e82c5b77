"""The layers' import rules (docs/ARCHITECTURE.md, "Layers"), checked on the source itself.

Every `import` counts, inside functions and `if TYPE_CHECKING:` too: a rule that holds only at
module level is a rule a late import quietly breaks.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OUR_PACKAGES = ("bot", "handlers", "services", "storage", "scheduler", "console", "sandbox")

# (layer, what it must not import, why)
RULES = [
    ("services", "telegram", "services are plain async Python; the Telegram side is bot/"),
    ("storage", "telegram", "storage knows rows, not Telegram"),
    ("storage", "services", "storage is the bottom layer"),
    ("handlers", "storage.repositories", "handlers go through a service's front door"),
    ("console", "storage.repositories", "console pages go through a service's front door"),
    ("services", "handlers", "services never know who calls them"),
    ("services", "console", "services never know who calls them"),
    ("services", "bot", "services are built by the root, never reach back into it"),
    *[("sandbox", package, "the sandbox stands in for Telegram: it must not import the bot")
      for package in OUR_PACKAGES if package != "sandbox"],
]

# (file, rule) violations that exist today, each waiting for a service to hand out what the
# page needs (none left: the announcement and idea services re-export AnnouncementRecord and
# the board's VIEWS). This set may only shrink.
KNOWN_EXCEPTIONS: set[tuple[str, str]] = set()


def imported_modules(path: Path) -> Iterator[str]:
    """Every module a file imports, with `from m import n` also giving "m.n" (n may be one)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def python_files(layer: str) -> list[Path]:
    return sorted((ROOT / layer).rglob("*.py"))


def violations() -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for layer, forbidden, _why in RULES:
        for path in python_files(layer):
            for name in imported_modules(path):
                if within(name, forbidden):
                    found.add((path.relative_to(ROOT).as_posix(), forbidden))
    return found


def test_no_layer_imports_what_it_must_not() -> None:
    new = violations() - KNOWN_EXCEPTIONS
    why = {(layer, forbidden): reason for layer, forbidden, reason in RULES}
    assert not new, "\n".join(
        f"{path} imports {forbidden}: {why[(path.split('/')[0], forbidden)]}"
        for path, forbidden in sorted(new))


def test_the_known_exceptions_only_shrink() -> None:
    """An exception that no longer happens is taken off the list (so it cannot come back)."""
    assert violations() >= KNOWN_EXCEPTIONS


def test_one_texts_environment() -> None:
    """Only services/texts.py builds a Jinja2 environment: the bot's messages and the
    console's pages share its catalogues and escaping (the sandbox's own page is not ours)."""
    builders = set()
    for package in OUR_PACKAGES:
        if package == "sandbox":
            continue
        for path in python_files(package):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.Call):
                    called = node.func
                    name = called.attr if isinstance(called, ast.Attribute) else getattr(
                        called, "id", "")
                    if name == "Environment":
                        builders.add(path.relative_to(ROOT).as_posix())
    assert builders == {"services/texts.py"}


@pytest.mark.parametrize(("source", "expected"), [
    ("import telegram", {"telegram"}),
    ("def f():\n    from telegram.ext import Application",
     {"telegram.ext", "telegram.ext.Application"}),
    ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from storage import repositories",
     {"typing", "typing.TYPE_CHECKING", "storage", "storage.repositories"}),
    ("from . import sibling", set()),
])
def test_imports_are_found_wherever_they_are(tmp_path: Path, source: str,
                                             expected: set[str]) -> None:
    module = tmp_path / "module.py"
    module.write_text(source, encoding="utf-8")
    assert set(imported_modules(module)) == expected
