"""getFile; the bytes are served by sandbox.file_routes."""

from __future__ import annotations

from typing import Any

from sandbox.errors import bad_request
from sandbox.methods.registry import method
from sandbox.params import Params
from sandbox.state import Sandbox

DOWNLOAD_LIMIT = 20 * 1024 * 1024  # bots may download files up to 20 MB


@method("getFile")
def get_file(sandbox: Sandbox, p: Params) -> dict[str, Any]:
    stored = sandbox.files.get(p.get("file_id"))
    if stored is None:
        raise bad_request("invalid file_id")
    if stored.file_size > DOWNLOAD_LIMIT:
        raise bad_request("file is too big")
    return stored.file_object()
