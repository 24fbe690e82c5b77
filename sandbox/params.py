"""Reading Bot API parameters from any encoding Telegram accepts, typed by the spec.

Everything the spec says about a method is reduced at import time to a dict lookup per
parameter, so a request costs one pass over the parameters it actually carries.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import BodyPartReader, web

from sandbox import jsonlib
from sandbox.errors import ApiError, bad_request
from sandbox.spec import load_spec

# Telegram's own wording for a missing required parameter, where it is known.
_MISSING_WORDING = {
    "chat_id": "chat_id is empty",
    "text": "message text is empty",
    "photo": "there is no photo in the request",
    "document": "there is no document in the request",
    "voice": "there is no voice in the request",
    "audio": "there is no audio in the request",
    "video": "there is no video in the request",
    "message_id": "message identifier is not specified",
}
# Required by the spec, but Telegram accepts an empty value (setWebhook url "" removes it).
_EMPTY_ALLOWED = {("setWebhook", "url")}
_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "", "no", "off"})

# Filled only while a test records which parameters the sandbox reads.
_read_log: set[tuple[str, str]] | None = None


class UnknownParameterError(Exception):
    """The sandbox tried to read a parameter its method does not have: a sandbox bug."""


@dataclass(frozen=True, slots=True)
class MethodSpec:
    name: str
    kinds: dict[str, str]
    required: tuple[str, ...]
    returns: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class UploadedFile:
    field: str
    filename: str
    content_type: str
    data: bytes

    def describe(self) -> str:
        return f"<upload {self.filename or self.field}, {len(self.data)} bytes>"


def _kind(types: list[str]) -> str:
    if "InputFile" in types:
        return "file"
    if types == ["Integer"]:
        return "int"
    if types == ["String"]:
        return "str"
    if types == ["Boolean"]:
        return "bool"
    if types == ["Float"]:
        return "float"
    if types == ["Integer", "String"]:
        return "int_or_str"
    return "json"


@functools.cache
def method_specs() -> dict[str, MethodSpec]:
    """Every spec method by lower-cased name (Telegram matches method names case-insensitively)."""
    specs: dict[str, MethodSpec] = {}
    for name, method in load_spec()["methods"].items():
        fields = method.get("fields", [])
        specs[name.lower()] = MethodSpec(
            name=name,
            kinds={field["name"]: _kind(field["types"]) for field in fields},
            required=tuple(field["name"] for field in fields if field["required"]),
            returns=tuple(method["returns"]),
        )
    return specs


def record_reads() -> set[tuple[str, str]]:
    """Start recording (method, parameter) pairs read by handlers; returns the live set."""
    global _read_log
    _read_log = set()
    return _read_log


def stop_recording() -> None:
    global _read_log
    _read_log = None


class Params:
    """Typed parameters of one call; reading a name the method lacks is a sandbox bug."""

    __slots__ = ("extras", "spec", "uploads", "values")

    def __init__(
        self,
        spec: MethodSpec,
        values: dict[str, Any],
        uploads: dict[str, UploadedFile] | None = None,
        extras: dict[str, Any] | None = None,
    ) -> None:
        self.spec = spec
        self.values = values
        self.uploads = uploads or {}
        self.extras = extras or {}

    def get(self, name: str, default: Any = None) -> Any:
        if name not in self.spec.kinds:
            raise UnknownParameterError(f"{self.spec.name} has no parameter {name}")
        if _read_log is not None:
            _read_log.add((self.spec.name, name))
        return self.values.get(name, default)

    def knows(self, name: str) -> bool:
        """Whether the method has this parameter at all (shared helpers serve many methods)."""
        return name in self.spec.kinds

    def upload(self, reference: str) -> UploadedFile | None:
        """The multipart part an "attach://name" reference points at."""
        if reference.startswith("attach://"):
            return self.uploads.get(reference[len("attach://") :])
        return None

    def loggable(self) -> dict[str, Any]:
        """Values for the calls log, with uploaded bytes replaced by a short description."""
        if not self.uploads and not self.extras:
            return self.values
        logged = {
            key: value.describe() if isinstance(value, UploadedFile) else value
            for key, value in self.values.items()
        }
        logged.update(self.extras)
        return logged


async def read_params(request: web.Request, spec: MethodSpec) -> Params:
    raw, uploads = await _read_raw(request)
    values: dict[str, Any] = {}
    extras: dict[str, Any] = {}
    kinds = spec.kinds
    for key, value in raw.items():
        kind = kinds.get(key)
        if kind is None:
            extras[key] = value.describe() if isinstance(value, UploadedFile) else value
            continue
        coerced = _coerce(key, kind, value, uploads)
        if coerced is not None:
            values[key] = coerced
    params = Params(spec, values, uploads, extras)
    for name in spec.required:
        value = values.get(name)
        if (value is None or value == "") and (spec.name, name) not in _EMPTY_ALLOWED:
            error = bad_request(_MISSING_WORDING.get(name, f'parameter "{name}" is required'))
            error.params = params.loggable()
            raise error
    return params


async def _read_raw(request: web.Request) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
    raw: dict[str, Any] = dict(request.query) if request.query_string else {}
    uploads: dict[str, UploadedFile] = {}
    if not request.body_exists:
        return raw, uploads
    ctype = request.content_type
    if ctype == "multipart/form-data":
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            if not isinstance(part, BodyPartReader) or part.name is None:
                continue
            if part.filename is not None:
                data = bytes(await part.read(decode=True))
                content_type = part.headers.get("Content-Type", "application/octet-stream")
                uploads[part.name] = UploadedFile(part.name, part.filename, content_type, data)
            else:
                raw[part.name] = await part.text()
        for name, upload in uploads.items():
            raw.setdefault(name, upload)
        return raw, uploads
    body = await request.read()
    if not body:
        return raw, uploads
    if ctype == "application/json":
        try:
            decoded = jsonlib.loads(body)
        except ValueError as exc:
            raise bad_request("can't parse JSON request body") from exc
        if not isinstance(decoded, dict):
            raise bad_request("JSON request body must be an object")
        raw.update(decoded)
    else:
        raw.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    return raw, uploads


def _coerce(name: str, kind: str, value: Any, uploads: dict[str, UploadedFile]) -> Any:
    if kind == "str":
        return value if isinstance(value, str) else str(value)
    if kind == "int":
        return _to_int(name, value)
    if kind == "int_or_str":
        if isinstance(value, str):
            text = value.strip()
            if text.lstrip("-").isdigit():
                return int(text)
            return text
        return _to_int(name, value)
    if kind == "bool":
        if isinstance(value, bool):
            return value
        if isinstance(value, str):
            lowered = value.strip().lower()
            if lowered in _TRUE:
                return True
            if lowered in _FALSE:
                return False
            raise bad_request(f'parameter "{name}" must be a Boolean')
        return bool(value)
    if kind == "float":
        try:
            return float(value)
        except (TypeError, ValueError) as exc:
            raise bad_request(f'parameter "{name}" must be a Float') from exc
    if kind == "file":
        if isinstance(value, str) and value.startswith("attach://"):
            upload = uploads.get(value[len("attach://") :])
            if upload is None:
                raise bad_request("wrong file identifier/HTTP URL specified")
            return upload
        return value
    return _decode_json(name, value)


def _to_int(name: str, value: Any) -> int:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    try:
        if isinstance(value, float) and value.is_integer():
            return int(value)
        return int(str(value).strip())
    except ValueError as exc:
        raise bad_request(f'parameter "{name}" must be an Integer') from exc


def _decode_json(name: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if value == "":
        return None
    try:
        return jsonlib.loads(value)
    except ValueError as exc:
        if name == "reply_markup":
            raise bad_request("can't parse reply keyboard markup JSON object") from exc
        raise ApiError(400, f"Bad Request: can't parse {name} JSON object") from exc
