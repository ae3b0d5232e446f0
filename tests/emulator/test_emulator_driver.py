"""Signed delivery to the bot: slash commands, events, interactions, as Slack sends them."""
from __future__ import annotations

import json
import time

import pytest
from slack_sdk import WebClient

from tests.emulator.bot_stub import BotStub
from tests.emulator.fixtures import SIGNING_SECRET


@pytest.fixture
def bot(emulator):
    stub = BotStub(SIGNING_SECRET, time.time)
    emulator.bot_url = stub.url
    yield stub
    emulator.wait_idle()
    stub.close()


def test_signature_verifies_and_forgeries_are_rejected(emulator, bot):
    body = b'{"type":"event_callback"}'
    assert emulator.sign_and_post(body, "application/json").status == 200
    assert emulator.sign_and_post(body, "application/json", secret="forged").status == 401
    old = int(time.time()) - 6 * 60
    assert emulator.sign_and_post(body, "application/json", timestamp=old).status == 401
    assert len(bot.requests) == 1


def test_slash_command_form_and_ack_reply(emulator, bot):
    bot.reply = lambda request: (200, json.dumps({"text": "Declared"}), "application/json")
    delivery = emulator.slash_command("UFR", "COPS", "declare P2 Payment outage")
    assert delivery.status == 200 and delivery.json == {"text": "Declared"}
    form = bot.requests[0]["body"]
    assert {k: form[k] for k in ("command", "text", "user_id", "channel_id", "channel_name")} == {
        "command": "/incident", "text": "declare P2 Payment outage", "user_id": "UFR",
        "channel_id": "COPS", "channel_name": "ops"}
    for key in ("token", "team_id", "api_app_id", "response_url", "trigger_id", "user_name"):
        assert form[key]
    assert [e["text"] for e in emulator.ephemerals("UFR")] == ["Declared"]
    assert emulator.messages("COPS") == []


def test_slash_command_trigger_opens_a_modal_and_response_url_replies(emulator, bot):
    emulator.slash_command("UFR", "COPS", "declare")
    form = bot.requests[0]["body"]
    web = WebClient(token=emulator.bot_token, base_url=emulator.api_url)
    view = {"type": "modal", "title": {"type": "plain_text", "text": "Declare"}, "blocks": []}
    web.views_open(trigger_id=form["trigger_id"], view=view)
    assert len(emulator.views("UFR")) == 1
    from slack_sdk.webhook import WebhookClient
    hook = WebhookClient(form["response_url"])
    assert hook.send(text="only you").status_code == 200
    assert hook.send(text="everyone", response_type="in_channel").status_code == 200
    assert [e["text"] for e in emulator.ephemerals("UFR")] == ["only you"]
    assert [m["text"] for m in emulator.messages("COPS")] == ["everyone"]


def test_user_message_event_envelope(emulator, bot):
    ts = emulator.post_message("UEN", "COPS", "hello")
    envelope = bot.requests[0]["body"]
    assert envelope["type"] == "event_callback" and envelope["team_id"] == emulator.team_id
    assert envelope["authorizations"][0]["user_id"] == emulator.bot_user_id
    assert envelope["event_id"].startswith("Ev") and envelope["event_time"]
    event = envelope["event"]
    assert (event["type"], event["user"], event["text"], event["ts"], event["channel"],
            event["channel_type"]) == ("message", "UEN", "hello", ts, "COPS", "channel")
    reply = emulator.post_message("UEN", "COPS", "in thread", thread_ts=ts)
    assert bot.requests[1]["body"]["event"]["thread_ts"] == ts
    assert [m["ts"] for m in emulator.replies("COPS", ts)] == [reply]


def test_user_must_be_in_the_channel(emulator, bot):
    outside = emulator.add_channel("outside", members=["UFR"])
    with pytest.raises(ValueError):
        emulator.post_message("UEN", outside, "hi")


