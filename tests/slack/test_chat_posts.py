"""Posting is not idempotent: how `Chat.post` tells "Slack never had it" from "Slack may have it"."""

from __future__ import annotations

import socket

import pytest

from bot.config import Settings
from bot.slack.chat import POST_BACKOFF, Chat, ChatError
from bot.slack.client import make_client
from tests.e2e.harness import Sleeper, env_for


@pytest.fixture
def sleeper() -> Sleeper:
    return Sleeper()


def _chat(emulator, sleeper: Sleeper, url: str | None = None) -> Chat:
    settings = Settings.from_env(env_for(emulator, "sqlite://", SLACK_API_URL=url or emulator.api_url))
    return Chat(make_client(settings, sleeper), sleeper)


def _closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}/api/"


def test_a_refused_connection_is_not_looked_for_since_nothing_was_sent(emulator, sleeper):
    chat = _chat(emulator, sleeper, _closed_port_url())
    with pytest.raises(ChatError) as info:
        chat.post("C1", "hello")
    assert (info.value.code, info.value.refused, info.value.unsure) == ("unreachable", True, False)
    assert dict(chat.calls) == {"chat.postMessage": 1}  # no look in the channel for a post that cannot be there
    assert len(sleeper.waits) == 2  # the client tried the refused connection twice more, after a wait


def test_server_errors_are_looked_for_before_each_new_try(emulator, sleeper):
    chat = _chat(emulator, sleeper)
    emulator.server_error("chat.postMessage", 503, times=10)
    with pytest.raises(ChatError) as info:
        chat.post("COPS", "hello")
    assert info.value.status == 503 and info.value.unsure
    # Three tries, each followed by a look (the last one only looks).
    assert [c.method for c in emulator.calls] == ["chat.postMessage", "conversations.history"] * 3
    assert emulator.messages("COPS") == []
    assert sleeper.waits == [POST_BACKOFF, 2 * POST_BACKOFF, 4 * POST_BACKOFF]  # a longer wait before each look


def test_a_refused_look_means_no_blind_second_post(emulator, sleeper):
    chat = _chat(emulator, sleeper)
    emulator.lose_answer("chat.postMessage", 500)
    emulator.fail("conversations.history", "internal_error", times=3)
    with pytest.raises(ChatError):
        chat.post("COPS", "hello")
    assert [m["text"] for m in emulator.messages("COPS")] == ["hello"]  # once: never posted blind


def test_the_last_try_is_looked_for_too(emulator, sleeper):
    chat = _chat(emulator, sleeper)
    emulator.server_error("chat.postMessage", 503, times=2)  # not carried out
    emulator.lose_answer("chat.postMessage", 503)  # carried out, answer lost
    ts = chat.post("COPS", "hello")
    assert [m["ts"] for m in emulator.messages("COPS")] == [ts]


def test_slacks_may_have_succeeded_errors_are_looked_for(emulator, sleeper):
    chat = _chat(emulator, sleeper)
    emulator.fail("chat.postMessage", "fatal_error")  # HTTP 200 with ok: false
    chat.post("COPS", "hello")
    assert [c.method for c in emulator.calls] == ["chat.postMessage", "conversations.history", "chat.postMessage"]
    assert [m["text"] for m in emulator.messages("COPS")] == ["hello"]


def test_a_direct_message_is_retried_by_the_client_without_looking(emulator, sleeper):
    chat = _chat(emulator, sleeper)
    emulator.server_error("chat.postMessage", 503)
    chat.post("UFR", "your form was declared")
    assert [c.method for c in emulator.calls] == ["chat.postMessage", "chat.postMessage"]
    assert len(sleeper.waits) == 1 and sleeper.waits[0] > 0  # the client waited before its second try
