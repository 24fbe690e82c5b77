"""Every action the code records in the audit log has words on the audit page (issue 15
follow-up): a label for the filter and a sentence for the list, in both languages. The
source is read, not run, so a new action without its texts fails here at once."""

from __future__ import annotations

import ast
import re
from datetime import UTC, datetime
from pathlib import Path

from console.pages.audit_labels import ACTIONS
from console.pages.audit_sentences import SENTENCES, AuditSentences
from services.texts import Texts
from storage.repositories.audit import AuditRecord

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ("services", "bot", "handlers", "console", "scheduler")
# The calls that write an audit row, and the helpers that pass an action on to one.
RECORDERS = {"record", "_record", "record_action", "audit", "AuditEntryOf"}
# Keyword arguments of any call that carry an action on to be recorded
# (console/pages/trainings_edit.py's apply_change(..., audited=(action, detail))).
CARRIERS = {"action", "audited"}
ACTION = re.compile(r"^[a-z]+\.[a-z_]+$")
# Actions built with an f-string: its pattern, and every name it can produce.
FORMATTED = {
    "cases.{}": {"cases.reassign", "cases.transfer", "cases.close", "cases.take_over"},
    "kb.{}": {"kb.approve", "kb.save", "kb.retire"},
    "users.{}": {"users.grant", "users.revoke"},
}


def _constants(tree: ast.Module) -> dict[str, str]:
    """Module-level names bound to a string (`AUDIT_SET, AUDIT_CLEAR = "a.b", "a.c"`)."""
    found: dict[str, str] = {}
    for node in tree.body:
        if not isinstance(node, ast.Assign):
            continue
        for target in node.targets:
            pairs = (zip(target.elts, node.value.elts, strict=False)
                     if isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple)
                     else [(target, node.value)])
            for name, value in pairs:
                if (isinstance(name, ast.Name) and isinstance(value, ast.Constant)
                        and isinstance(value.value, str)):
                    found[name.id] = value.value
    return found


def _pattern(node: ast.JoinedStr) -> str:
    return "".join(part.value if isinstance(part, ast.Constant) else "{}"
                   for part in node.values)


def _actions_in(expression: ast.expr, constants: dict[str, str]) -> set[str]:
    """The action names an argument can be: literals, either side of `a if c else b`, a
    module constant, or what an f-string pattern stands for."""
    found: set[str] = set()
    for node in ast.walk(expression):
        if isinstance(node, ast.JoinedStr):
            pattern = _pattern(node)
            if ACTION.match(pattern.replace("{}", "x")):
                assert pattern in FORMATTED, (
                    f"audit action {pattern!r} is built with an f-string: list the names it "
                    "can take in FORMATTED")
                found |= FORMATTED[pattern]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            found.add(node.value)
        elif isinstance(node, ast.Name) and node.id in constants:
            found.add(constants[node.id])
    return {name for name in found if ACTION.match(name)}


def recorded_actions() -> dict[str, str]:
    """Each action name recorded anywhere in the code, and one place that records it."""
    found: dict[str, str] = {}
    for layer in LAYERS:
        for path in sorted((ROOT / layer).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            constants = _constants(tree)
            for node in ast.walk(tree):
                if not isinstance(node, ast.Call):
                    continue
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(
                    func, "id", None)
                # The action is among the first arguments, never inside a detail mapping.
                arguments = ([a for a in node.args[:3] if not isinstance(a, ast.Dict)]
                             if name in RECORDERS else [])
                arguments += [k.value for k in node.keywords if k.arg in CARRIERS]
                for argument in arguments:
                    for action in _actions_in(argument, constants):
                        found.setdefault(action, f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_the_scan_finds_the_actions_recorded_in_each_way() -> None:
    found = recorded_actions()
    # A literal, a conditional, a module constant, an f-string, an AuditEntryOf, and an
    # action handed on (audited=...).
    for action in ("roster.swap_offer", "roster.duty_off", "roster.duty_on",
                   "roster.fallback_set", "users.grant", "announcements.cancel",
                   "console.sign_in", "calendar.import", "trainings.session_add"):
        assert action in found, action
    assert len(found) >= 60


def test_every_recorded_action_has_a_label_and_a_sentence_in_both_languages() -> None:
    texts = Texts(("zh_CN", "en"), "zh_CN")
    found = recorded_actions()
    # Each missing one with a place that records it.
    assert {a: found[a] for a in found if a not in ACTIONS} == {}, "no label: audit_labels.py"
    assert {a: found[a] for a in found if a not in SENTENCES} == {}, (
        "no sentence: audit_sentences.py")
    for action in found:
        for locale in ("zh_CN", "en"):
            label = texts.text(locale, ACTIONS[action])
            sentence = texts.text(locale, SENTENCES[action])
            assert label != ACTIONS[action] and sentence != SENTENCES[action], (
                action, locale)
            assert "%(who)s" in sentence, (action, locale)


async def test_a_swap_reads_as_a_sentence_in_each_language() -> None:
    texts = Texts(("zh_CN", "en"), "zh_CN")
    entry = AuditRecord(1, 7, datetime(2026, 6, 10, tzinfo=UTC), "roster.swap_take",
                        "5 swap 2026-06-11", '{"swap": 3, "taker": 7}', "bot")

    async def no_idea(_reference: str) -> int | None:
        return None

    said = {}
    for locale in ("zh_CN", "en"):
        writer = AuditSentences(lambda key, _l=locale, **values: texts.text(_l, key, **values),
                                {7: "李娜"}, {}, no_idea)
        said[locale] = str((await writer.of(entry)).html)
    assert said == {"zh_CN": "李娜 接下了换班 5 swap 2026-06-11",
                    "en": "李娜 took the swapped shift 5 swap 2026-06-11"}
