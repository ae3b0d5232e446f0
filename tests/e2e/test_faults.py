"""Slack on a bad day: rate limits, server errors, slow answers, refused connections, a dead database."""

from __future__ import annotations

import json
import shutil
import socket

import pytest

from bot.flows.messages import describe
from bot.server import make_wsgi
from bot.store import incidents as store
from bot.store import timeline as tl
from bot.store.db import Database
from bot.store.migrate import upgrade
from tests.e2e.harness import Bot

DECLARE = "declare P2 FR Panne du réseau EN Network outage"


class TimedCalls(list):
    """emu.calls, remembering when each Web API call was answered (to see that a retry waited).

    Times come from the bot's sleeper: its waits between tries are skipped but move this clock."""

    def __init__(self, monotonic):
        super().__init__()
        self.times: list[float] = []
        self.monotonic = monotonic

    def append(self, call) -> None:
        self.times.append(self.monotonic())
        super().append(call)

    def clear(self) -> None:
        self.times.clear()
        super().clear()

    def of(self, method: str) -> list[tuple[float, object]]:
        return [(t, c) for t, c in zip(self.times, self) if c.method == method]


@pytest.fixture
def calls(emulator, sleeper) -> TimedCalls:
    emulator.calls = TimedCalls(sleeper.monotonic)
    return emulator.calls


def _incidents(bot) -> list:
    with bot.rt.deps.db.session() as s:
        return store.open_incidents(session=s)


def _crisis_channels(bot) -> list[str]:
    return sorted(c.name for c in bot.emu.state.channels.values() if c.name.startswith("tsr-"))


def _closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/api/"


def _assert_declared_once(bot) -> str:
    """One incident, one channel, one summary, one announcement per stakeholder channel."""
    assert [r.ref for r in _incidents(bot)] == ["TSR-2641"]
    assert _crisis_channels(bot) == ["tsr-2641-panne-du-reseau"]
    crisis = bot.incident_channel()
    assert len(bot.posts(crisis)) == 1 and len(bot.emu.pins(crisis)) == 1
    assert len(bot.posts("CINCFR")) == 1 and len(bot.posts("CINCEN")) == 1
    return crisis


def _waited(calls: TimedCalls, method: str, retry_after: float) -> None:
    """The call was refused with 429 once, then made again no sooner than Retry-After."""
    answered = calls.of(method)
    limited = [i for i, (_, c) in enumerate(answered) if c.status == 429]
    assert limited, f"no 429 was answered for {method}"
    i = limited[0]
    # The same call again (calls to other channels may go out meanwhile, side by side).
    again = [at for at, c in answered[i + 1:] if c.args.get("channel") == answered[i][1].args.get("channel")]
    assert again, f"{method} was not tried again after the 429"
    assert again[0] - answered[i][0] >= retry_after


# 429 ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["conversations.create", "chat.postMessage"])
def test_rate_limit_during_declare_waits_and_posts_once(bot, calls, method):
    bot.emu.rate_limit(method, times=1, retry_after=1)
    bot.command("UEN", DECLARE)
    _waited(calls, method, 1)
    _assert_declared_once(bot)
    assert sum(1 for _, c in calls.of("conversations.create") if c.status == 200) == 1
    assert "TSR-2641 is declared" in bot.replies_to("UEN")[-1]


def test_rate_limit_during_update_waits_and_posts_once(bot, calls):
    bot.command("UEN", DECLARE)
    crisis = bot.incident_channel()
    bot.emu.rate_limit("chat.postMessage", times=2, retry_after=1)
    bot.command("UEN", "update identified FR Routeur en cause EN Router at fault", channel=crisis)
    _waited(calls, "chat.postMessage", 1)
    assert "Update posted: TSR-2641" in bot.replies_to("UEN")[-1]
    updates = [m for m in bot.posts(crisis) if "Router at fault" in str(m.get("blocks"))]
    assert len(updates) == 1
    for channel in ("CINCFR", "CINCEN"):
        assert len(bot.emu.replies(channel, bot.posts(channel)[0]["ts"])) == 1


# 5xx ----------------------------------------------------------------------------------------------


def test_one_server_error_is_retried_and_the_declare_completes(bot, calls):
    bot.emu.server_error("conversations.create", 503, times=1)
    bot.emu.server_error("chat.postMessage", 503, times=1)
    bot.command("UEN", DECLARE)
    assert [c.status for _, c in calls.of("conversations.create")] == [503, 200]
    assert [c.status for _, c in calls.of("chat.postMessage")][:2] == [503, 200]
    _assert_declared_once(bot)
    assert "TSR-2641 is declared" in bot.replies_to("UEN")[-1]


