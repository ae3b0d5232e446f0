"""Listeners are plain functions taking what Bolt injects: called here directly, with a mocked
`ack` and `respond`, the in-memory messenger and a pool that runs work at once."""

from __future__ import annotations

from concurrent.futures import Executor, Future
from datetime import datetime, timezone
from unittest.mock import Mock

import pytest

from bot.config import Settings
from bot.flows.deps import Deps
from bot.flows.incidents import Permissions
from bot.flows.memory import MemoryMessenger
from bot.i18n import Catalogs
from bot.slack.edge import Edge
from bot.slack.listeners import commands


class RightAway(Executor):
    def submit(self, fn, /, *args, **kwargs):
        future = Future()
        future.set_result(fn(*args, **kwargs))
        return future


@pytest.fixture
def edge(db):
    settings = Settings(prefix="TSR", first_number=2641, crisis_unit=("UFR",))
    deps = Deps(settings=settings, db=db, catalogs=Catalogs(languages=("fr", "en"), timezone="Europe/Paris"),
                messenger=MemoryMessenger(people={"UFR": "fr", "UEN": "en"}),
                clock=lambda: datetime(2025, 12, 4, 11, 8, tzinfo=timezone.utc))
    return Edge(deps, Permissions(deps), chat=None, work=RightAway())


def _run(edge, user, text):
    order = []
    ack = Mock(side_effect=lambda *a, **k: order.append("ack"))
    respond = Mock(side_effect=lambda **k: order.append(k["text"]))
    commands.on_incident(ack=ack, command={"user_id": user, "text": text, "channel_id": "COPS"},
                         respond=respond, context={"edge": edge})
    ack.assert_called_once_with()
    return order


def test_acknowledges_before_anything_else_and_answers_in_the_callers_language(edge):
    order = _run(edge, "UFR", "help")
    assert order[0] == "ack"
    assert order[1].startswith("*/incident* — ") and "déclarer" in order[1]
    assert "declare; opens the crisis channel" in _run(edge, "UEN", "help")[1]


def test_the_access_table_is_applied_before_the_handler(edge):
    order = _run(edge, "UEN", "declare P2 FR Panne EN Outage")  # not in CRISIS_UNIT
    assert order[1] == "Only the crisis unit can declare an incident; ask one of its members."
    assert edge.deps.messenger.calls == []  # nothing reached the chat platform


def test_a_command_on_no_incident_says_how_to_name_one(edge):
    order = _run(edge, "UFR", "update monitoring FR ok EN ok")
    assert "/incident update TSR-123" in order[1]


def test_declare_through_the_listener(edge):
    order = _run(edge, "UFR", "declare P2 FR Panne réseau EN Network outage")
    assert order[1] == "Déclaration de TSR-2641 : ouverture du canal de crise…"
    assert order[2].startswith("TSR-2641 est déclaré")
    room = next(r for r in edge.deps.messenger.rooms.values() if r.room.name.startswith("tsr-2641"))
    assert room.messages and room.pins
