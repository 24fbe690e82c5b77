"""An idea's photo in the console: served by an authenticated console address, fetched once
through the bot's getFile, never with the bot's token in the page."""

from __future__ import annotations

from bot.app import Hotline
from sandbox.client import SandboxClient
from storage.models import Role
from tests.console_comms_support import tiny_png
from tests.console_support import console_base, http_client, signed_in_client
from tests.driver import person


async def test_an_ideas_photo_is_shown_through_the_console_and_fetched_once(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    author = await person(sandbox, hotline, "Liu", role=None)
    await hotline.services.people.grant(author["id"], Role.RESIDENT)
    sent = await sandbox.send_photo(author["id"], tiny_png())
    file_id = sent["photo"][-1]["file_id"]
    idea = await hotline.services.ideas.submit(author["id"], {
        "title": "Broken lamp", "problem": "Dark at night.", "solution": "Fix it.",
        "street": "太和街道", "community": "太和社区", "contact": "13800000000",
        "show_name": False, "photo": file_id})
    staff = await person(sandbox, hotline, "Wang", role=Role.STAFF)
    url = f"{console_base(hotline)}/ideas/{idea.id}"
    token = hotline.settings.bot_token.get_secret_value()
    async with await signed_in_client(hotline, sandbox, staff["id"]) as client:
        async with client.get(url) as response:
            page = await response.text()
        assert f'src="/console/ideas/{idea.id}/photo"' in page and token not in page
        for _ in range(2):
            async with client.get(f"{url}/photo") as response:
                assert response.status == 200
                assert response.content_type == "image/png"
                assert await response.read() == tiny_png()
                assert "private" in response.headers["Cache-Control"]
    assert len(await sandbox.calls("getFile")) == 1  # the second came from the cache
    async with http_client() as stranger, stranger.get(f"{url}/photo") as response:
        assert response.status == 401


async def test_an_idea_without_a_photo_has_none_to_show(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    author = await person(sandbox, hotline, "Liu", role=Role.RESIDENT)
    idea = await hotline.services.ideas.submit(author["id"], {
        "title": "Benches", "problem": "None.", "solution": "Some.", "street": "太和街道",
        "community": "太和社区", "contact": "13800000000", "show_name": False})
    staff = await person(sandbox, hotline, "Wang", role=Role.STAFF)
    url = f"{console_base(hotline)}/ideas/{idea.id}"
    async with await signed_in_client(hotline, sandbox, staff["id"]) as client:
        async with client.get(url) as response:
            assert "/photo" not in await response.text()
        async with client.get(f"{url}/photo") as response:
            assert response.status == 404
    assert not await sandbox.calls("getFile")
