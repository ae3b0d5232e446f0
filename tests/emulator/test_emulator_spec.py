"""Every call is checked against the vendored method specs."""
from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.emulator.spec import SPEC_DIR

SHARED = Path(__file__).resolve().parents[2].parent / "shared/slack/methods"


def client(emu) -> WebClient:
    return WebClient(token=emu.bot_token, base_url=emu.api_url)


def error_of(call) -> SlackApiError:
    with pytest.raises(SlackApiError) as info:
        call()
    return info.value


@pytest.mark.skipif(not SHARED.is_dir(), reason=f"shared Slack specs not found at {SHARED}")
def test_vendored_specs_are_byte_identical_to_the_shared_copy():
    vendored = sorted(SPEC_DIR.glob("*.json"))
    assert len(vendored) >= 30
    for path in vendored:
        assert path.read_bytes() == (SHARED / path.name).read_bytes(), path.name


def test_every_implemented_method_has_a_spec_and_the_reverse():
    from bot.emulator.webapi import HANDLERS
    assert set(HANDLERS) == {p.stem for p in SPEC_DIR.glob("*.json")}


def test_unknown_method_is_refused_and_recorded(emulator):
    err = error_of(lambda: client(emulator).api_call("chat.postMessagez", params={"channel": "COPS"}))
    assert err.response["error"] == "unknown_method"
    assert emulator.violations and "chat.postMessagez" in emulator.violations[0]
    emulator.violations.clear()


def test_undocumented_argument_is_invalid_arguments_and_a_violation(emulator):
    err = error_of(lambda: client(emulator).chat_postMessage(channel="COPS", text="hi", colour="red"))
    assert err.response["error"] == "invalid_arguments"
    assert "colour" in err.response["response_metadata"]["messages"][0]
    assert len(emulator.violations) == 1 and "colour" in emulator.violations[0]
    assert emulator.messages("COPS") == []
    emulator.violations.clear()


def test_missing_required_argument_is_invalid_arguments_and_a_violation(emulator):
    err = error_of(lambda: client(emulator).api_call("conversations.create", params={}))
    assert err.response["error"] == "invalid_arguments"
    assert "name" in err.response["response_metadata"]["messages"][0]
    assert emulator.violations
    emulator.violations.clear()


def test_json_body_refused_for_a_method_without_json_input(emulator):
    err = error_of(lambda: client(emulator).api_call("users.info", json={"user": "UFR"}))
    assert err.response["error"] == "invalid_arguments"
    assert emulator.violations
    emulator.violations.clear()


def test_json_body_accepted_where_the_spec_allows_it(emulator):
    response = client(emulator).api_call("chat.postMessage", json={"channel": "COPS", "text": "hi"})
    assert response["ok"] and emulator.messages("COPS")[0]["text"] == "hi"


def test_token_is_required_and_checked(emulator):
    assert error_of(lambda: WebClient(base_url=emulator.api_url).auth_test()).response["error"] == "not_authed"
    wrong = WebClient(token="xoxb-wrong", base_url=emulator.api_url)
    assert error_of(wrong.auth_test).response["error"] == "invalid_auth"


def test_token_as_form_argument_and_get_with_query_args(emulator):
    url = f"{emulator.api_url}users.info?token={emulator.bot_token}&user=UFR&include_locale=true"
    with urllib.request.urlopen(url) as response:
        body = json.loads(response.read())
    assert body["ok"] and body["user"]["locale"] == "fr-FR"


def test_an_error_outside_the_spec_is_recorded(emulator):
    # users.info documents user_not_found; conversations.canvases.create documents no
    # channel error, so the emulator lists its extra one explicitly; anything else is recorded.
    from bot.emulator.spec import EXTRA_ERRORS
    spec = emulator.specs["users.info"]
    assert spec.allows_error("user_not_found") and spec.allows_error("ratelimited")
    assert not spec.allows_error("channel_not_found")
    assert "channel_not_found" in EXTRA_ERRORS["conversations.canvases.create"]


def test_fail_refuses_an_undocumented_error(emulator):
    with pytest.raises(ValueError):
        emulator.fail("users.info", "no_such_thing")


def test_calls_are_recorded_without_the_token(emulator):
    web = client(emulator)
    web.auth_test()
    web.users_info(user="UEN")
    assert emulator.count() == 2 and emulator.count("users.info") == 1
    call = emulator.calls[-1]
    assert (call.method, call.args, call.status) == ("users.info", {"user": "UEN"}, 200)
    assert call.response["user"]["name"] == "alex"
    assert "locale" not in call.response["user"]
    emulator.reset_calls()
    assert emulator.count() == 0
