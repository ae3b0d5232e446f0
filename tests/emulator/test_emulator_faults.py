"""Fault injection: rate limits (with slack_sdk's retry handler), errors, server errors."""
from __future__ import annotations

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler


def test_rate_limit_then_success_with_the_retry_handler(emulator):
    emulator.rate_limit("chat.postMessage", times=1, retry_after=0)
    web = WebClient(token=emulator.bot_token, base_url=emulator.api_url,
                    retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=2)])
    web.chat_postMessage(channel="COPS", text="eventually")
    statuses = [c.status for c in emulator.calls]
    assert statuses == [429, 200]
    assert emulator.calls[0].response == {"ok": False, "error": "ratelimited"}
    assert [m["text"] for m in emulator.messages("COPS")] == ["eventually"]


def test_rate_limit_answers_retry_after(emulator):
    emulator.rate_limit("*", retry_after=7)
    web = WebClient(token=emulator.bot_token, base_url=emulator.api_url)
    with pytest.raises(SlackApiError) as info:
        web.auth_test()
    assert info.value.response.status_code == 429
    assert info.value.response.headers["Retry-After"] == "7"
    web.auth_test()


def test_fail_and_server_error(emulator):
    web = WebClient(token=emulator.bot_token, base_url=emulator.api_url)
    emulator.fail("chat.postMessage", "channel_not_found", times=2)
    for _ in range(2):
        with pytest.raises(SlackApiError) as info:
            web.chat_postMessage(channel="COPS", text="x")
        assert info.value.response["error"] == "channel_not_found"
    emulator.server_error("auth.test", status=503)
    with pytest.raises(SlackApiError) as info:
        web.auth_test()
    assert info.value.response.status_code == 503
    web.chat_postMessage(channel="COPS", text="x")
    assert len(emulator.messages("COPS")) == 1


def test_a_lost_answer_does_the_work_then_answers_a_server_error(emulator):
    web = WebClient(token=emulator.bot_token, base_url=emulator.api_url)
    emulator.lose_answer("chat.postMessage", status=504)
    with pytest.raises(SlackApiError) as info:
        web.chat_postMessage(channel="COPS", text="did it land?")
    assert info.value.response.status_code == 504
    assert [m["text"] for m in emulator.messages("COPS")] == ["did it land?"]  # it did
    web.chat_postMessage(channel="COPS", text="next")  # used up: the next call is answered
    assert [c.status for c in emulator.calls] == [504, 200]


def test_a_held_method_is_answered_on_release_and_others_are_not_held(emulator):
    import threading

    web = WebClient(token=emulator.bot_token, base_url=emulator.api_url)
    emulator.hold("chat.postMessage")
    answered = []
    poster = threading.Thread(target=lambda: answered.append(web.chat_postMessage(channel="COPS", text="late")))
    poster.start()
    web.auth_test()  # answered while chat.postMessage is held
    assert answered == [] and [c.method for c in emulator.calls] == ["auth.test"]
    emulator.release()
    poster.join(timeout=30)
    assert answered and answered[0]["ok"] and [m["text"] for m in emulator.messages("COPS")] == ["late"]


def test_stopping_the_emulator_answers_what_it_held(emulator):
    import threading

    web = WebClient(token=emulator.bot_token, base_url=emulator.api_url)
    emulator.hold("auth.test")
    caller = threading.Thread(target=web.auth_test)
    caller.start()
    emulator.faults.stop()  # as emulator.stop() does before stopping its server
    caller.join(timeout=30)
    assert not caller.is_alive()


def test_a_held_answer_comes_after_the_work_of_the_nth_call_and_only_on_release(emulator):
    import threading

    web = WebClient(token=emulator.bot_token, base_url=emulator.api_url)
    done = emulator.hold_answer("chat.postMessage", nth=2)
    web.chat_postMessage(channel="COPS", text="first")  # answered: not the second
    answered = []
    poster = threading.Thread(target=lambda: answered.append(web.chat_postMessage(channel="COPS", text="second")))
    poster.start()
    assert done.wait(30)
    assert [m["text"] for m in emulator.messages("COPS")] == ["first", "second"]  # Slack did the work…
    poster.join(timeout=0.2)
    assert answered == []  # …and has not answered
    web.auth_test()  # others are answered meanwhile
    emulator.release()
    poster.join(timeout=30)
    assert answered and answered[0]["ok"]
    web.chat_postMessage(channel="COPS", text="third")  # released: nothing held any more
