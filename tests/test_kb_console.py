"""The knowledge-base console page over real HTTP: review a proposal, edit, retire, search."""

from __future__ import annotations

from bot.app import Hotline
from sandbox.client import SandboxClient
from storage.models import KbStatus, Role
from tests.console_support import console_base, csrf_of, http_client, signed_in_client
from tests.driver import person
from tests.kb_support import ENTRIES_CSV, knowledge_base_ready


async def test_staff_review_edit_retire_and_search(hotline: Hotline,
                                                   sandbox: SandboxClient) -> None:
    await knowledge_base_ready(hotline)
    kb = hotline.services.kb
    await kb.import_csv(ENTRIES_CSV)
    staff = await person(sandbox, hotline, "Staff", role=Role.STAFF)
    expert = await person(sandbox, hotline, "Expert", role=Role.EXPERT)
    [proposal_id] = await kb.repository.add_many([kb.new_entry(
        "legal", "自书遗嘱要注意什么？", "须亲笔书写并签名。", status=KbStatus.PROPOSED,
        proposed_by=expert["id"])])
    proposal = await kb.repository.get(proposal_id)
    base = console_base(hotline)
    async with await signed_in_client(hotline, sandbox, staff["id"]) as client:
        async with client.get(f"{base}/kb?q=遗嘱见证人") as response:
            page = await response.text()
        assert response.status == 200
        assert "Proposals to review (1)" in page and "自书遗嘱要注意什么？" in page
        assert 'href="/console/kb/' in page and "遗嘱需要几个见证人？" in page
        async with client.get(f"{base}/kb/{proposal.id}") as response:
            page = await response.text()
        assert "Proposal waiting for review" in page and "Approve and publish" in page
        form = {"csrf": csrf_of(page), "action": "approve", "category": "legal",
                "question": "自书遗嘱有什么要求？", "answer": "须<b>亲笔</b>书写并签名。"}
        async with client.post(f"{base}/kb/{proposal.id}", data=form,
                               allow_redirects=False) as response:
            assert response.status == 303
            assert "console_kb.done_approve" in response.headers["Location"]
        entry = await kb.repository.get(proposal.id)
        assert entry.status == KbStatus.PUBLISHED and entry.approved_by == staff["id"]
        assert (await kb.search("自书遗嘱的要求"))[0].entry.id == proposal.id

        # The same approval again (another tab): nothing changes, the page says why.
        async with client.post(f"{base}/kb/{proposal.id}", data=form,
                               allow_redirects=False) as response:
            assert "console_kb.stale" in response.headers["Location"]
        too_long = {**form, "action": "save", "question": "问" * 501}
        async with client.post(f"{base}/kb/{proposal.id}", data=too_long) as response:
            assert response.status == 400
        assert (await kb.repository.get(proposal.id)).question == "自书遗嘱有什么要求？"

        async with client.post(f"{base}/kb/{proposal.id}", data={**form, "action": "retire"},
                               allow_redirects=False) as response:
            assert "console_kb.done_retire" in response.headers["Location"]
        assert proposal.id not in [h.entry.id for h in await kb.search("自书遗嘱的要求")]
        async with client.get(f"{base}/kb/{proposal.id}") as response:
            page = await response.text()
        assert "This entry is retired" in page and "Save changes" not in page
        async with client.get(f"{base}/kb/999999") as response:
            assert response.status == 404

    async with http_client() as anonymous, anonymous.get(f"{base}/kb") as response:
        assert response.status == 401