@pytest.mark.parametrize("status", [500, 503, 504])
def test_an_update_whose_answer_was_lost_is_found_not_posted_twice(bot, calls, status):
    """Slack posted the update, then answered a server error: the bot looks before posting again."""
    bot.command("UEN", DECLARE)
    crisis = bot.incident_channel()
    bot.emu.lose_answer("chat.postMessage", status, times=3)  # crisis channel and both stakeholder threads
    bot.command("UEN", "update identified FR Routeur en cause EN Router at fault", channel=crisis)
    updates = [m for m in bot.posts(crisis) if "Router at fault" in str(m.get("blocks"))]
    assert len(updates) == 1
    assert [c.status for _, c in calls.of("chat.postMessage")][-3:] == [status] * 3
    assert "Update posted: TSR-2641" in bot.replies_to("UEN")[-1]
    for channel in ("CINCFR", "CINCEN"):
        thread = bot.emu.replies(channel, bot.posts(channel)[0]["ts"])
        assert len(thread) == 1 and ("Router at fault" in str(thread[0]) or "Routeur en cause" in str(thread[0]))
    # The update's posts are known by the ts Slack gave them: the next change edits them in place.
    bot.command("UEN", "update resolved FR Corrigé EN Fixed", channel=crisis)
    assert [m for m in bot.posts(crisis) if "Router at fault" in str(m.get("blocks"))] == updates


def test_a_server_error_that_posted_nothing_is_posted_once_after_looking(bot, calls):
    bot.command("UEN", DECLARE)
    crisis = bot.incident_channel()
    calls.clear()
    bot.emu.server_error("chat.postMessage", 503, times=1)
    bot.command("UEN", "update identified FR Routeur en cause EN Router at fault", channel=crisis)
    # In the channel whose post met the error (the others' posts go out meanwhile, side by side):
    channel = next(c for c in calls if c.method == "chat.postMessage" and c.status == 503).args["channel"]
    methods = [c.method for c in calls if c.method in ("chat.postMessage", "conversations.history",
                                                          "conversations.replies") and c.args.get("channel") == channel]
    look = "conversations.history" if channel == crisis else "conversations.replies"  # or in its thread
    assert methods[:3] == ["chat.postMessage", look, "chat.postMessage"]
    assert len([m for m in bot.posts(crisis) if "Router at fault" in str(m.get("blocks"))]) == 1


def test_persistent_server_errors_keep_the_update_and_say_what_failed(bot, calls):
    bot.command("UEN", DECLARE)
    crisis = bot.incident_channel()
    posts_before = len(bot.posts(crisis))
    bot.emu.server_error("chat.postMessage", 503, times=1000)
    bot.command("UEN", "update identified FR Routeur en cause EN Router at fault", channel=crisis)
    # Slack never took it: nothing new in the channel...
    assert len(bot.posts(crisis)) == posts_before
    assert {c.status for _, c in calls.of("chat.postMessage")[-3:]} == {503}
    # ...but the update is recorded, with its text, and the incident moved on.
    with bot.rt.deps.db.session() as s:
        row = store.by_ref(session=s, ref="TSR-2641")
        assert row.status == "identified"
        statuses = tl.entries(session=s, incident_id=row.id, kinds=None)
    status_entries = [e for e in statuses if e.kind.value == "status"]
    assert len(status_entries) == 1
    assert status_entries[0].texts == {"fr": "Routeur en cause", "en": "Router at fault"}
    # The person is told which call failed, and not with a trace.
    replies = "\n".join(bot.replies_to("UEN"))
    assert "chat.postMessage" in replies and "What was already recorded is kept" in replies
    assert "but not posted" in replies and "Update posted" not in replies
    assert "Traceback" not in replies
    bot.command("UEN", "status", channel=crisis)
    assert "identified" in bot.replies_to("UEN")[-1]


# Slow answers -----------------------------------------------------------------------------------


def test_slow_slack_does_not_delay_the_acknowledgement(bot):
    slow = 4.0
    bot.emu.delay("users.info", slow)  # longer than the bot waits to learn a language
    for method in ("usergroups.users.list", "conversations.create"):
        bot.emu.hold(method)  # as slow as need be: not answered before the acknowledgement is in
    d = bot.emu.slash_command("UEN", "COPS", DECLARE)
    # The ack came before the first (slow) Web API call, well within Slack's 3 seconds.
    assert d.status == 200 and d.seconds < slow
    assert bot.emu.slow_acks == []
    bot.emu.release()
    bot.settle()
    # users.info was too slow to wait for: the reply is in the first configured language, and complete.
    last = bot.replies_to("UEN")[-1]
    assert "TSR-2641" in last and "<#C" in last


