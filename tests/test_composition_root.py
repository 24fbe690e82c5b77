"""One composition root: handlers and console pages never build services, repositories or
senders, and no service is finished by a setter after it was built."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# A constructor call of something that the root alone builds.
BUILT_BY_THE_ROOT = re.compile(
    r"\b(\w+(Service|Repository|Sender|Messenger|Uploader|FileSource)|ConsoleFiles|Texts)\(")
# The setters that used to finish the wiring after construction (plain methods; an async
# one of that name is an action, such as FormTokens.attach).
WIRING_SETTERS = re.compile(
    r"(?m)^\s+def (attach|connect|connect_uploader|attach_board|attach_alarm"
    r"|use_listening_address)\(")


def _sources(*folders: str) -> list[Path]:
    return sorted(p for folder in folders for p in (ROOT / folder).rglob("*.py"))


def test_handlers_and_pages_build_no_services_or_senders() -> None:
    found = [f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
             for path in _sources("handlers", "console")
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if BUILT_BY_THE_ROOT.search(line) and not line.lstrip().startswith(("class ", "#"))]
    assert found == []


def test_no_service_is_finished_by_a_setter() -> None:
    found = [f"{path.relative_to(ROOT)}: {match.group(0)}"
             for path in _sources("services", "bot", "handlers")
             for match in WIRING_SETTERS.finditer(path.read_text(encoding="utf-8"))]
    assert found == []


def test_only_the_root_wires() -> None:
    assert not (ROOT / "bot" / "wiring_features.py").exists()
    assert not (ROOT / "bot" / "privacy_wiring.py").exists()
    assert not (ROOT / "services" / "comms_console.py").exists()
    assert not (ROOT / "services" / "hotline" / "ops_console.py").exists()


def test_the_edges_reach_no_repository() -> None:
    """Handlers, pages and the CLI act through a service's front door: none of them reads a
    service's `.repository` (every read and change has a service method)."""
    edges = [*_sources("handlers", "console"), *sorted((ROOT / "bot").glob("cli*.py"))]
    found = [f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
             for path in edges
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if re.search(r"\.repository\b", line) and not line.lstrip().startswith("#")]
    assert found == []
