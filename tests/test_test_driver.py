"""The end-to-end tests act and wait through the one test driver (tests/driver.py), checked on
the tests' source itself (issue #12 item 6).

A test that calls the sandbox client's `wait_for_bot_message`, `wait_for_edit` or
`press_button` itself re-invents what the driver fixes once: which reply counts as the
answer, the press by the label a person sees, a wait that runs out saying what it expected.
Only the driver and the sandbox's own tests (tests/sandbox/, which test the client) may
touch them.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
DRIVER = TESTS / "driver.py"
SANDBOX_TESTS = TESTS / "sandbox"
# The client's calls that the driver wraps (tests/driver.py: wait_reply, say, wait_edit,
# press, press_data).
DRIVER_ONLY = frozenset({"wait_for_bot_message", "wait_for_edit", "press_button"})


def direct_uses(source: str, filename: str = "<test>") -> list[tuple[int, str]]:
    """(line, name) of every use of a driver-only client method: a call, and also a bare
    reference (`step = sandbox.press_button`), which is the same call one line later."""
    tree = ast.parse(source, filename=filename)
    return sorted((node.lineno, node.attr) for node in ast.walk(tree)
                  if isinstance(node, ast.Attribute) and node.attr in DRIVER_ONLY)


def bound_by_the_rule() -> list[Path]:
    return sorted(path for path in TESTS.rglob("*.py")
                  if path != DRIVER and not path.is_relative_to(SANDBOX_TESTS))


def test_only_the_driver_waits_for_replies_and_presses_buttons() -> None:
    found = [f"{path.relative_to(TESTS.parent).as_posix()}:{line}: {name}"
             for path in bound_by_the_rule()
             for line, name in direct_uses(path.read_text(encoding="utf-8"), str(path))]
    assert found == [], ("use tests/driver.py (wait_reply, say, wait_edit, press, press_data) "
                         "instead of the sandbox client's own calls:\n" + "\n".join(found))


def test_the_rule_covers_the_tests_and_spares_the_driver_and_the_sandbox_tests() -> None:
    covered = bound_by_the_rule()
    assert TESTS / "test_case_doors.py" in covered
    assert TESTS / "hotline_support.py" in covered
    assert DRIVER not in covered
    assert not any(path.is_relative_to(SANDBOX_TESTS) for path in covered)
    # The driver itself is what uses them.
    assert {name for _, name in direct_uses(DRIVER.read_text(encoding="utf-8"))} == DRIVER_ONLY


@pytest.mark.parametrize(("source", "expected"), [
    ("await sandbox.wait_for_bot_message(1, predicate=has('x'))",
     [(1, "wait_for_bot_message")]),
    ("async def f(client):\n    await client.press_button(1, 1, 2, 'data', force=True)",
     [(2, "press_button")]),
    ("presses = [sandbox.press_button(u, u, m, d) for u, m, d in rows]",
     [(1, "press_button")]),
    ("step = sandbox.wait_for_bot_message\nawait step(1)", [(1, "wait_for_bot_message")]),
    ("await press_data(sandbox, 1, message, 'data')\nawait wait_reply(sandbox, 1, 'x')", []),
    ("await sandbox.wait_for_edit(1, 2)\nawait sandbox.send_text(1, 'hi')",
     [(1, "wait_for_edit")]),
    ("await wait_edit(sandbox, 1, 2)\nawait sandbox.send_text(1, 'hi')", []),
])
def test_direct_uses_are_found_however_they_are_written(
        source: str, expected: list[tuple[int, str]]) -> None:
    assert direct_uses(source) == expected