# Refused connections ----------------------------------------------------------------------------


def _outage(bot):
    """Slack's Web API stops answering (the bot has been running: its crisis group is known)."""
    bot.rt.permissions.crisis_unit_users()
    clients = bot.rt.chat.clients
    good, closed = clients[0].base_url, _closed_port_url()
    for client in clients:
        client.base_url = closed
    return lambda: [setattr(client, "base_url", good) for client in clients]


def test_unreachable_slack_keeps_the_incident_and_try_again_resumes_it(bot):
    restore = _outage(bot)
    bot.command("UEN", DECLARE)
    assert [r.ref for r in _incidents(bot)] == ["TSR-2641"]
    assert _crisis_channels(bot) == []
    failed = bot.emu.ephemerals("UEN")[-1]
    # Slack could not say which language UEN reads, so this one may be in the default language.
    assert "(unreachable)" in failed["text"] and "Traceback" not in failed["text"]
    assert "retry_setup" in str(failed["blocks"])
    restore()
    bot.emu.click_ephemeral("UEN", failed, "retry_setup")
    bot.settle()
    _assert_declared_once(bot)
    crisis = bot.incident_channel()
    assert {"UEN", "UFR"} <= set(bot.emu.channel(crisis).members)
    # Told in their own language once Slack answers again (a failed look-up is not remembered).
    assert "TSR-2641 is declared" in bot.replies_to("UEN")[-1]


def test_unreachable_slack_then_the_same_command_resumes_without_a_second_incident(bot):
    restore = _outage(bot)
    bot.command("UEN", DECLARE)
    restore()
    bot.command("UEN", DECLARE)
    _assert_declared_once(bot)


def test_slack_gone_right_after_the_channel_exists_resumes_every_step_once(bot, monkeypatch):
    chat = bot.rt.chat
    create = chat.create_channel
    restore = None

    def create_then_go_away(*args, **kwargs):
        nonlocal restore
        channel = create(*args, **kwargs)
        restore = _outage(bot)
        return channel

    monkeypatch.setattr(chat, "create_channel", create_then_go_away)
    bot.command("UEN", DECLARE)
    assert _crisis_channels(bot) == ["tsr-2641-panne-du-reseau"]
    asked = bot.emu.ephemerals("UEN")[-1]
    assert "unreachable" in asked["text"]
    restore()
    bot.emu.click_ephemeral("UEN", asked, "retry_setup")
    bot.settle()
    crisis = _assert_declared_once(bot)
    # The invitations that failed during the outage were made too.
    assert {"UEN", "UFR"} <= set(bot.emu.channel(crisis).members)
    assert "TSR-2641" in bot.emu.topic(crisis)
    assert bot.emu.bookmarks(crisis)
    # Pressing again once everything is done changes nothing.
    bot.emu.click_ephemeral("UEN", asked, "retry_setup")
    bot.settle()
    _assert_declared_once(bot)


def test_a_channel_created_but_whose_answer_was_lost_is_taken_back_not_doubled(bot, calls):
    """Slack made the channel, then answered 503; the client tried again and got name_taken."""
    bot.emu.lose_answer("conversations.create", 503)
    bot.command("UEN", DECLARE)
    assert [c.status for _, c in calls.of("conversations.create")] == [503, 200]
    crisis = _assert_declared_once(bot)
    assert "TSR-2641 is declared" in bot.replies_to("UEN")[-1]
    assert bot.emu.channel(crisis).name == "tsr-2641-panne-du-reseau"


def test_a_crash_right_after_the_channel_was_made_resumes_in_that_channel(bot, monkeypatch):
    """The process died between Slack's answer and our write: the next run finds its channel."""
    from bot.flows import declare

    chat = bot.rt.chat
    create = chat.create_channel

    def create_then_crash(*args, **kwargs):
        create(*args, **kwargs)
        raise declare.ChatError("unreachable", "conversations.create")

    monkeypatch.setattr(chat, "create_channel", create_then_crash)
    bot.command("UEN", DECLARE)
    monkeypatch.setattr(chat, "create_channel", create)
    bot.command("UEN", DECLARE)  # the same command again resumes the same incident
    bot.settle()
    crisis = _assert_declared_once(bot)
    assert {"UEN", "UFR"} <= set(bot.emu.channel(crisis).members)


def test_a_taken_name_that_is_not_ours_still_gets_a_suffix(bot):
    """Someone else's channel, or one of ours that another incident holds, is never taken over."""
    bot.emu.add_channel("tsr-2641-panne-du-reseau", members=["UEN"])
    bot.emu.add_channel("tsr-2641-panne-du-reseau-2", members=[bot.emu.bot_user_id])  # not created by us
    bot.command("UEN", DECLARE)
    crisis = bot.incident_channel()
    assert bot.emu.channel(crisis).name == "tsr-2641-panne-du-reseau-3"


