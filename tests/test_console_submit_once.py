"""Forms of the console sent twice act once: a replayed POST (a double click, a reload, a
second tab) is led to the first one's result and sends nothing more. Attachments of
announcements: checked on the server, uploaded once, then sent by file_id to subscribers."""

from __future__ import annotations

from pathlib import Path

import aiohttp

from bot.app import Hotline
from sandbox.client import SandboxClient
from sandbox.server import SandboxServer
from storage.models import Role
from tests.announcements_support import progress_when
from tests.console_comms_support import (
    hidden_value,
    multipart,
    once_of,
    page_tokens,
    post,
    tiny_png,
)
from tests.console_support import console_base, csrf_of, signed_in_client
from tests.driver import person, wait_reply
from tests.ideas_helpers import resident_idea
from tests.support import running_hotline

MESSAGE = {"topic": "policy", "title": "Rent subsidy", "body": "Apply now.", "link": "",
           "when": "now", "send_at": ""}


async def _confirm_page(client: aiohttp.ClientSession, base: str,
                        data: dict[str, str] | aiohttp.FormData) -> str:
    status, page, _ = await post(client, f"{base}/announcements/review", data)
    assert status == 200, page
    return page


async def test_a_replayed_send_publishes_one_announcement_and_sends_it_once(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    readers = [await person(sandbox, hotline, name, role=None) for name in ("Ann", "Bo")]
    for reader in readers:
        await hotline.services.subscriptions.subscribe(reader["id"], ["policy"])
    staff = await person(sandbox, hotline, "Wang", role=Role.STAFF)
    base = console_base(hotline)
    async with await signed_in_client(hotline, sandbox, staff["id"]) as client:
        async with client.get(f"{base}/announcements/new") as response:
            csrf = csrf_of(await response.text())
        confirm = await _confirm_page(client, base, {**MESSAGE, "csrf": csrf})
        sending = {**MESSAGE, "csrf": csrf, "once": once_of(confirm)}
        status, _, first = await post(client, f"{base}/announcements/send", sending)
        assert status == 303 and "/console/announcements/" in first
        status, _, second = await post(client, f"{base}/announcements/send", sending)
        assert status == 303
        assert second.split("?")[0] == first.split("?")[0]
        assert "console_comms.once.done" in second
        async with client.get(f"{base}{second.removeprefix('/console')}") as response:
            assert "nothing was done twice" in await response.text()
        # An older confirmation of the same form (the back button) leads there too.
        status, _, older = await post(client, f"{base}/announcements/review", sending)
        assert status == 303 and older.split("?")[0] == first.split("?")[0]
        # Without a token, or with one made up, nothing is published either.
        status, page, _ = await post(client, f"{base}/announcements/send",
                                     {**MESSAGE, "csrf": csrf, "once": "made-up"})
        assert status == 400 and "out of date" in page
    assert (await hotline.services.announcements.history.page(1)).total == 1
    announcement_id = int(first.split("?")[0].rsplit("/", 1)[1])
    await progress_when(hotline.services, announcement_id, lambda p: p.remaining == 0)
    for reader in readers:
        await wait_reply(sandbox, reader["id"], lambda m: "Rent subsidy" in (m.get("text") or ""))
        received = [m for m in await sandbox.messages(reader["id"])
                    if "Rent subsidy" in (m.get("text") or "")]
        assert len(received) == 1


async def test_an_uploaded_photo_goes_out_with_the_announcement_as_its_caption(
        sandbox_server: SandboxServer, sandbox: SandboxClient, tmp_path: Path) -> None:
    storage = await sandbox.create_group("Hotline attachments", is_forum=False)
    hotline = await running_hotline(sandbox_server, tmp_path, media_chat_id=storage["id"])
    try:
        readers = [await person(sandbox, hotline, name, role=None) for name in ("Ann", "Bo")]
        for reader in readers:
            await hotline.services.subscriptions.subscribe(reader["id"], ["policy"])
        staff = await person(sandbox, hotline, "Wang", role=Role.STAFF)
        base = console_base(hotline)
        photo = tiny_png()
        async with await signed_in_client(hotline, sandbox, staff["id"]) as client:
            async with client.get(f"{base}/announcements/new") as response:
                csrf = csrf_of(await response.text())
            confirm = await _confirm_page(client, base, multipart(
                {**MESSAGE, "csrf": csrf}, {"photo": ("notice.png", photo, "image/png")}))
            assert "With the photo: notice.png" in confirm
            # Uploaded once, silently, to the storage chat for its file_id, and deleted
            # there at once; nothing reaches the composing staff member's own chat.
            [upload] = await sandbox.calls("sendPhoto")
            assert upload["params"]["chat_id"] in (storage["id"], str(storage["id"]))
            [deleted] = await sandbox.calls("deleteMessage")
            assert str(deleted["params"]["chat_id"]) == str(storage["id"])
            assert not [m for m in await sandbox.messages(storage["id"]) if "photo" in m]
            assert not [m for m in await sandbox.messages(staff["id"]) if "photo" in m]
            file_id = hidden_value(confirm, "attachment")
            # The review shows the photo, fetched through the bot for this composer only.
            once = once_of(confirm)
            assert f'id="preview-photo" src="/console/announcements/draft-photo/{once}"' in confirm
            async with client.get(f"{base}/announcements/draft-photo/{once}") as response:
                assert response.status == 200 and response.content_type == "image/png"
                assert await response.read() == photo
            status, _, _ = await post(client, f"{base}/announcements/send", {
                **MESSAGE, "csrf": csrf, "once": once, "attachment": file_id})
            assert status == 303
            [record] = await hotline.services.announcements.latest(1)
            async with client.get(f"{base}/announcements/{record.id}") as response:
                assert f'src="/console/announcements/{record.id}/photo"' in await response.text()
            async with client.get(f"{base}/announcements/{record.id}/photo") as response:
                assert response.status == 200 and await response.read() == photo
        other = await person(sandbox, hotline, "Zhou", role=Role.STAFF)
        async with (await signed_in_client(hotline, sandbox, other["id"]) as client,
                    client.get(f"{base}/announcements/draft-photo/{once}") as response):
            assert response.status == 404  # another person's form: not theirs to see
        for reader in readers:
            received = await wait_reply(sandbox, reader["id"], lambda m: "photo" in m)
            assert "Rent subsidy" in received["caption"] and "Apply now." in received["caption"]
            assert received["photo"][-1]["file_id"] == file_id
            assert await sandbox.file_bytes(file_id) == photo
        photo_sends = await sandbox.calls("sendPhoto")
        assert len(photo_sends) == 1 + len(readers)  # one upload, then one per subscriber
    finally:
        await hotline.stop()


async def test_without_a_storage_chat_an_attachment_is_refused_and_nothing_is_posted(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    staff = await person(sandbox, hotline, "Wang", role=Role.STAFF)
    base = console_base(hotline)
    async with await signed_in_client(hotline, sandbox, staff["id"]) as client:
        async with client.get(f"{base}/announcements/new") as response:
            csrf = csrf_of(await response.text())
        async with client.post(f"{base}/announcements/review", data=multipart(
                {**MESSAGE, "csrf": csrf}, {"photo": ("notice.png", tiny_png(), "image/png")}),
                allow_redirects=False) as response:
            assert response.status == 400
            assert "No chat is set to keep attachments in" in await response.text()
    assert await sandbox.calls("sendPhoto") == []


async def test_attachments_are_refused_on_the_server_by_type_and_size(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    staff = await person(sandbox, hotline, "Wang", role=Role.STAFF)
    base = console_base(hotline)
    async with await signed_in_client(hotline, sandbox, staff["id"]) as client:
        async with client.get(f"{base}/announcements/new") as response:
            csrf = csrf_of(await response.text())
        fields = {**MESSAGE, "csrf": csrf}
        refusals = {
            "photo": (("a.png", b"GIF89a not a png", "image/png"), "JPG or PNG"),
            "document": (("run.exe", b"MZ...", "application/octet-stream"),
                         "This type of file is not accepted"),
        }
        for field, (upload, expected) in refusals.items():
            status, page, _ = await post(client, f"{base}/announcements/review",
                                         multipart(fields, {field: upload}))
            assert status == 400 and expected in page, field
        big = b"\x89PNG\r\n\x1a\n" + bytes(10 * 1024 * 1024)
        status, page, _ = await post(client, f"{base}/announcements/review",
                                     multipart(fields, {"photo": ("big.png", big, "image/png")}))
        assert status == 400 and "at most 10 MB" in page
        status, page, _ = await post(client, f"{base}/announcements/review", multipart(
            fields, {"photo": ("a.png", tiny_png(), "image/png"),
                     "document": ("a.pdf", b"%PDF-1.4", "application/pdf")}))
        assert status == 400 and "not both" in page
    assert not await sandbox.calls("sendPhoto") and not await sandbox.calls("sendDocument")


async def test_a_replayed_new_course_form_creates_one_course(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    staff = await person(sandbox, hotline, "Wang", role=Role.STAFF)
    base = console_base(hotline)
    course = {"title": "Archive management", "kind": "archive_management", "description": "",
              "sessions": "2030-01-05 09:00-12:00 Room 301", "capacity": "20",
              "deadline": "2030-01-01T18:00", "audience": "everyone"}
    async with await signed_in_client(hotline, sandbox, staff["id"]) as client:
        csrf, once = await page_tokens(client, f"{base}/trainings/new")
        status, _, first = await post(client, f"{base}/trainings/new",
                                      {**course, "csrf": csrf, "once": once})
        assert status == 303 and "/console/trainings/" in first
        status, _, second = await post(client, f"{base}/trainings/new",
                                       {**course, "csrf": csrf, "once": once})
        assert status == 303 and "console_comms.once.done" in second
        assert second.split("?")[0] == first.split("?")[0]
    assert (await hotline.services.trainings.board.courses(None)).total == 1


async def test_a_replayed_status_change_tells_the_author_once(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    author = await person(sandbox, hotline, "Liu", role=None)
    idea = await resident_idea(hotline, author["id"], "Benches")
    staff = await person(sandbox, hotline, "Wang", role=Role.STAFF)
    url = f"{console_base(hotline)}/ideas/{idea.id}"
    async with await signed_in_client(hotline, sandbox, staff["id"]) as client:
        csrf, once = await page_tokens(client, url)
        # Sent twice, the form leads to the first result; even a change the service would
        # accept (from the new status) is refused with that page's used token.
        change = {"csrf": csrf, "once": once, "expected": "submitted",
                  "status": "under_review", "publish": "1", "answer": "Looking into it."}
        statuses = [(await post(client, f"{url}/status", change))[0] for _ in range(2)]
        assert statuses == [303, 303]
        change_again = {**change, "expected": "under_review", "status": "accepted"}
        status, _, replayed = await post(client, f"{url}/status", change_again)
        assert status == 303 and "console_comms.once.done" in replayed
    await wait_reply(sandbox, author["id"], lambda m: "Looking into it." in (m.get("text") or ""))
    told = [m for m in await sandbox.messages(author["id"])
            if idea.reference in (m.get("text") or "") and "Looking" in m["text"]]
    assert len(told) == 1
    assert (await hotline.services.ideas.get(idea.id)).status == "under_review"


async def test_a_document_goes_out_as_a_file_and_a_body_too_large_is_refused(
        sandbox_server: SandboxServer, sandbox: SandboxClient, tmp_path: Path) -> None:
    storage = await sandbox.create_group("Hotline attachments", is_forum=False)
    hotline = await running_hotline(sandbox_server, tmp_path, media_chat_id=storage["id"])
    try:
        await _document_goes_out(hotline, sandbox)
    finally:
        await hotline.stop()


async def _document_goes_out(hotline: Hotline, sandbox: SandboxClient) -> None:
    reader = await person(sandbox, hotline, "Ann", role=None)
    await hotline.services.subscriptions.subscribe(reader["id"], ["policy"])
    staff = await person(sandbox, hotline, "Wang", role=Role.STAFF)
    base = console_base(hotline)
    leaflet = b"%PDF-1.4 the application form"
    async with await signed_in_client(hotline, sandbox, staff["id"]) as client:
        async with client.get(f"{base}/announcements/new") as response:
            csrf = csrf_of(await response.text())
        fields = {**MESSAGE, "csrf": csrf}
        status, page, _ = await post(client, f"{base}/announcements/review", multipart(
            fields, {"document": ("huge.pdf", bytes(22 * 1024 * 1024), "application/pdf")}))
        assert status == 413 and "files up to 20 MB" in page
        # The live preview counts against a caption's shorter limit when a file is chosen.
        long_body = {**MESSAGE, "csrf": csrf, "body": "x" * 1500}
        async with client.post(f"{base}/announcements/preview", data=long_body) as response:
            assert (await response.json())["too_long"] == ""
        async with client.post(f"{base}/announcements/preview",
                               data={**long_body, "attaching": "1"}) as response:
            assert "1024" in (await response.json())["too_long"]
        confirm = await _confirm_page(client, base, multipart(
            fields, {"document": ("form.pdf", leaflet, "application/pdf")}))
        assert "With the file: form.pdf" in confirm
        # A confirmation page naming another attachment than the form now has is refused.
        status, page, _ = await post(client, f"{base}/announcements/send",
                                     {**fields, "once": once_of(confirm), "attachment": ""})
        assert status == 400 and "was changed in another review" in page
        status, _, _ = await post(client, f"{base}/announcements/send", {
            **fields, "once": once_of(confirm),
            "attachment": hidden_value(confirm, "attachment")})
        assert status == 303
    received = await wait_reply(sandbox, reader["id"], lambda m: "document" in m)
    assert received["document"]["file_name"] == "form.pdf"
    assert "Rent subsidy" in received["caption"]
    assert await sandbox.file_bytes(received["document"]["file_id"]) == leaflet
    assert len(await sandbox.calls("sendDocument")) == 2  # the upload, then the subscriber
