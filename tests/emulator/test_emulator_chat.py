"""chat.*, pins, bookmarks, reactions: membership rules and Block Kit limits."""
from __future__ import annotations

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError


@pytest.fixture
def web(emulator) -> WebClient:
    return WebClient(token=emulator.bot_token, base_url=emulator.api_url)


def error(call, *args, **kwargs) -> str:
    with pytest.raises(SlackApiError) as info:
        call(*args, **kwargs)
    return info.value.response["error"]


def section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def button(text: str = "Go", action_id: str = "go") -> dict:
    return {"type": "button", "text": {"type": "plain_text", "text": text}, "action_id": action_id}


def test_post_requires_membership_and_a_known_channel(web, emulator):
    outside = emulator.add_channel("outside", members=["UFR"])
    assert error(web.chat_postMessage, channel=outside, text="x") == "not_in_channel"
    assert error(web.chat_postMessage, channel="CNOPE", text="x") == "channel_not_found"
    with pytest.warns(UserWarning):  # slack_sdk warns too
        assert error(web.chat_postMessage, channel="COPS") == "no_text"


OVER_LIMITS = {
    "51 blocks": [section("x")] * 51,
    "section text 3001": [section("x" * 3001)],
    "header 151": [{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}],
    "11 fields": [{"type": "section", "fields": [{"type": "mrkdwn", "text": "f"}] * 11}],
    "field 2001": [{"type": "section", "fields": [{"type": "mrkdwn", "text": "f" * 2001}]}],
    "11 context elements": [{"type": "context", "elements": [{"type": "mrkdwn", "text": "c"}] * 11}],
    "button text 76": [{"type": "actions", "elements": [button("b" * 76)]}],
    "action_id 256": [{"type": "actions", "elements": [button(action_id="a" * 256)]}],
    "unknown type": [{"type": "sparkles"}],
    "empty text": [section("")],
}


@pytest.mark.parametrize("blocks", OVER_LIMITS.values(), ids=OVER_LIMITS.keys())
def test_block_kit_limits(web, emulator, blocks):
    with pytest.raises(SlackApiError) as info:
        web.chat_postMessage(channel="COPS", text="fallback", blocks=blocks)
    assert info.value.response["error"] == "invalid_blocks"
    assert info.value.response["response_metadata"]["messages"]
    assert emulator.messages("COPS") == [] and emulator.violations
    emulator.violations.clear()


def test_blocks_at_the_limits_are_accepted(web, emulator):
    blocks = [section("x" * 3000), {"type": "header", "text": {"type": "plain_text", "text": "h" * 150}},
              {"type": "section", "fields": [{"type": "mrkdwn", "text": "f" * 2000}] * 10},
              {"type": "context", "elements": [{"type": "mrkdwn", "text": "c"}] * 10},
              {"type": "actions", "elements": [button("b" * 75, "a" * 255)]}]
    blocks += [{"type": "divider"}] * (50 - len(blocks))
    web.chat_postMessage(channel="COPS", text="fallback", blocks=blocks)
    assert len(emulator.messages("COPS")[0]["blocks"]) == 50


def test_text_too_long(web, emulator):
    web.chat_postMessage(channel="COPS", text="x" * 40000)
    assert error(web.chat_postMessage, channel="COPS", text="x" * 40001) == "msg_too_long"
    emulator.violations.clear()


def test_update_only_own_messages(web, emulator):
    ts = web.chat_postMessage(channel="COPS", text="v1")["ts"]
    web.chat_update(channel="COPS", ts=ts, text="v2")
    assert emulator.messages("COPS")[0]["text"] == "v2" and emulator.messages("COPS")[0]["edited"]
    assert error(web.chat_update, channel="COPS", ts="1.000001", text="x") == "message_not_found"
    with emulator.state.lock:
        user_ts = emulator.state.add_message(emulator.channel("COPS"), {"user": "UFR", "text": "mine"})["ts"]
    assert error(web.chat_update, channel="COPS", ts=user_ts, text="x") == "cant_update_message"
    assert error(web.chat_delete, channel="COPS", ts=user_ts) == "cant_delete_message"
    web.chat_delete(channel="COPS", ts=ts)
    assert [m["text"] for m in emulator.messages("COPS")] == ["mine"]


