"""Transactions per use case, in process (the in-memory messenger): the change applied in one locked
transaction, what was posted and edited recorded in one more."""

from __future__ import annotations

import pytest

from bot.core.model import Role, Status
from bot.flows import timeline, updates
from tests.flows.test_usecases import _declare, world  # noqa: F401  (the fixture)


@pytest.mark.parametrize("run", [
    lambda deps, i: updates.post_update(deps, i.id, user="UEN", status=Status.IDENTIFIED, texts={"fr": "a", "en": "b"}),
    lambda deps, i: updates.post_update(deps, i.id, user="UEN", status=Status.RESOLVED, texts={"en": "Done"}),
    lambda deps, i: updates.set_field(deps, i.id, user="UEN", name="priority", value="P1"),
    lambda deps, i: updates.set_role(deps, i.id, user="UFR", role=Role.SCRIBE, person="UEN"),
    lambda deps, i: timeline.impact_edge(deps, i, user="UEN", edge="start", text=""),
], ids=["update", "resolve", "priority", "role", "impact"])
def test_a_change_runs_two_transactions(world, begins, run):
    deps, messenger, *_ = world
    incident = _declare(deps)[2].incident
    messenger.calls.clear()
    before = begins()
    run(deps, incident)
    assert begins() - before == 2
    assert "revise" in messenger.calls  # it did edit the summary, whose posts and edits were recorded
