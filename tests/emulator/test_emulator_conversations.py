"""conversations.*: Slack's naming, membership, visibility and pagination rules."""
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


@pytest.mark.parametrize("name, expected", [
    ("", "invalid_name_required"),
    ("x" * 81, "invalid_name_maxlength"),
    ("TSR-1-Panne", "invalid_name_specials"),
    ("tsr 1", "invalid_name_specials"),
    ("tsr-1-é", "invalid_name_specials"),
    ("---", "invalid_name_punctuation"),
])
def test_channel_name_rules(web, emulator, name, expected):
    if name == "":
        # An empty required argument is also a spec violation (missing field).
        assert error(web.conversations_create, name=name) == "invalid_arguments"
        emulator.violations.clear()
        return
    assert error(web.conversations_create, name=name) == expected


def test_create_longest_valid_name_and_creator_joins(web, emulator):
    channel = web.conversations_create(name="a" * 80)["channel"]
    assert channel["name"] == "a" * 80 and channel["is_member"]
    assert emulator.bot_user_id in emulator.channel(channel["id"]).members


def test_name_taken_includes_archived_and_private_channels(web, emulator):
    emulator.add_channel("secret", is_private=True)
    assert error(web.conversations_create, name="ops") == "name_taken"
    assert error(web.conversations_create, name="secret") == "name_taken"
    archived = web.conversations_create(name="tsr-1")["channel"]["id"]
    web.conversations_archive(channel=archived)
    assert error(web.conversations_create, name="tsr-1") == "name_taken"


def test_invite_requires_the_bot_in_the_channel(web, emulator):
    outside = emulator.add_channel("outside", members=["UFR"])
    assert error(web.conversations_invite, channel=outside, users="UEN") == "not_in_channel"


def test_invite_errors(web, emulator):
    channel = web.conversations_create(name="tsr-2")["channel"]["id"]
    assert error(web.conversations_invite, channel=channel, users=emulator.bot_user_id) == "cant_invite_self"
    assert error(web.conversations_invite, channel=channel, users="UNOBODY") == "user_not_found"
    web.conversations_invite(channel=channel, users="UFR")
    assert error(web.conversations_invite, channel=channel, users="UFR") == "already_in_channel"


def test_one_bad_user_cancels_the_whole_invite_unless_forced(web, emulator):
    channel = web.conversations_create(name="tsr-3")["channel"]["id"]
    with pytest.raises(SlackApiError) as info:
        web.conversations_invite(channel=channel, users="UFR,UNOBODY")
    assert info.value.response["errors"] == [{"user": "UNOBODY", "ok": False, "error": "user_not_found"}]
    assert "UFR" not in emulator.channel(channel).members
    forced = web.conversations_invite(channel=channel, users="UFR,UNOBODY", force=True)
    assert forced["errors"][0]["user"] == "UNOBODY"
    assert "UFR" in emulator.channel(channel).members


def test_join_public_only_and_private_channels_are_invisible(web, emulator):
    public = emulator.add_channel("public", members=["UFR"])
    private = emulator.add_channel("private", members=["UFR"], is_private=True)
    web.conversations_join(channel=public)
    assert emulator.bot_user_id in emulator.channel(public).members
    assert web.conversations_join(channel=public)["warning"] == "already_in_channel"
    assert error(web.conversations_join, channel=private) == "channel_not_found"
    assert error(web.conversations_info, channel=private) == "channel_not_found"
    assert error(web.conversations_members, channel=private) == "channel_not_found"
    listed = {c["id"] for c in web.conversations_list(types="public_channel,private_channel")["channels"]}
    assert public in listed and private not in listed


def test_info_and_members(web, emulator):
    info = web.conversations_info(channel="COPS", include_num_members=True)["channel"]
    assert (info["name"], info["is_member"], info["num_members"]) == ("ops", True, 4)
    first = web.conversations_members(channel="COPS", limit=3)
    rest = web.conversations_members(channel="COPS", cursor=first["response_metadata"]["next_cursor"])
    assert first["members"] + rest["members"] == emulator.channel("COPS").members
    assert rest["response_metadata"]["next_cursor"] == ""


def test_set_topic_limit(web, emulator):
    web.conversations_setTopic(channel="COPS", topic="t" * 250)
    assert emulator.topic("COPS") == "t" * 250
    assert error(web.conversations_setTopic, channel="COPS", topic="t" * 251) == "too_long"