def test_ephemeral_requires_the_user_in_the_channel(web, emulator):
    lonely = web.conversations_create(name="lonely")["channel"]["id"]
    assert error(web.chat_postEphemeral, channel=lonely, user="UFR", text="x") == "user_not_in_channel"
    web.chat_postEphemeral(channel="COPS", user="UFR", text="only you")
    assert [e["text"] for e in emulator.ephemerals("UFR")] == ["only you"]
    assert emulator.ephemerals("UEN") == [] and emulator.messages("COPS") == []


def test_permalink(web, emulator):
    ts = web.chat_postMessage(channel="COPS", text="x")["ts"]
    link = web.chat_getPermalink(channel="COPS", message_ts=ts)["permalink"]
    assert link.endswith(f"/archives/COPS/p{ts.replace('.', '')}")


def test_pins(web, emulator):
    ts = web.chat_postMessage(channel="COPS", text="pin me")["ts"]
    web.pins_add(channel="COPS", timestamp=ts)
    assert error(web.pins_add, channel="COPS", timestamp=ts) == "already_pinned"
    assert error(web.pins_add, channel="COPS", timestamp="1.000001") == "message_not_found"
    assert [i["message"]["text"] for i in web.pins_list(channel="COPS")["items"]] == ["pin me"]
    assert [m["text"] for m in emulator.pins("COPS")] == ["pin me"]


def test_bookmarks_links_only(web, emulator):
    web.bookmarks_add(channel_id="COPS", title="Status", type="link", link="https://status.example")
    assert error(web.bookmarks_add, channel_id="COPS", title="x", type="folder") == "invalid_bookmark_type"
    assert error(web.bookmarks_add, channel_id="COPS", title="x", type="link", link="nope") == "invalid_link"
    assert [b["title"] for b in web.bookmarks_list(channel_id="COPS")["bookmarks"]] == ["Status"]
    assert emulator.bookmarks("COPS")[0]["link"] == "https://status.example"


def test_reactions(web, emulator):
    ts = web.chat_postMessage(channel="COPS", text="x")["ts"]
    web.reactions_add(channel="COPS", timestamp=ts, name="eyes")
    assert error(web.reactions_add, channel="COPS", timestamp=ts, name="eyes") == "already_reacted"
    assert emulator.messages("COPS")[0]["reactions"] == [
        {"name": "eyes", "users": [emulator.bot_user_id], "count": 1}]
    web.reactions_remove(channel="COPS", timestamp=ts, name="eyes")
    assert error(web.reactions_remove, channel="COPS", timestamp=ts, name="eyes") == "no_reaction"
    assert "reactions" not in emulator.messages("COPS")[0] or not emulator.messages("COPS")[0]["reactions"]


def test_direct_message_to_a_user(web, emulator):
    response = web.chat_postMessage(channel="UFR", text="psst")
    assert response["channel"].startswith("D")
    assert emulator.messages(response["channel"])[0]["text"] == "psst"


def test_metadata_is_checked_and_read_back_only_when_asked(web, emulator):
    import json

    posted = web.chat_postMessage(channel="COPS", text="with a key",
                                  metadata={"event_type": "cellule_post", "event_payload": {"key": "k1"}})
    thread = web.chat_postMessage(channel="COPS", text="in thread", thread_ts=posted["ts"],
                                  metadata={"event_type": "cellule_post", "event_payload": {"key": "k2"}})
    plain = web.conversations_history(channel="COPS")["messages"]
    assert all("metadata" not in m for m in plain)
    full = web.conversations_history(channel="COPS", include_all_metadata=True)["messages"]
    assert next(m for m in full if m["ts"] == posted["ts"])["metadata"]["event_payload"] == {"key": "k1"}
    replies = web.conversations_replies(channel="COPS", ts=posted["ts"], include_all_metadata=True)["messages"]
    assert replies[-1]["ts"] == thread["ts"] and replies[-1]["metadata"]["event_payload"] == {"key": "k2"}
    for bad in ({"event_type": "x"}, {"event_payload": {}}, "not json", {"event_type": 1, "event_payload": {}}):
        value = bad if isinstance(bad, str) else json.dumps(bad)
        assert error(web.api_call, "chat.postMessage",
                     data={"channel": "COPS", "text": "x", "metadata": value}) == "invalid_metadata_format"
    emulator.violations.clear()  # the malformed calls above were on purpose
