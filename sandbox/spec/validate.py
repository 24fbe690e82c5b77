"""Checks a JSON value against the Bot API description.

Used by the tests to prove that every object the sandbox returns carries every field the spec
marks required, with the right JSON type, and nothing the spec does not know.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from sandbox.spec import load_spec

# Subtypes name their discriminator in prose: 'always "creator"' or 'must be photo'.
_DISCRIMINATOR = re.compile(r'(?:always|must be) [“"]?([a-z_]+)')
_SCALARS = {"Integer", "String", "Boolean", "True", "Float", "InputFile"}


@functools.cache
def _types() -> dict[str, Any]:
    return load_spec()["types"]


@functools.cache
def _discriminators(type_name: str) -> tuple[str | None, dict[str, str]]:
    """For an abstract type: (field name, {field value: concrete subtype})."""
    field_name: str | None = None
    mapping: dict[str, str] = {}
    for sub in _types()[type_name].get("subtypes", []):
        for field in _types()[sub].get("fields", []):
            if field["name"] not in ("type", "status", "source"):
                continue
            match = _DISCRIMINATOR.search(field.get("description", ""))
            if match:
                field_name = field["name"]
                mapping[match.group(1)] = sub
    return field_name, mapping


def _check_scalar(name: str, value: Any) -> bool:
    if name == "Integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if name == "Float":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if name == "String":
        return isinstance(value, str)
    if name == "Boolean":
        return isinstance(value, bool)
    if name == "True":
        return value is True
    return name == "InputFile" and isinstance(value, str)


def validate_value(
    type_exprs: list[str] | tuple[str, ...], value: Any, path: str = "$"
) -> list[str]:
    """Problems of `value` against a union of spec type expressions (empty when it fits one)."""
    best: list[str] | None = None
    for expr in type_exprs:
        problems = _validate_expr(expr, value, path)
        if not problems:
            return []
        if best is None or len(problems) < len(best):
            best = problems
    if len(type_exprs) > 1 and best:
        return [f"{path}: fits none of {' or '.join(type_exprs)} ({best[0]})"]
    return best or []


def _validate_expr(expr: str, value: Any, path: str) -> list[str]:
    if expr.startswith("Array of "):
        if not isinstance(value, list):
            return [f"{path}: expected {expr}, got {type(value).__name__}"]
        inner = expr[len("Array of ") :]
        problems: list[str] = []
        for index, item in enumerate(value):
            problems.extend(_validate_expr(inner, item, f"{path}[{index}]"))
        return problems
    if expr in _SCALARS:
        if _check_scalar(expr, value):
            return []
        return [f"{path}: expected {expr}, got {type(value).__name__} {value!r:.40}"]
    return validate_object(expr, value, path)


def validate_object(type_name: str, obj: Any, path: str = "$") -> list[str]:
    """Problems of `obj` as the spec type `type_name`: missing, mistyped or unknown fields."""
    spec_type = _types().get(type_name)
    if spec_type is None:
        return [f"{path}: unknown spec type {type_name}"]
    if not isinstance(obj, dict):
        return [f"{path}: expected {type_name} object, got {type(obj).__name__}"]
    if "subtypes" in spec_type:
        return _validate_abstract(type_name, spec_type, obj, path)
    problems: list[str] = []
    fields = {field["name"]: field for field in spec_type.get("fields", [])}
    for name, field in fields.items():
        if name in obj:
            problems.extend(validate_value(field["types"], obj[name], f"{path}.{name}"))
        elif field["required"]:
            problems.append(f"{path}: {type_name} lacks required field {name}")
    problems.extend(
        f"{path}: {type_name} has unknown field {name}" for name in obj if name not in fields
    )
    return problems


def _validate_abstract(type_name: str, spec_type: dict, obj: dict, path: str) -> list[str]:
    if type_name == "MaybeInaccessibleMessage":
        concrete = "InaccessibleMessage" if obj.get("date") == 0 else "Message"
        return validate_object(concrete, obj, path)
    field_name, mapping = _discriminators(type_name)
    if field_name is not None:
        concrete = mapping.get(obj.get(field_name))
        if concrete is None:
            return [f"{path}: {type_name}.{field_name}={obj.get(field_name)!r} names no subtype"]
        return validate_object(concrete, obj, path)
    attempts = [validate_object(sub, obj, path) for sub in spec_type["subtypes"]]
    if any(not problems for problems in attempts):
        return []
    return min(attempts, key=len)