def test_only_a_channel_that_can_only_be_this_incidents_is_taken_back(bot):
    from bot.flows.declare import _left_behind
    from bot.flows.ports import Room

    bot.command("UEN", DECLARE)
    crisis = bot.incident_channel()
    with bot.rt.deps.db.session() as s:
        incident = store.to_incident(store.by_ref(session=s, ref="TSR-2641"))
    made = incident.declared_at.timestamp() + 1

    def channel(id, **extra):
        return Room(**{"id": id, "name": "tsr-2641-x", "private": False, "created": made, **extra})

    free = bot.emu.add_channel("tsr-2641-x", members=[bot.emu.bot_user_id])
    assert _left_behind(bot.rt.deps, incident, False, channel(free)).id == free
    assert _left_behind(bot.rt.deps, incident, False, channel(crisis)) is None  # another incident holds it
    assert _left_behind(bot.rt.deps, incident, True, channel(free)) is None  # not as private as asked
    # Made a day before the declaration: a leftover (a reset database reusing the number).
    assert _left_behind(bot.rt.deps, incident, False, channel(free, created=made - 86400)) is None


def test_a_lost_answer_on_a_suffixed_name_is_taken_back_too(bot, calls):
    """The first name is someone else's; -2 is made but its answer lost: -2 is ours, no -3."""
    bot.emu.add_channel("tsr-2641-panne-du-reseau", members=["UEN"])
    bot.command("UEN", "help")  # warm: the bot knows who it is
    calls.clear()
    original = bot.rt.chat.create_channel

    def lose_second(name, private):
        if name.endswith("-2"):
            bot.emu.lose_answer("conversations.create", 503)
        return original(name, private)

    bot.rt.chat.create_channel = lose_second
    try:
        bot.command("UEN", DECLARE)
    finally:
        bot.rt.chat.create_channel = original
    names = sorted(c.name for c in bot.emu.state.channels.values() if c.name.startswith("tsr-"))
    assert names == ["tsr-2641-panne-du-reseau", "tsr-2641-panne-du-reseau-2"]
    assert bot.emu.channel(bot.incident_channel()).name == "tsr-2641-panne-du-reseau-2"
    assert "TSR-2641 is declared" in bot.replies_to("UEN")[-1]


def test_a_pin_refused_after_the_summary_is_posted_does_not_post_it_twice(bot):
    bot.emu.fail("pins.add", "restricted_action")
    bot.command("UEN", DECLARE)
    asked = bot.emu.ephemerals("UEN")[-1]
    assert "pins.add" in asked["text"]
    bot.emu.click_ephemeral("UEN", asked, "retry_setup")
    bot.settle()
    _assert_declared_once(bot)


# Database down ------------------------------------------------------------------------------------


def _get(wsgi, path: str) -> tuple[str, dict]:
    got = {}

    def start_response(status, headers):
        got["status"] = status

    body = b"".join(wsgi({"PATH_INFO": path, "REQUEST_METHOD": "GET"}, start_response))
    return got["status"], json.loads(body)


def test_healthz_is_200_when_the_database_answers_and_503_when_not(bot):
    status, body = _get(bot.rt.wsgi(), "/healthz")
    assert status.startswith("200") and body["ok"] is True
    dead = Database(_closed_port_url().replace("http://", "postgresql+psycopg://x@").replace("/api/", "/x")
                    + "?connect_timeout=1")
    try:
        status, body = _get(make_wsgi(bot.rt.app, dead), "/healthz")
    finally:
        dead.dispose()
    assert status.startswith("503") and body["ok"] is False


def test_a_command_while_the_database_is_gone_says_so_plainly(emulator, tmp_path):
    folder = tmp_path / "db"
    folder.mkdir()
    url = f"sqlite:///{folder / 'cellule.db'}"
    upgrade(url)
    b = Bot(emulator, url)
    try:
        b.command("UEN", "help")  # Slack look-ups cached, as on a running bot
        b.rt.deps.db.dispose()
        shutil.rmtree(folder)
        assert _get(b.rt.wsgi(), "/healthz")[0].startswith("503")
        b.command("UEN", DECLARE)
        b.command("UEN", "status TSR-2641")
        expected = describe(b.rt.deps.catalogs.lang("en"), "database_down")
        assert b.replies_to("UEN")[-2:] == [expected, expected]
        assert not [c for c in emulator.state.channels.values() if c.name.startswith("tsr-")]
    finally:
        b.close()
