"""Fixtures for the chat page's browser tests: headless Chromium through Playwright.

Debian's Chromium at /usr/bin/chromium is used as it is (never `playwright install`). Where it
is missing, or the playwright package is not importable, every browser test is skipped with
the reason printed. Screenshots go to tests/artifacts/<test name>/.
"""

from __future__ import annotations

import re
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}

Screenshot = Callable[..., Awaitable[Path]]


def _skip(reason: str) -> None:
    print(f"\n[tests/browser] skipped: {reason}", file=sys.stderr)
    pytest.skip(reason)


@pytest.fixture
def chromium_path() -> Path:
    """Debian's Chromium, or a skip saying it is missing."""
    if not CHROMIUM.exists():
        _skip(f"{CHROMIUM} not found: install Debian's chromium package to run browser tests")
    return CHROMIUM


@pytest.fixture
async def browser(chromium_path: Path) -> AsyncIterator[Any]:
    """A headless Chromium (Debian's), or a skip saying why there is none."""
    try:
        from playwright.async_api import async_playwright
    except ImportError as exc:
        _skip(f"playwright is not importable ({exc}): pip install playwright")
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=str(chromium_path), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield chromium
        finally:
            await chromium.close()


@pytest.fixture
async def page(browser: Any) -> AsyncIterator[Any]:
    """A desktop-sized page; JavaScript errors on it fail the test."""
    context = await browser.new_context(viewport=DESKTOP, locale="zh-CN")
    context.set_default_timeout(10_000)
    tab = await context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        yield tab
    finally:
        await context.close()
    if errors:
        pytest.fail("JavaScript errors on the page:\n" + "\n".join(errors))


@pytest.fixture
def artifacts_dir(request: pytest.FixtureRequest) -> Path:
    """tests/artifacts/<test name>/, made fresh for this test."""
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name).strip("_") or "test"
    folder = ARTIFACTS / name
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    return folder


@pytest.fixture
def screenshot(artifacts_dir: Path) -> Screenshot:
    """``await screenshot(page, "name")`` saves tests/artifacts/<test>/name.png."""

    async def take(tab: Any, name: str, *, full_page: bool = False) -> Path:
        path = artifacts_dir / f"{name}.png"
        await tab.screenshot(path=str(path), full_page=full_page)
        return path

    return take


@pytest.fixture
def screenshots(screenshot: Screenshot) -> Screenshot:
    """``await screenshots(page, "name")`` saves name-desktop.png (1280 px wide) and
    name-phone.png (390 px), whole pages, and leaves the page at desktop width."""

    async def take_both(tab: Any, name: str) -> Path:
        await tab.set_viewport_size(PHONE)
        await screenshot(tab, f"{name}-phone", full_page=True)
        await tab.set_viewport_size(DESKTOP)
        return await screenshot(tab, f"{name}-desktop", full_page=True)

    return take_both