def test_bot_messages_come_back_as_events(emulator, bot):
    web = WebClient(token=emulator.bot_token, base_url=emulator.api_url)
    ts = web.chat_postMessage(channel="COPS", text="from bot")["ts"]
    emulator.wait_idle()
    event = bot.requests[-1]["body"]["event"]
    assert (event["bot_id"], event["ts"], event["text"]) == (emulator.bot_id, ts, "from bot")


def test_edit_delete_and_reactions_events(emulator, bot):
    ts = emulator.post_message("UEN", "COPS", "typo")
    emulator.edit_message("UEN", "COPS", ts, "fixed")
    emulator.add_reaction("UFR", "COPS", ts, "eyes")
    emulator.remove_reaction("UFR", "COPS", ts, "eyes")
    emulator.delete_message("UEN", "COPS", ts)
    events = [r["body"]["event"] for r in bot.requests[1:]]
    assert events[0]["subtype"] == "message_changed" and events[0]["message"]["text"] == "fixed"
    assert events[0]["previous_message"]["text"] == "typo"
    assert (events[1]["type"], events[1]["reaction"], events[1]["item"]) == (
        "reaction_added", "eyes", {"type": "message", "channel": "COPS", "ts": ts})
    assert events[2]["type"] == "reaction_removed"
    assert events[3]["subtype"] == "message_deleted" and events[3]["deleted_ts"] == ts
    assert emulator.messages("COPS") == []


def test_resend_event_carries_retry_headers(emulator, bot):
    emulator.post_message("UEN", "COPS", "hello")
    event_id = bot.requests[0]["body"]["event_id"]
    emulator.resend_event(event_id, retry_num=2, reason="http_timeout")
    again = bot.requests[1]
    assert again["body"]["event_id"] == event_id
    assert again["headers"]["x-slack-retry-num"] == "2"
    assert again["headers"]["x-slack-retry-reason"] == "http_timeout"


ACTIONS = [{"type": "actions", "block_id": "b", "elements": [
    {"type": "button", "text": {"type": "plain_text", "text": "Ack"}, "action_id": "ack", "value": "TSR-1"},
    {"type": "static_select", "action_id": "status", "placeholder": {"type": "plain_text", "text": "s"},
     "options": [{"text": {"type": "plain_text", "text": "Monitoring"}, "value": "monitoring"}]}]}]


def test_click_payload_and_replace_original(emulator, bot):
    web = WebClient(token=emulator.bot_token, base_url=emulator.api_url)
    ts = web.chat_postMessage(channel="COPS", text="card", blocks=ACTIONS)["ts"]
    emulator.wait_idle()
    bot.requests.clear()
    emulator.click("UFR", "COPS", ts, "ack")
    emulator.click("UFR", "COPS", ts, "status", "monitoring")
    first, second = (r["body"] for r in bot.requests)
    assert first["type"] == "block_actions" and first["container"]["message_ts"] == ts
    assert first["actions"][0]["value"] == "TSR-1" and first["trigger_id"]
    assert second["actions"][0]["selected_option"]["value"] == "monitoring"
    with pytest.raises(ValueError):
        emulator.click("UFR", "COPS", ts, "status", "nonsense")
    from slack_sdk.webhook import WebhookClient
    WebhookClient(first["response_url"]).send(text="acknowledged", replace_original=True)
    assert emulator.messages("COPS")[0]["text"] == "acknowledged"


def test_message_shortcut_payload(emulator, bot):
    ts = emulator.post_message("UEN", "COPS", "important")
    emulator.message_shortcut("UFR", "COPS", ts, "add_event")
    payload = bot.requests[-1]["body"]
    assert (payload["type"], payload["callback_id"], payload["message"]["text"]) == (
        "message_action", "add_event", "important")


