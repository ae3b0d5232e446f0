"""The client-side rate limiter: slots per method tier and per channel for posts, first come first
served, waits through the injected sleeper."""

from __future__ import annotations

import pytest

from bot.emulator.spec import load_specs
from bot.slack.limits import MARGIN, TIERS, Limiter


class Time:
    def __init__(self):
        self.now = 100.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 6))
        self.now += seconds


def test_a_tier_2_method_waits_for_its_slot_once_20_calls_are_in_the_minute():
    t = Time()
    limiter = Limiter(t, t.sleep)
    for _ in range(20):
        limiter.wait("conversations.create")
    assert t.slept == []
    t.now += 10
    assert limiter.wait("conversations.create") == pytest.approx(60 + MARGIN - 10)  # the first call leaves the window
    assert t.slept == [pytest.approx(60 + MARGIN - 10)]
    assert limiter.wait("chat.update") == 0  # another method: its own count


def test_posts_are_spaced_per_channel_in_the_order_asked():
    t = Time()
    limiter = Limiter(t, lambda s: None)  # nobody sleeps: the slots are handed out ahead
    waits = [limiter.wait("chat.postMessage", c) for c in ("CA", "CA", "CB", "CA")]
    assert waits == pytest.approx([0, 1 + MARGIN, 0, 2 * (1 + MARGIN)])
    assert limiter.wait("auth.test") == 0 and limiter.wait("chat.postMessage") == 0  # special; a DM-less post


def test_active_and_waiting_calls_are_counted_until_answered():
    t = Time()
    limiter = Limiter(t, t.sleep)
    with limiter.slot("chat.postMessage", "CA"):
        assert (limiter.active, limiter.waiting) == (1, 0)
    assert limiter.active == 0 and limiter.waited == 0


def test_the_tiers_are_the_specs():
    specs = load_specs()
    assert {m: specs[m].tier for m in TIERS if m in specs} == {m: t for m, t in TIERS.items() if m in specs}
    assert set(TIERS) - set(specs) <= {"views.publish"}  # not vendored yet


def test_the_bot_keeps_slacks_limits_unless_told_not_to(emulator, tmp_path):
    from bot import runtime
    from bot.config import Settings
    from tests.e2e.harness import env_for

    env = env_for(emulator, f"sqlite:///{tmp_path / 'c.db'}")
    assert isinstance(runtime.build(Settings.from_env(env)).chat.limiter, Limiter)
    assert runtime.build(Settings.from_env({**env, "SLACK_RATE_LIMITS": "off"})).chat.limiter is None