def test_archived_channel_refuses_posts(web, emulator):
    channel = web.conversations_create(name="tsr-4")["channel"]["id"]
    web.conversations_archive(channel=channel)
    assert error(web.conversations_archive, channel=channel) == "already_archived"
    assert error(web.chat_postMessage, channel=channel, text="x") == "is_archived"


def test_history_pagination_newest_first(web, emulator):
    sent = [web.chat_postMessage(channel="COPS", text=str(i))["ts"] for i in range(5)]
    assert sent == sorted(sent) and len(set(sent)) == 5
    pages, cursor = [], None
    while True:
        page = web.conversations_history(channel="COPS", limit=2, cursor=cursor)
        pages.append([m["text"] for m in page["messages"]])
        cursor = page["response_metadata"]["next_cursor"]
        assert page["has_more"] == bool(cursor)
        if not cursor:
            break
    assert pages == [["4", "3"], ["2", "1"], ["0"]]
    window = web.conversations_history(channel="COPS", oldest=sent[1], latest=sent[3])
    assert [m["text"] for m in window["messages"]] == ["2"]
    inclusive = web.conversations_history(channel="COPS", oldest=sent[1], latest=sent[3], inclusive=True)
    assert [m["text"] for m in inclusive["messages"]] == ["3", "2", "1"]
    assert error(web.conversations_history, channel="COPS", cursor="bogus") == "invalid_cursor"


def test_history_requires_membership(web, emulator):
    outside = emulator.add_channel("outside", members=["UFR"])
    assert error(web.conversations_history, channel=outside) == "not_in_channel"


def test_replies_thread_fields_and_pagination(web, emulator):
    parent = web.chat_postMessage(channel="COPS", text="parent")["ts"]
    for i in range(3):
        web.chat_postMessage(channel="COPS", text=f"r{i}", thread_ts=parent)
    web.chat_postMessage(channel="COPS", text="loud", thread_ts=parent, reply_broadcast=True)
    first = web.conversations_replies(channel="COPS", ts=parent, limit=2)
    assert [m["text"] for m in first["messages"]] == ["parent", "r0"]
    rest = web.conversations_replies(channel="COPS", ts=parent,
                                     cursor=first["response_metadata"]["next_cursor"])
    assert [m["text"] for m in rest["messages"]] == ["r1", "r2", "loud"]
    top = emulator.messages("COPS")
    assert [m["text"] for m in top] == ["parent", "loud"]
    assert top[0]["reply_count"] == 4 and top[1]["subtype"] == "thread_broadcast"
    assert len(emulator.replies("COPS", parent)) == 4
    assert error(web.conversations_replies, channel="COPS", ts="1.000001") == "thread_not_found"


def test_users_and_usergroups(web, emulator):
    user = web.users_info(user="UFR", include_locale=True)["user"]
    assert (user["name"], user["locale"], user["tz"]) == ("camille", "fr-FR", "Europe/Paris")
    assert web.usergroups_users_list(usergroup="SCRISIS")["users"] == ["UFR", "UEN"]
    assert error(web.usergroups_users_list, usergroup="SNONE") == "no_such_subteam"
    assert error(web.users_info, user="UNOBODY") == "user_not_found"


def test_users_conversations_lists_only_the_channels_one_is_in(web, emulator):
    mine = web.conversations_create(name="tsr-4")["channel"]["id"]
    private = emulator.add_channel("crisis-private", members=["UFR", emulator.bot_user_id], is_private=True)
    theirs = emulator.add_channel("theirs", members=["UFR"])
    hidden = emulator.add_channel("hidden", members=["UFR"], is_private=True)
    listed = web.users_conversations(types="public_channel,private_channel")["channels"]
    ids = {c["id"] for c in listed}
    assert {mine, private} <= ids and not {theirs, hidden} & ids
    assert next(c for c in listed if c["id"] == mine)["creator"] == emulator.bot_user_id
    assert private not in {c["id"] for c in web.users_conversations()["channels"]}  # public only by default
    # Someone else's channels: their private ones only when the bot shares them.
    theirs_listed = {c["id"] for c in web.users_conversations(user="UFR", types="public_channel,private_channel")["channels"]}
    assert {private, theirs} <= theirs_listed and hidden not in theirs_listed
    assert error(web.users_conversations, types="public_channel,mpim_or_not") == "invalid_types"
