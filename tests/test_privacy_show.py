"""/privacy shows every area /forget erases (one list of areas serves both), with the same
figures /forget then reports, and the records /forget keeps."""

from __future__ import annotations

from bot.app import Hotline
from sandbox.client import SandboxClient
from storage.models import PendingPick
from storage.repositories.hotline_picks import PendingPickRepository
from tests.driver import buttons, press_data, say, wait_edit
from tests.support import bot_idle
from tests.test_privacy_forget import _ask_to_forget, _emma_with_everything

# Areas whose /privacy line is not "privacy.area.<key>" (they were shown before the rest).
_OWN_LINES = {"messages", "profile"}


async def _privacy(sandbox: SandboxClient, user: dict) -> list[str]:
    shown = await say(sandbox, user["id"], "/privacy")
    return shown["text"].splitlines()


async def test_privacy_shows_every_area_forget_erases_with_the_same_figures(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    services = hotline.services
    texts = services.texts
    emma, _li, course_id, _idea_id, li_idea_id = await _emma_with_everything(hotline, sandbox)
    uid = emma["id"]
    # What the shared fixture leaves out: a report, a message waiting for "which case?", an
    # attendance record.
    assert (await services.ideas.report(uid, li_idea_id, "spam"))[0]
    await PendingPickRepository(services.database).add(PendingPick(
        user_id=uid, chat_id=uid, message_id=9_999_999, kind="text", text="for which case?"))
    session = (await services.trainings.course(course_id)).sessions[0]
    await services.trainings.repository.places.record_attendance(session.id, uid,
                                                                 session.starts_at, None)
    await bot_idle(hotline)

    lines = await _privacy(sandbox, emma)
    held = await services.privacy.holdings(uid)
    assert lines[0] == "What we store about you"
    keys = list(dict.fromkeys(eraser.key for eraser in services.privacy.erasers))
    for eraser in services.privacy.erasers:
        assert eraser.count is not None, f"/forget erases {eraser.key!r}, /privacy cannot count it"
    for key in keys:
        assert held.get(key), f"the test gives {key!r} nothing to show: give it some data"
        if key == "messages":
            # The figure moves with every message (the /privacy reply itself is logged).
            assert any(line.startswith("Conversation log: ") for line in lines), lines
        elif key == "profile":
            assert "Social-worker profile: Emma" in "\n".join(lines)
        else:
            line = texts.text("en", f"privacy.area.{key}", count=held[key])
            assert line in lines, f"/forget erases {key!r} but /privacy does not show it"
    for kept in services.privacy.kept:
        assert texts.text("en", f"privacy.area.{kept.key}", count=1) in lines
    assert texts.text("en", "privacy.area.subscriptions", count=2) in lines
    assert texts.text("en", "privacy.area.training_places", count=1) in lines
    assert texts.text("en", "privacy.area.idea_supports", count=1) in lines
    assert texts.text("en", "privacy.area.hotline_messages", count=2) in lines  # 1 + 1 waiting

    # /forget then reports, area by area, exactly what /privacy showed.
    confirm = await _ask_to_forget(sandbox, emma)
    await press_data(sandbox, uid, confirm, buttons(confirm)[0][1])
    done = (await wait_edit(sandbox, uid, confirm["message_id"]))["text"].splitlines()
    for key in keys:
        if key in ("profile", "draft"):
            assert f"· {texts.text('en', f'forget.done.{key}')}" in done
        elif key != "messages":  # the log grew by /privacy and /forget themselves
            assert f"· {texts.text('en', f'forget.done.{key}', count=held[key])}" in done, key

    # Afterwards /privacy shows only what /forget keeps.
    await bot_idle(hotline)
    after = await services.privacy.holdings(uid)
    assert set(after) - {"messages"} == {"ideas", "hotline_cases", "training_history"}
    lines = await _privacy(sandbox, emma)
    assert texts.text("en", "privacy.area.hotline_cases", count=1) in lines
    assert texts.text("en", "privacy.area.ideas", count=1) in lines
    assert not [line for line in lines if line.startswith(("Announcement topics",
                                                           "Ideas you support"))]
