"""The example's replay is the past: Slack's pace (one post per second per channel) is kept in the
limiter's clock, not slept, so the playground is ready at once; once live, the waits are real."""

from __future__ import annotations

from bot.playground.work import ReplayPacing
from bot.slack.limits import Limiter


def test_waits_during_the_replay_skip_ahead_and_live_waits_sleep():
    slept: list[float] = []
    pacing = ReplayPacing(sleep=slept.append)
    limiter = Limiter(pacing.clock, pacing.sleep)
    for _ in range(5):  # five posts to one channel: four of them wait a second or so for their slot
        limiter.wait("chat.postMessage", "C1")
    assert slept == [] and limiter.waited >= 4
    before = pacing.clock()
    pacing.replaying = False
    # The slots the replay booked are behind us: the first live post does not wait for them.
    assert limiter.wait("chat.postMessage", "C2") == 0.0
    limiter.wait("chat.postMessage", "C2")
    assert len(slept) == 1 and slept[0] > 0.5
    assert pacing.clock() >= before  # the skipped time stays in the clock


def test_the_replayed_example_never_sleeps_for_slacks_pace(tmp_path, monkeypatch):
    from bot.playground.app import Playground

    monkeypatch.chdir(tmp_path)
    pg = Playground({}, port=0)
    slept: list[float] = []
    pg.pacing._sleep = slept.append
    try:
        pg.replay_example()
        assert pg.status["ready"] and pg.status["replay_error"] is None and pg.status["example"]
        assert slept == [] and pg.limiter.waited > 5  # the example's posts were paced, in skipped time
        assert not pg.pacing.replaying
    finally:
        pg.close()
