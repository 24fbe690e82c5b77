"""Issue 13, item 23: wording slips as people meet them (the /idea intro's step count, the
subscription menu after Done, idea buttons cut with an ellipsis, the profile's community from
the places list, console texts in staff's words)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from bot.app import Hotline
from bot.settings import SUPPORTED_LOCALES
from handlers.ideas_submit import question_count
from sandbox.client import SandboxClient
from services.labels import display_width, shorten_label
from services.texts import Texts
from storage.models import Role
from tests.driver import button_data, labels, press_data, say, wait_edit, wait_reply
from tests.hotline_support import social_worker
from tests.ideas_helpers import resident_idea, submit_idea

ROOT = Path(__file__).resolve().parent.parent


async def message_now(sandbox: SandboxClient, chat_id: int, message_id: int) -> dict[str, Any]:
    return next(m for m in await sandbox.messages(chat_id) if m["message_id"] == message_id)


async def test_the_idea_intro_counts_the_questions_it_asks(hotline: Hotline,
                                                           sandbox: SandboxClient) -> None:
    assert question_count() == 8
    english = await sandbox.add_user("Lin", language_code="en")
    intro = await say(sandbox, english["id"], "/idea", "Public-benefit idea")
    assert "in 8 short steps" in intro["text"]
    await say(sandbox, english["id"], "/cancel", "")
    # submit_idea waits for "1." to "8." and then the review: eight questions, as announced.
    await submit_idea(sandbox, english["id"])
    chinese = await sandbox.add_user("李", language_code="zh-hans")
    intro = await say(sandbox, chinese["id"], "/idea", "公益金点子")
    assert "请分 8 步" in intro["text"]


async def test_done_leaves_the_subscriptions_without_a_tap_hint(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    user = await sandbox.add_user("Lin", language_code="en")
    menu = await say(sandbox, user["id"], "/subscribe", "Tap a topic")
    await press_data(sandbox, user["id"], menu, "sub:topic:policy")
    await wait_edit(sandbox, user["id"], menu["message_id"])
    await press_data(sandbox, user["id"], menu, "sub:done")
    done = await wait_edit(sandbox, user["id"], menu["message_id"])
    assert done["text"].startswith("You are subscribed to: Policy news")
    assert "Tap a topic" not in done["text"]
    assert "Send /subscribe to change it" in done["text"]
    assert labels(done) == []


@pytest.mark.parametrize(("title", "expected"), [
    ("Benches at the bus stop near the market", "Benches at the bus stop…"),
    ("Shade", "Shade"),
    ("A supercalifragilisticexpialidocious plan", "A supercalifragilistice…"),
    ("在社区公园增设无障碍通道和休息长椅方便老人", "在社区公园增设无障碍通…"),
    ("社区 Wi-Fi 覆盖全部楼栋和广场以及老年活动中心", "社区 Wi-Fi 覆盖全部楼栋…"),
])
def test_labels_are_cut_on_a_boundary_with_an_ellipsis(title: str, expected: str) -> None:
    label = shorten_label(title, 24)
    assert label == expected
    assert display_width(label) <= 24


async def test_long_idea_titles_end_in_an_ellipsis_on_their_buttons(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    author = await sandbox.add_user("Lin", language_code="en")
    english = await resident_idea(hotline, author["id"], "Benches at the bus stop near the "
                                                          "market square", public=True)
    chinese = await resident_idea(hotline, author["id"], "在社区公园增设无障碍通道和休息长椅",
                                  public=True)
    short = await resident_idea(hotline, author["id"], "Shade trees", public=True)
    reader = await sandbox.add_user("Fan", language_code="en")
    listing = await say(sandbox, reader["id"], "/ideas", short.reference)
    shown = dict(zip(button_data(listing), labels(listing), strict=True))
    assert shown[f"ideas:pub:show:{english.id}"] == (
        f"{english.reference} Benches at the bus stop…")
    assert shown[f"ideas:pub:show:{chinese.id}"] == f"{chinese.reference} 在社区公园增设无障碍通…"
    assert shown[f"ideas:pub:show:{short.id}"] == f"{short.reference} Shade trees"


async def fill_name_and_organisation(sandbox: SandboxClient, user_id: int) -> dict[str, Any]:
    await say(sandbox, user_id, "/profile", "1.")
    await say(sandbox, user_id, "Wang Wei", "2.")
    return await say(sandbox, user_id, "Taihe Station", "3.")


async def test_the_profile_community_comes_from_the_places_list(
        hotline: Hotline, sandbox: SandboxClient) -> None:
    worker = await social_worker(hotline, sandbox, "Wei", profile=False)
    uid = worker["id"]
    streets = await fill_name_and_organisation(sandbox, uid)
    assert streets["text"].startswith("3. The community you serve? Choose its street")
    assert labels(streets)[:2] == ["Taihe Street", "Wujing Street"]
    assert labels(streets)[-1] == "Not listed: I will type it"
    await press_data(sandbox, uid, streets, "profile:street:1")
    communities = await wait_edit(sandbox, uid, streets["message_id"])
    assert communities["text"].startswith("3. Which community of Wujing Street")
    assert labels(communities) == ["Wujing Community", "Jinxing Community",
                                   "← Another street", "Not listed: I will type it"]
    await press_data(sandbox, uid, streets, "profile:comm:1")
    saved = await wait_reply(sandbox, uid, lambda m: "Profile saved" in m["text"],
                             after=streets["message_id"])
    assert saved["text"] == "Profile saved: Wang Wei, Taihe Station, Jinxing Community"
    assert (await hotline.services.profiles.get(uid)).community == "金星社区"
    assert labels(await message_now(sandbox, uid, streets["message_id"])) == []
    # The question is answered: a press on it now changes nothing.
    late = await press_data(sandbox, uid, streets, "profile:comm:0", forged=True)
    assert late["answer"]["text"] == ("This question has already been answered. Send /profile "
                                      "to change your profile.")
    assert (await hotline.services.profiles.get(uid)).community == "金星社区"


async def test_a_community_not_listed_is_typed(hotline: Hotline,
                                               sandbox: SandboxClient) -> None:
    worker = await social_worker(hotline, sandbox, "Wei", profile=False)
    uid = worker["id"]
    streets = await fill_name_and_organisation(sandbox, uid)
    await press_data(sandbox, uid, streets, "profile:type")
    typed = await wait_edit(sandbox, uid, streets["message_id"])
    assert typed["text"] == "3. Please type the name of the community you serve."
    assert labels(typed) == []
    saved = await say(sandbox, uid, "Sunshine  Village", "Profile saved")
    assert saved["text"] == "Profile saved: Wang Wei, Taihe Station, Sunshine Village"
    # A listed community typed by name is stored as the list names it.
    await fill_name_and_organisation(sandbox, uid)
    saved = await say(sandbox, uid, "wujing community", "Profile saved")
    assert saved["text"] == "Profile saved: Wang Wei, Taihe Station, Wujing Community"
    assert (await hotline.services.profiles.get(uid)).community == "吴井社区"
    # Forged place buttons are refused.
    streets = await fill_name_and_organisation(sandbox, uid)
    for forged in ("profile:street:99", "profile:comm:0", "profile:street:-1"):
        answer = await press_data(sandbox, uid, streets, forged, forged=True)
        assert answer["answer"]["show_alert"] is True
    resident = await sandbox.add_user("Ann", language_code="en")
    await hotline.services.people.grant(resident["id"], Role.RESIDENT)
    own = await say(sandbox, resident["id"], "/help", "")
    refused = await press_data(sandbox, resident["id"], own, "profile:street:0", forged=True)
    assert refused["answer"]["text"] == "Sorry, you are not allowed to do that."


# What staff would have to know from the server room: commands and package names.
_JARGON = re.compile(r"hotline (?:roster|cases|ideas|trainings|users|places|experts|categories|"
                     r"announce|db|log|calendar|topics)\b|chinese-calendar|\bpip\b|`")


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_staff_texts_name_no_commands_or_packages(locale: str) -> None:
    texts = Texts(SUPPORTED_LOCALES, "zh_CN")
    staff_keys = [key for key in texts.keys[locale]
                  if key.startswith(("console", "trainings.registrants"))]
    assert len(staff_keys) > 100  # the scan reaches the console's texts
    found = {key: texts.text(locale, key) for key in staff_keys
             if _JARGON.search(texts.text(locale, key))}
    assert not found
    hint = texts.text(locale, "console_ops.csv.hint")
    assert "CSV UTF-8" in hint and "telegram_id" in hint  # still says how to make the file
