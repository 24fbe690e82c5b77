"""The guard every end-to-end test runs after the bot stops really catches wrong API use."""

from __future__ import annotations

from tests.support import calls_outside_the_spec


def test_unknown_methods_and_parameters_are_reported() -> None:
    problems = calls_outside_the_spec([
        {"method": "sendMessage", "params": {"chat_id": 1, "text": "ok", "parse_mode": "HTML"}},
        {"method": "sendMesage", "params": {}},
        {"method": "sendMessage", "params": {"chat_id": 1, "txt": "typo"}},
    ])
    assert problems == ["sendMesage is not a Bot API method",
                        "sendMessage has no parameter(s) ['txt']"]
