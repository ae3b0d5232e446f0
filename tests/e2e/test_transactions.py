"""How many database transactions one command runs: one locked transaction applies it, one records
what was posted (issue 11: an update used to run about twelve)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import event

from bot.slack.listeners import commands


@pytest.fixture
def count_transactions(bot, monkeypatch):
    """`count()` → the transactions begun while the last `/incident` command was handled (in the
    thread that handled it: the message events Slack sends meanwhile are other work)."""
    engine, counting, counted = bot.rt.deps.db.engine, threading.local(), []
    real_work = commands.work

    def on_begin(_conn):
        if getattr(counting, "on", False):
            counted[-1] += 1

    def work(*args, **kwargs):
        counted.append(0)
        counting.on = True
        try:
            return real_work(*args, **kwargs)
        finally:
            counting.on = False

    event.listen(engine, "begin", on_begin)
    monkeypatch.setattr(commands, "work", work)
    yield lambda: counted[-1]
    event.remove(engine, "begin", on_begin)


def _declare(bot) -> str:
    bot.command("UFR", "declare P2 FR Perturbations plateforme de paiement EN Payment platform disruptions")
    return bot.incident_channel()


def test_an_update_runs_at_most_three_transactions(bot, count_transactions):
    crisis = _declare(bot)
    # A status change: posted in three channels, summary and two announcements edited, topic set.
    bot.command("UEN", "update identified FR Cause trouvée EN Cause found", channel=crisis)
    assert "Update posted" in bot.replies_to("UEN")[-1]
    # Finding the incident; applying the update (locked) with what the posts need; recording the
    # posts and edits while checking nobody changed the incident meanwhile.
    assert count_transactions() == 3
    bot.command("UEN", "update identified FR Toujours EN Still", channel=crisis)  # nothing to edit
    assert count_transactions() == 3


@pytest.mark.parametrize("command", ["resolve", "set priority P1", "role scribe <@UEN|alex>", "impact start"])
def test_other_changes_run_at_most_three_transactions(bot, count_transactions, command):
    crisis = _declare(bot)
    bot.command("UEN", command, channel=crisis)
    assert count_transactions() <= 3
