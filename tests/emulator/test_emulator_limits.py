"""Slack's rate limits, when a test enforces them: per method tier, one post per second per channel."""
from __future__ import annotations

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from tests.emulator.fixtures import FakeClock


def _web(emulator) -> WebClient:
    return WebClient(token=emulator.bot_token, base_url=emulator.api_url, retry_handlers=[])


def test_a_tier_2_method_takes_20_calls_a_minute_then_answers_429_without_doing_it(emulator):
    clock = FakeClock()
    limits = emulator.enforce_limits(clock)
    web = _web(emulator)
    for n in range(20):
        web.conversations_create(name=f"burst-{n}")
        clock.advance(1)
    with pytest.raises(SlackApiError) as info:
        web.conversations_create(name="burst-20")
    assert info.value.response.status_code == 429 and info.value.response["error"] == "ratelimited"
    assert info.value.response.headers["Retry-After"] == "40"  # the first call leaves the window at 60 s
    assert emulator.channel_by_name("burst-20") is None and limits.limited == [("conversations.create", None)]
    clock.advance(40)
    web.conversations_create(name="burst-20")


def test_posts_are_one_per_second_per_channel(emulator):
    clock = FakeClock()
    emulator.enforce_limits(clock)
    web = _web(emulator)
    web.chat_postMessage(channel="CINCFR", text="first")
    web.chat_postMessage(channel="CINCEN", text="another channel")
    with pytest.raises(SlackApiError) as info:
        web.chat_postMessage(channel="CINCFR", text="too soon")
    assert info.value.response.status_code == 429 and info.value.response.headers["Retry-After"] == "1"
    clock.advance(1)
    web.chat_postMessage(channel="CINCFR", text="a second later")
    assert [m["text"] for m in emulator.messages("CINCFR")] == ["first", "a second later"]


def test_special_methods_and_unlimited_emulators_never_answer_429(emulator):
    web = _web(emulator)
    for _ in range(30):
        web.chat_postMessage(channel="COPS", text="no limits unless asked")
    emulator.enforce_limits(FakeClock())
    for _ in range(150):
        web.auth_test()  # Tier "special"
    assert all(c.status == 200 for c in emulator.calls)


def test_round_trips_are_the_depth_of_the_call_graph(emulator):
    from bot.emulator.webapi import Call

    def call(start, end):
        return Call("auth.test", {}, {}, 200, start, end)

    # Two at once, then one after both, then two at once again: 3 round trips for 5 calls.
    calls = [call(0, 1), call(0.1, 1.1), call(1.2, 2), call(2.1, 3), call(2.2, 3)]
    assert emulator.round_trips(calls) == 3
    assert emulator.round_trips([]) == 0
    web = _web(emulator)
    web.auth_test()
    web.auth_test()
    assert emulator.round_trips() == 2


def test_calls_answered_in_waves_count_one_round_trip_however_slowly_they_are_sent(emulator):
    """Three calls sent 0.6 s apart, each before the wave's answer, make one wave (a fixed delay of
    1 s per call would answer the first before the third is sent); a call sent after the answers is
    the next round trip."""
    import threading

    web = _web(emulator)
    emulator.in_waves(1.0)
    senders = []
    for _ in range(3):
        senders.append(threading.Thread(target=web.auth_test))
        senders[-1].start()
        while emulator.faults.waiting() < len(senders):  # this one has arrived
            threading.Event().wait(0.01)
        threading.Event().wait(0.6)
    for sender in senders:
        sender.join()
    emulator.in_waves(0)
    web.auth_test()
    assert emulator.round_trips() == 2
    first, third = emulator.calls[0], emulator.calls[2]
    assert third.started < first.ended  # the first was answered with the wave, not before the third came


def test_the_emulators_threads_start_as_calls_need_them_up_to_its_count():
    """Calls held at once each get a thread of their own, up to the count; none start before."""
    import threading
    import time

    from bot.emulator.server import OnDemand

    pool = OnDemand(3)
    gate, started = threading.Event(), []

    class Call:
        def service(self):
            started.append(threading.current_thread().name)
            gate.wait(10)

        def cancel(self):
            pass

    assert pool.threads == set()
    for _ in range(5):
        pool.add_task(Call())
    deadline = time.monotonic() + 10
    while len(started) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(started) == 3 and len(pool.threads) == 3  # three at once, never more
    gate.set()
    while len(started) < 5 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(started) == 5 and len(pool.threads) == 3
    pool.shutdown()
    assert pool.threads == set()
