"""What a proposed entry must never carry: the asker's name and organisation, mainland mobile
numbers (11 digits, 1[3-9]…) and ID-card numbers (18 characters, the last may be X)."""

from __future__ import annotations

import re
from collections.abc import Iterable

# Not inside a longer run of digits: a 20-digit account number is not a phone number.
MOBILE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?(1[3-9]\d)[- ]?(\d{4})[- ]?(\d{4})(?!\d)")
ID_CARD = re.compile(r"(?<![\dA-Za-z])(\d{6})(\d{8})(\d{3}[\dXx])(?![\dA-Za-z])")
NAME_MARK = "［姓名］"
ORGANISATION_MARK = "［机构］"
MIN_NAME_LENGTH = 2  # a one-character "name" would blank out ordinary words


def mask_numbers(text: str) -> str:
    text = ID_CARD.sub(lambda m: m.group(1)[:2] + "*" * 14 + m.group(3)[-2:], text)
    return MOBILE.sub(lambda m: m.group(1) + "****" + m.group(3), text)


def redact(text: str, names: Iterable[str], organisations: Iterable[str]) -> str:
    """Masks numbers and removes the given names and organisations (longest first, so a
    name inside an organisation's name does not leave half of it behind)."""
    for value, mark in sorted(
            [(n.strip(), NAME_MARK) for n in names] +
            [(o.strip(), ORGANISATION_MARK) for o in organisations],
            key=lambda item: -len(item[0])):
        if len(value) >= MIN_NAME_LENGTH:
            text = re.sub(re.escape(value), mark, text, flags=re.IGNORECASE)
    return mask_numbers(text)