FORM = {"type": "modal", "callback_id": "declare", "title": {"type": "plain_text", "text": "Declare"},
        "submit": {"type": "plain_text", "text": "Declare"}, "private_metadata": "COPS",
        "blocks": [
            {"type": "input", "block_id": "title", "label": {"type": "plain_text", "text": "Title"},
             "element": {"type": "plain_text_input", "action_id": "value"}},
            {"type": "input", "block_id": "priority", "label": {"type": "plain_text", "text": "P"},
             "element": {"type": "static_select", "action_id": "value", "options": [
                 {"text": {"type": "plain_text", "text": "P1"}, "value": "P1"},
                 {"text": {"type": "plain_text", "text": "P2"}, "value": "P2"}]}},
            {"type": "input", "block_id": "who", "optional": True,
             "label": {"type": "plain_text", "text": "Who"},
             "element": {"type": "multi_users_select", "action_id": "value"}},
            {"type": "input", "block_id": "when", "optional": True,
             "label": {"type": "plain_text", "text": "When"},
             "element": {"type": "datepicker", "action_id": "value"}}]}


def open_form(emulator, user="UFR") -> str:
    web = WebClient(token=emulator.bot_token, base_url=emulator.api_url)
    with emulator.state.lock:
        trigger = emulator.state.new_trigger(user)
    return web.views_open(trigger_id=trigger, view=FORM)["view"]["id"]


def test_submit_view_state_values_and_close(emulator, bot):
    view_id = open_form(emulator)
    delivery = emulator.submit_view("UFR", view_id, {
        "title": {"value": "Payment outage"}, "priority": {"value": "P2"}, "who": {"value": ["UEN"]}})
    assert delivery.status == 200
    payload = bot.requests[-1]["body"]
    assert payload["type"] == "view_submission" and payload["view"]["callback_id"] == "declare"
    assert payload["view"]["private_metadata"] == "COPS"
    values = payload["view"]["state"]["values"]
    assert values["title"]["value"] == {"type": "plain_text_input", "value": "Payment outage"}
    assert values["priority"]["value"]["selected_option"]["value"] == "P2"
    assert values["who"]["value"]["selected_users"] == ["UEN"]
    assert values["when"]["value"] == {"type": "datepicker", "selected_date": None}
    assert emulator.views("UFR") == []


def test_submit_view_errors_keep_the_view_open(emulator, bot):
    view_id = open_form(emulator)
    errors = {"response_action": "errors", "errors": {"title": "Too short"}}
    bot.reply = lambda request: (200, json.dumps(errors), "application/json")
    delivery = emulator.submit_view("UFR", view_id, {"title": {"value": "x"}, "priority": {"value": "P1"}})
    assert delivery.json == errors
    assert [v["id"] for v in emulator.views("UFR")] == [view_id]


def test_submit_view_refuses_what_a_user_could_not_do(emulator, bot):
    view_id = open_form(emulator)
    with pytest.raises(ValueError):
        emulator.submit_view("UFR", view_id, {"title": {"value": "no priority"}})
    with pytest.raises(ValueError):
        emulator.submit_view("UFR", view_id, {"title": {"value": "x"}, "priority": {"value": "P9"}})
    with pytest.raises(ValueError):
        emulator.submit_view("UEN", view_id, {"title": {"value": "x"}, "priority": {"value": "P1"}})
    assert bot.requests == []


def test_click_in_an_ephemeral_and_replace_it(emulator, bot):
    web = WebClient(token=emulator.bot_token, base_url=emulator.api_url)
    web.chat_postEphemeral(channel="COPS", user="UEN", text="card", blocks=ACTIONS)
    [ephemeral] = emulator.ephemerals("UEN")
    with pytest.raises(ValueError):
        emulator.click_ephemeral("UFR", ephemeral, "ack")
    emulator.click_ephemeral("UEN", ephemeral, "ack")
    payload = bot.requests[-1]["body"]
    assert payload["container"]["is_ephemeral"] is True and "message" not in payload
    from slack_sdk.webhook import WebhookClient
    WebhookClient(payload["response_url"]).send(text="done", replace_original=True)
    assert [e["text"] for e in emulator.ephemerals("UEN")] == ["done"]
    WebhookClient(payload["response_url"]).send(text="", delete_original=True)
    assert emulator.ephemerals("UEN") == []
