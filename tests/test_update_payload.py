"""The checks every update passes on its way in, webhook and long polling alike."""

from __future__ import annotations

import json

import pytest

from bot.update_payload import (
    MAX_DEPTH,
    MalformedUpdate,
    UnusableUpdate,
    check_update,
    parse_update,
)


def message(**extra: object) -> dict:
    return {"update_id": 5, "message": {"message_id": 1, "date": 1,
                                        "chat": {"id": 42, "type": "private"}, **extra}}


def test_u0000_becomes_the_replacement_character_everywhere() -> None:
    update = message(text="a\x00b", entities=[{"type": "bold", "offset": 0, "length": 3,
                                               "url": "x\x00"}])
    update["message"]["odd\x00key"] = "v"
    _, payload = check_update(update)
    assert payload["message"]["text"] == "a\ufffdb"
    assert payload["message"]["entities"][0]["url"] == "x\ufffd"
    assert "odd\ufffdkey" in payload["message"]
    assert "\x00" not in json.dumps(payload, ensure_ascii=False)


@pytest.mark.parametrize("big", [2**63, -(2**63) - 1, 10**30])
def test_an_integer_beyond_64_bits_anywhere_is_refused(big: int) -> None:
    update = message(reply_to_message={"message_id": 2, "date": 1,
                                       "chat": {"id": big, "type": "private"}})
    with pytest.raises(UnusableUpdate, match="does not fit in 64 bits"):
        check_update(update)


def test_the_64_bit_bounds_themselves_are_accepted() -> None:
    update_id, _ = check_update({"update_id": 2**63 - 1, "message": {"x": -(2**63)}})
    assert update_id == 2**63 - 1


@pytest.mark.parametrize("body", [b"true", b'{"update_id": true}', b'{"update_id": 1.5}'])
def test_an_update_id_must_be_an_integer(body: bytes) -> None:
    with pytest.raises(MalformedUpdate):
        parse_update(body)


def test_depth_is_bounded_without_recursion() -> None:
    inner: dict = {}
    deep = {"update_id": 1, "message": inner}
    for _ in range(MAX_DEPTH):
        inner["x"] = {}
        inner = inner["x"]
    with pytest.raises(MalformedUpdate, match="nested deeper"):
        check_update(deep)
