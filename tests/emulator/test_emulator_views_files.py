"""Modals with trigger_id rules; the current file upload flow; canvases."""
from __future__ import annotations

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.emulator import SlackEmulator
from tests.emulator.fixtures import FakeClock, populate


def error(call, *args, **kwargs) -> str:
    with pytest.raises(SlackApiError) as info:
        call(*args, **kwargs)
    return info.value.response["error"]


def modal(title: str = "Declare", **extra) -> dict:
    return {"type": "modal", "callback_id": "declare", "title": {"type": "plain_text", "text": title},
            "submit": {"type": "plain_text", "text": "Go"},
            "blocks": [{"type": "input", "block_id": "title",
                        "label": {"type": "plain_text", "text": "Title"},
                        "element": {"type": "plain_text_input", "action_id": "value"}}], **extra}


@pytest.fixture
def clocked():
    clock = FakeClock()
    emu = SlackEmulator("secret", clock=clock)
    populate(emu)
    emu.start()
    yield emu, clock, WebClient(token=emu.bot_token, base_url=emu.api_url)
    emu.stop()


def test_trigger_id_life(clocked):
    emu, clock, web = clocked
    with emu.state.lock:
        trigger = emu.state.new_trigger("UFR")
        late = emu.state.new_trigger("UFR")
    view = web.views_open(trigger_id=trigger, view=modal())["view"]
    assert view["callback_id"] == "declare" and emu.views("UFR")[-1]["id"] == view["id"]
    assert error(web.views_open, trigger_id=trigger, view=modal()) == "exchanged_trigger_id"
    assert error(web.views_open, trigger_id="123.456.abc", view=modal()) == "invalid_trigger_id"
    clock.advance(3.5)
    assert error(web.views_open, trigger_id=late, view=modal()) == "expired_trigger_id"
    assert emu.violations == []


def test_a_lag_spends_the_trigger_ids_life_on_the_emulators_clock(clocked):
    """Slow Slack without sleeping: a lagged look-up moves the clock; the trigger expires as it would."""
    emu, clock, web = clocked
    with emu.state.lock:
        early, late = emu.state.new_trigger("UFR"), emu.state.new_trigger("UFR")
    emu.lag("users.info", 2.0)
    web.users_info(user="UFR")
    assert web.views_open(trigger_id=early, view=modal())["ok"]  # 2 s of its 3 s gone
    web.users_info(user="UFR")
    assert error(web.views_open, trigger_id=late, view=modal()) == "expired_trigger_id"  # 4 s
    assert clock.now == 1733310480.0  # nobody moved the test's clock: the lags did


@pytest.mark.parametrize("view", [
    modal(title="t" * 25),
    modal(submit={"type": "plain_text", "text": "s" * 25}),
    modal(private_metadata="m" * 3001),
    {**modal(), "blocks": [{"type": "divider"}] * 101},
    {**modal(), "submit": None},
], ids=["title", "submit", "private_metadata", "101 blocks", "input without submit"])
def test_modal_limits(clocked, view):
    emu, _, web = clocked
    with emu.state.lock:
        trigger = emu.state.new_trigger("UFR")
    assert error(web.views_open, trigger_id=trigger, view=view) == "invalid_arguments"
    assert emu.violations and emu.views("UFR") == []
    # The trigger is still usable: a refused view does not consume it.
    web.views_open(trigger_id=trigger, view=modal())


def test_push_and_update(clocked):
    emu, _, web = clocked
    with emu.state.lock:
        first, second = emu.state.new_trigger("UFR"), emu.state.new_trigger("UFR")
    root = web.views_open(trigger_id=first, view=modal())["view"]
    pushed = web.views_push(trigger_id=second, view=modal("Step 2"))["view"]
    assert [v["id"] for v in emu.views("UFR")] == [root["id"], pushed["id"]]
    updated = web.views_update(view_id=pushed["id"], hash=pushed["hash"], view=modal("Step 2b"))["view"]
    assert emu.views("UFR")[-1]["title"]["text"] == "Step 2b"
    assert error(web.views_update, view_id=pushed["id"], hash=pushed["hash"], view=modal()) == "hash_conflict"
    assert updated["hash"] != pushed["hash"]
    assert error(web.views_update, view_id="VNOPE", view=modal()) == "not_found"


def test_files_upload_is_retired(emulator):
    web = WebClient(token=emulator.bot_token, base_url=emulator.api_url)
    with pytest.warns(UserWarning):
        assert error(web.files_upload, channels="COPS", content="x", filename="x.md") == "method_deprecated"
    assert emulator.files == [] and emulator.violations
    emulator.violations.clear()


def test_upload_flow_shares_the_file_in_the_channel(emulator):
    web = WebClient(token=emulator.bot_token, base_url=emulator.api_url)
    web.files_upload_v2(channel="COPS", content="# TSR-1\n", filename="TSR-1-postmortem.md",
                        title="Postmortem", initial_comment="Postmortem ready")
    [file] = emulator.files
    assert (file.filename, file.title, file.content) == ("TSR-1-postmortem.md", "Postmortem", b"# TSR-1\n")
    [message] = emulator.messages("COPS")
    assert message["text"] == "Postmortem ready" and message["files"][0]["id"] == file.id


def test_complete_without_uploading_bytes_fails(emulator):
    web = WebClient(token=emulator.bot_token, base_url=emulator.api_url)
    file_id = web.files_getUploadURLExternal(filename="a.md", length=3)["file_id"]
    assert error(web.files_completeUploadExternal, files=[{"id": file_id}], channel_id="COPS") == "file_not_found"


def test_channel_canvas_once_and_edit(emulator):
    web = WebClient(token=emulator.bot_token, base_url=emulator.api_url)
    canvas = web.conversations_canvases_create(
        channel_id="COPS", document_content={"type": "markdown", "markdown": "# v1"})["canvas_id"]
    assert emulator.canvas_markdown("COPS") == "# v1"
    assert error(web.conversations_canvases_create, channel_id="COPS",
                 document_content={"type": "markdown", "markdown": "again"}) == "channel_canvas_already_exists"
    web.canvases_edit(canvas_id=canvas, changes=[{"operation": "replace", "document_content": {
        "type": "markdown", "markdown": "# v2"}}])
    assert emulator.canvas_markdown("COPS") == "# v2"
    assert error(web.canvases_edit, canvas_id="FNOPE", changes=[{"operation": "replace"}]) == "canvas_not_found"
    standalone = web.canvases_create(title="PM", document_content={"type": "markdown", "markdown": "x"})
    assert emulator.state.canvases[standalone["canvas_id"]].markdown == "x"
