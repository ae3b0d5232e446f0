"""Use cases in process: a real database, the in-memory messenger, a fixed clock. No HTTP, no Slack."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from bot.config import Announce, Settings
from bot.core.errors import Refusal
from bot.core.model import Priority, Status
from bot.flows import declare, reading, recovery, updates
from bot.flows.deps import Deps
from bot.flows.incidents import Permissions, by_id
from bot.flows.memory import MemoryMessenger
from bot.flows.ports import Announcement, StatusUpdate, Summary
from bot.i18n import Catalogs
from bot.store import incidents as store_module

NOW = datetime(2025, 12, 4, 11, 8, tzinfo=timezone.utc)


@pytest.fixture
def world(db):
    messenger = MemoryMessenger(people={"UFR": "fr", "UEN": "en"})
    fr_room = messenger.add_room("incidents-fr", members=["UFR"])
    all_room = messenger.add_room("incidents-all", members=["UEN"])
    settings = Settings(prefix="TSR", first_number=2641,
                        announce=(Announce(fr_room, ("fr",)), Announce(all_room, ())))
    clock = {"now": NOW}
    deps = Deps(settings=settings, db=db, catalogs=Catalogs(languages=("fr", "en"), timezone="Europe/Paris"),
                messenger=messenger, clock=lambda: clock["now"])
    return deps, messenger, clock, fr_room, all_room


def _declare(deps, key="k1"):
    req = declare.DeclareRequest(user="UFR", title={"fr": "Panne réseau", "en": "Network outage"},
                                 priority=Priority.P2, key=key)
    incident, created = declare.record(deps, req)
    return incident, created, declare.setup(deps, incident.id, Permissions(deps))


def test_declare_opens_the_room_pins_the_summary_and_announces_in_each_room_language(world):
    deps, m, _clock, fr_room, all_room = world
    incident, created, report = _declare(deps)
    assert created and report.channel_ok and report.problems == []
    room = m.rooms[report.incident.channel_id]
    assert room.room.name == "tsr-2641-panne-reseau"
    assert "UFR" in room.members
    [summary] = room.messages
    assert isinstance(summary.notice, Summary) and summary.ts in room.pins
    assert room.topic.startswith("TSR-2641 · P2")
    [fr] = m.posted(fr_room)
    [both] = m.posted(all_room)
    assert isinstance(fr.notice, Announcement) and [l.code for l in fr.notice.langs] == ["fr"]
    assert [l.code for l in both.notice.langs] == ["fr", "en"]
    assert room.bookmarks and room.bookmarks[0][1] == f"memory://{fr_room}/{fr.ts}"


def test_the_same_declare_again_resumes_the_unfinished_incident(world):
    deps, m, *_ = world
    m.fail("open_room", "ratelimited")
    first, _, report = _declare(deps)
    assert not report.channel_ok and report.problems == [("channel_failed", {"code": "ratelimited"})]
    again, created, report = _declare(deps)
    assert again.id == first.id and not created and report.channel_ok
    assert len([r for r in m.rooms.values() if r.room.name.startswith("tsr-")]) == 1


def test_a_refused_announcement_is_reported_and_try_again_finishes_only_what_is_missing(world):
    deps, m, _clock, fr_room, all_room = world
    m.rooms[fr_room].members.discard("UBOT")  # the bot was never invited there
    incident, _, report = _declare(deps)
    assert ("announce_not_in_channel", {"channel": f"<#{fr_room}>", "method": "publish", "code": "not_in_channel"}) \
        in report.problems
    m.rooms[fr_room].members.add("UBOT")
    published_before = m.calls.count("publish")
    report = declare.setup(deps, incident.id, Permissions(deps))  # the "Try again" button
    assert report.problems == []
    assert m.calls.count("publish") == published_before + 1  # the missing announcement only
    assert len(m.posted(fr_room)) == 1 and len(m.posted(all_room)) == 1


def test_a_room_that_refuses_stops_no_other_and_is_reported_once(world):
    deps, m, _clock, fr_room, all_room = world
    m.rooms[fr_room].members.discard("UBOT")
    incident, _, report = _declare(deps)
    assert [code for code, _ in report.problems] == ["announce_not_in_channel"]
    assert len(m.posted(all_room)) == 1 and len(m.posted(report.incident.channel_id)) == 1
    room = m.rooms[report.incident.channel_id]
    assert room.bookmarks[0][1].startswith(f"memory://{all_room}/")  # to the announcement that went out
    m.fail("publish", "internal_error")  # the first post of the update: the crisis room's
    out = updates.post_update(deps, incident.id, user="UFR", status=Status.IDENTIFIED, texts={"fr": "Vu", "en": "Seen"})
    assert (out.channels, out.posted) == (2, 1) and out.problems == [("slack_refused", {"method": "publish", "code": "internal_error"})]
    assert m.posted(all_room)[-1].thread == m.posted(all_room)[0].ts


def test_a_run_that_dies_while_recording_a_post_leaves_nothing_half_written(world, monkeypatch):
    """The post row and the setup step are one transaction: a run killed between them (as the
    kill tests do, several answers arriving at once) leaves neither, and the next run finds the
    post by its key and records both (before: the row was there without its step, and the next run
    failed on the duplicate row)."""
    deps, m, _clock, fr_room, all_room = world
    real = store_module.mark_setup

    class Killed(Exception):
        pass

    def dies_on_announced(*, session, incident_id, step, value):
        if step == "announced":
            raise Killed
        return real(session=session, incident_id=incident_id, step=step, value=value)

    monkeypatch.setattr(store_module, "mark_setup", dies_on_announced)
    with pytest.raises(Killed):
        _declare(deps)
    monkeypatch.setattr(store_module, "mark_setup", real)
    with deps.db.session() as s:
        [row] = store_module.unfinished_setups(session=s)
        assert [p.kind for p in store_module.posts(session=s, incident_id=row.id, kind="announcement")] == []
    report = declare.setup(deps, row.id, Permissions(deps))
    assert report.problems == [] and len(m.posted(fr_room)) == 1 and len(m.posted(all_room)) == 1
    with deps.db.session() as s:
        assert len(store_module.posts(session=s, incident_id=row.id, kind="announcement")) == 2


def test_a_declare_stopped_by_slack_is_finished_at_start(world):
    deps, m, *_ = world
    m.fail("pin", "internal_error")
    incident, _, report = _declare(deps)
    assert ("slack_refused", {"method": "pin", "code": "internal_error"}) in report.problems
    assert recovery.resume_unfinished(deps, Permissions(deps), retry=False) == 1
    room = m.rooms[report.incident.channel_id]
    assert len(room.messages) == 1 and room.messages[0].ts in room.pins  # pinned, not posted twice
    assert recovery.resume_unfinished(deps, Permissions(deps), retry=False) == 0


def test_an_update_reaches_every_room_and_revises_the_summary(world):
    deps, m, clock, fr_room, all_room = world
    incident, _, report = _declare(deps)
    channel = report.incident.channel_id
    clock["now"] = NOW + timedelta(minutes=20)
    out = updates.post_update(deps, incident.id, user="UFR", status=Status.IDENTIFIED,
                              texts={"fr": "Cause trouvée", "en": "Cause found"})
    assert (out.channels, out.posted, out.missing, out.problems) == (3, 3, [], [])
    update = m.posted(channel)[-1]
    assert isinstance(update.notice, StatusUpdate) and update.notice.status is Status.IDENTIFIED
    [announcement, in_thread] = m.posted(fr_room)
    assert in_thread.thread == announcement.ts and in_thread.broadcast  # a status change is broadcast
    assert m.posted(channel)[0].revisions == 1  # the pinned summary shows the new status
    assert announcement.revisions == 1
    assert reading.status(deps, out.incident).incident.status is Status.IDENTIFIED


def test_an_update_in_one_language_says_which_is_missing(world):
    deps, m, *_ = world
    incident, _, _ = _declare(deps)
    out = updates.post_update(deps, incident.id, user="UFR", status=Status.INVESTIGATING, texts={"fr": "On cherche"})
    assert out.missing == ["en"]
    assert updates.untranslated(deps, incident.id, out.entry_id) == ["en"]
    updates.add_translations(deps, incident.id, out.entry_id, {"en": "Looking"})
    assert updates.untranslated(deps, incident.id, out.entry_id) == []


def test_a_slack_outage_during_an_update_loses_nothing_recorded(world):
    deps, m, _clock, fr_room, _all = world
    incident, _, _ = _declare(deps)
    m.fail("publish", "internal_error", times=3)
    out = updates.post_update(deps, incident.id, user="UFR", status=Status.MONITORING, texts={"fr": "Suivi", "en": "Watching"})
    assert out.posted == 0 and out.channels == 3
    assert out.problems and all(code == "slack_refused" for code, _ in out.problems)
    assert reading.status(deps, out.incident).incident.status is Status.MONITORING  # recorded all the same


def test_a_backwards_update_is_refused_and_changes_nothing(world):
    deps, m, *_ = world
    incident, _, _ = _declare(deps)
    updates.post_update(deps, incident.id, user="UFR", status=Status.RESOLVED, texts={"fr": "Fini", "en": "Done"})
    calls = len(m.calls)
    with pytest.raises(Refusal) as refused:
        updates.post_update(deps, incident.id, user="UFR", status=Status.IDENTIFIED, texts={"fr": "x", "en": "x"})
    assert refused.value.code == "transition_resolved_needs_reopen"
    assert len(m.calls) == calls


def test_fields_are_read_as_each_field_wants(world):
    deps, *_ = world
    incident, _, _ = _declare(deps)
    updates.change_field(deps, incident.id, user="UFR", name="priority", value="p1")
    updates.change_field(deps, incident.id, user="UFR", name="responsibility", value="externe")
    updates.change_field(deps, incident.id, user="UFR", name="cause", value="FR Disque plein EN Disk full")
    seen = by_id(deps, incident.id)
    assert seen.priority is Priority.P1 and seen.responsibility.value == "external"
    assert seen.cause == {"fr": "Disque plein", "en": "Disk full"}
    with pytest.raises(Refusal) as refused:
        updates.change_field(deps, incident.id, user="UFR", name="colour", value="blue")
    assert refused.value.code == "unknown_field"
