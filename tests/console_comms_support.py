"""Helpers of the console's announcement, training and idea tests over HTTP: posting forms,
and the one-time token (`once`) a page gives its forms."""

from __future__ import annotations

import io
import re
import struct
import zlib
from typing import Any

import aiohttp

from tests.console_support import csrf_of


def once_of(page: str) -> str:
    """The one-time token of the forms on a console page."""
    return hidden_value(page, "once")


def hidden_value(page: str, name: str) -> str:
    """The value of the first hidden field `name` on a page."""
    found = re.search(rf'type="hidden" name="{name}" value="([^"]*)"', page)
    assert found, f"the page has no hidden field {name}"
    return found[1]


async def post(client: aiohttp.ClientSession, url: str,
               data: dict[str, Any] | aiohttp.FormData) -> tuple[int, str, str]:
    """Status, body and Location of a POST (redirects are not followed)."""
    async with client.post(url, data=data, allow_redirects=False) as response:
        return response.status, await response.text(), response.headers.get("Location", "")


async def page_tokens(client: aiohttp.ClientSession, url: str) -> tuple[str, str]:
    """The CSRF token and the one-time form token of a page."""
    async with client.get(url) as response:
        page = await response.text()
        assert response.status == 200, page
    return csrf_of(page), once_of(page)


def tiny_png() -> bytes:
    """A real 1×1 PNG image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x80\x00")) + chunk(b"IEND", b""))


def multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes, str]]
              ) -> aiohttp.FormData:
    """A multipart form as a browser sends it: text fields and (name, bytes, type) files."""
    form = aiohttp.FormData()
    for name, value in fields.items():
        form.add_field(name, value)
    for name, (filename, data, content_type) in files.items():
        form.add_field(name, io.BytesIO(data), filename=filename, content_type=content_type)
    return form
