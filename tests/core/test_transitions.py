"""The pure transitions: plain values in, the new incident and its entries out, nothing mutated."""

from __future__ import annotations

import copy
import itertools
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core import impact, lifecycle, transitions
from bot.core.commands import CommandError
from bot.core.impact import ImpactError
from bot.core.lifecycle import TransitionRefused
from bot.core.model import Entry, EntryKind, Incident, Priority, Responsibility, Role, Status

NOW = datetime(2025, 12, 4, 11, 13, tzinfo=timezone.utc)
K = EntryKind


def minutes(n: int) -> timedelta:
    return timedelta(minutes=n)


def incident(**fields) -> Incident:
    base = dict(ref="TSR-2641", number=2641, title={"fr": "Paiements", "en": "Payments"}, declared_at=NOW,
                declared_by="UFR", roles={Role.COMMANDER: "UFR"}, id=1)
    return Incident(**{**base, **fields})


def window(*pairs) -> list[Entry]:
    return [Entry(kind=kind, at=at, key=True) for kind, at in pairs]


# Declare --------------------------------------------------------------------------------------

def test_declare_makes_the_declarer_commander_and_records_the_declaration():
    draft = Incident(ref="TSR-2641", number=2641, title={"en": "Payments"}, priority=Priority.P2)
    t = transitions.declare(draft, user="UFR", now=NOW)
    assert (t.incident.status, t.incident.declared_at, t.incident.declared_by) == (Status.INVESTIGATING, NOW, "UFR")
    assert t.incident.roles == {Role.COMMANDER: "UFR"}
    [declared] = t.entries
    assert (declared.kind, declared.at, declared.author, declared.key) == (K.DECLARED, NOW, "UFR", True)
    assert declared.data == {"title": {"en": "Payments"}, "priority": "P2"}
    assert draft.declared_at is None and draft.roles == {}  # the draft is untouched


def test_declare_with_an_impact_start_opens_a_window():
    t = transitions.declare(incident(), user="UFR", now=NOW, impact_start=NOW - minutes(5))
    assert [e.kind for e in t.entries] == [K.DECLARED, K.IMPACT_START]
    assert impact.impact_windows(t.entries)[0].start == NOW - minutes(5)


# Status updates, resolve, reopen --------------------------------------------------------------

def test_the_status_table_allows_the_same_status_or_a_step_forward_and_nothing_from_resolved():
    order = lifecycle.ORDER
    for i, current in enumerate(order):
        expected = set(order[i:]) if current is not Status.RESOLVED else set()
        assert lifecycle.ALLOWED[current] == expected


@given(current=st.sampled_from(Status), wanted=st.sampled_from(Status))
def test_update_follows_the_table(current, wanted):
    before = incident(status=current, resolved_at=NOW - minutes(1) if current is Status.RESOLVED else None)
    kept = copy.deepcopy(before)
    if wanted not in lifecycle.ALLOWED[current]:
        with pytest.raises(TransitionRefused) as refused:
            transitions.update(before, user="UEN", status=wanted, texts={"en": "x"}, now=NOW)
        assert refused.value.allowed == lifecycle.allowed_from(current)
        assert before == kept
        return
    t = transitions.update(before, user="UEN", status=wanted, texts={"en": "x"}, now=NOW)
    assert t.incident.status is wanted
    assert (t.incident.resolved_at == NOW) if wanted is Status.RESOLVED else t.incident.resolved_at is None
    [entry] = t.entries
    assert (entry.kind, entry.at, entry.author, entry.texts) == (K.STATUS, NOW, "UEN", {"en": "x"})
    assert entry.data == {"from": current.value, "to": wanted.value}
    assert before == kept  # nothing mutated


@given(back=st.integers(min_value=-30, max_value=300), resolving=st.booleans())
def test_an_update_is_at_the_time_its_author_gave_never_after_now(back, resolving):
    status = Status.RESOLVED if resolving else Status.MONITORING
    t = transitions.update(incident(declared_at=NOW - minutes(400)), user="UEN", status=status, texts={"en": "x"},
                           now=NOW, at=NOW - minutes(back))
    shown = min(NOW - minutes(back), NOW)  # a time ahead of now is never recorded as ahead
    assert t.entries[-1].at == shown
    assert t.incident.resolved_at == (shown if resolving else None)
    assert transitions.posted_at(t.entries[-1]) == NOW  # the reminders count from when it was posted


def test_an_update_is_never_dated_before_the_declaration_or_the_last_reopening():
    before = incident(declared_at=NOW)
    with pytest.raises(TransitionRefused) as refused:
        transitions.update(before, user="UEN", status=Status.MONITORING, texts={"en": "x"}, now=NOW + minutes(30),
                           at=NOW - minutes(1))
    assert refused.value.code == "update_too_early"
    reopened = window((K.IMPACT_START, NOW), (K.IMPACT_END, NOW + minutes(5)), (K.REOPENED, NOW + minutes(20)))
    with pytest.raises(TransitionRefused):
        transitions.update(before, user="UEN", status=Status.MONITORING, texts={"en": "x"}, now=NOW + minutes(30),
                           at=NOW + minutes(10), window=reopened)
    t = transitions.update(before, user="UEN", status=Status.MONITORING, texts={"en": "x"}, now=NOW + minutes(30),
                           at=NOW + minutes(25), window=reopened)
    assert t.entries[-1].at == NOW + minutes(25) and transitions.posted_at(t.entries[-1]) == NOW + minutes(30)


def test_resolve_records_when():
    t = transitions.resolve(incident(status=Status.MONITORING), user="UEN", texts={"en": "Done"}, now=NOW)
    assert (t.incident.status, t.incident.resolved_at) == (Status.RESOLVED, NOW)
    with pytest.raises(TransitionRefused) as refused:
        transitions.resolve(t.incident, user="UEN", texts={}, now=NOW)
    assert refused.value.code == "resolved_needs_reopen"


def test_reopen_starts_a_new_impact_window_and_clears_the_resolution():
    resolved = incident(status=Status.RESOLVED, resolved_at=NOW)
    closed = window((K.IMPACT_START, NOW - minutes(60)), (K.IMPACT_END, NOW - minutes(55)))
    t = transitions.reopen(resolved, closed, user="UEN", texts={"en": "Back"}, at=NOW + minutes(10),
                           now=NOW + minutes(12))
    assert (t.incident.status, t.incident.resolved_at) == (Status.INVESTIGATING, None)
    reopened, status = t.entries
    assert (reopened.kind, reopened.at, reopened.key, reopened.texts) == (K.REOPENED, NOW + minutes(10), True, {"en": "Back"})
    assert (status.kind, status.at, status.data) == (K.STATUS, NOW + minutes(12), {"from": "resolved", "to": "investigating"})
    windows = impact.impact_windows([*closed, *t.entries])
    assert windows[-1].start == NOW + minutes(10) and windows[-1].end is None and windows[-1].recurrence


def test_reopen_refuses_an_active_incident_and_an_overlapping_recurrence():
    with pytest.raises(TransitionRefused) as refused:
        transitions.reopen(incident(status=Status.MONITORING), [], user="U", texts={}, at=NOW, now=NOW)
    assert refused.value.code == "not_resolved"
    closed = window((K.IMPACT_START, NOW - minutes(10)), (K.IMPACT_END, NOW))
    with pytest.raises(ImpactError) as overlap:
        transitions.reopen(incident(status=Status.RESOLVED, resolved_at=NOW), closed, user="U", texts={},
                           at=NOW - minutes(5), now=NOW)
    assert overlap.value.code == "overlap"


# Fields and roles --------------------------------------------------------------------------------

def test_set_field_merges_texts_per_language_and_records_old_and_new():
    before = incident(impact={"fr": "Paiements refusés", "en": "Payments refused"})
    t = transitions.set_field(before, user="UEN", name="impact", value={"en": "Card payments refused"}, now=NOW)
    assert t.incident.impact == {"fr": "Paiements refusés", "en": "Card payments refused"}
    [entry] = t.entries
    assert entry.kind is K.FIELD and entry.data == {
        "field": "impact", "old": {"fr": "Paiements refusés", "en": "Payments refused"},
        "new": {"fr": "Paiements refusés", "en": "Card payments refused"}}
    assert before.impact == {"fr": "Paiements refusés", "en": "Payments refused"}


@pytest.mark.parametrize("name, value, expected, plain", [
    ("priority", Priority.P1, Priority.P1, "P1"),
    ("priority", "P4", Priority.P4, "P4"),
    ("responsibility", Responsibility.EXTERNAL, Responsibility.EXTERNAL, "external"),
    ("category", "Payments", "Payments", "Payments"),
])
def test_set_field_takes_enums_by_value(name, value, expected, plain):
    t = transitions.set_field(incident(), user="UEN", name=name, value=value, now=NOW)
    assert getattr(t.incident, name) == expected
    assert t.entries[0].data["new"] == plain


def test_set_field_refuses_an_unknown_field():
    with pytest.raises(CommandError) as refused:
        transitions.set_field(incident(), user="UEN", name="ref", value="TSR-1", now=NOW)
    assert refused.value.code == "unknown_field"


def test_assign_role_keeps_the_other_roles():
    t = transitions.assign_role(incident(), user="UFR", role=Role.SCRIBE, person="UEN", now=NOW)
    assert t.incident.roles == {Role.COMMANDER: "UFR", Role.SCRIBE: "UEN"}
    assert t.entries[0].data == {"role": "scribe", "user": "UEN"}


# Impact windows and events -------------------------------------------------------------------------

def test_impact_edges_and_windows_are_checked_against_the_recorded_windows():
    i = incident()
    start = transitions.start_impact(i, [], user="U", at=NOW, texts={"en": "Cards"})
    assert start.incident == i and start.entries[0].kind is K.IMPACT_START and start.entries[0].texts == {"en": "Cards"}
    with pytest.raises(ImpactError):
        transitions.start_impact(i, list(start.entries), user="U", at=NOW + minutes(1))
    with pytest.raises(ImpactError):
        transitions.end_impact(i, list(start.entries), user="U", at=NOW)
    end = transitions.end_impact(i, list(start.entries), user="U", at=NOW + minutes(5))
    entries = [*start.entries, *end.entries]
    with pytest.raises(ImpactError):
        transitions.add_impact_window(i, entries, user="U", start=NOW + minutes(2), end=NOW + minutes(8))
    after = transitions.add_impact_window(i, entries, user="U", start=NOW + minutes(10), end=NOW + minutes(12))
    assert [w.start for w in impact.impact_windows([*entries, *after.entries])] == [NOW, NOW + minutes(10)]


def test_an_event_is_a_key_moment_and_may_say_when_the_alert_came():
    t = transitions.add_event(incident(), user="U", at=NOW, texts={"en": "Alerts"}, alert=True)
    assert t.entries[0].key and impact.is_alert(t.entries[0])
    assert not impact.is_alert(transitions.add_event(incident(), user="U", at=NOW, texts={"en": "x"}).entries[0])


# A random run of commands keeps the incident consistent ----------------------------------------------

COMMANDS = st.lists(st.tuples(st.sampled_from(["update", "reopen", "start", "end"]), st.sampled_from(Status),
                              st.integers(-30, 30)), max_size=25)


@settings(max_examples=200, deadline=None)
@given(commands=COMMANDS)
def test_any_run_of_commands_keeps_the_incident_consistent(commands):
    """Whatever is accepted: resolved exactly when resolved_at is set, at most one open window, the
    windows in order without overlap; a refusal leaves the state as it was."""
    t = transitions.declare(incident(), user="U", now=NOW)
    current, entries, now = t.incident, list(t.entries), NOW
    for name, status, shift in commands:
        now += minutes(1)
        at = now + minutes(shift) if shift <= 0 else now
        try:
            if name == "update":
                t = transitions.update(current, user="U", status=status, texts={}, now=now)
            elif name == "reopen":
                t = transitions.reopen(current, entries, user="U", texts={}, at=at, now=now)
            elif name == "start":
                t = transitions.start_impact(current, entries, user="U", at=at)
            else:
                t = transitions.end_impact(current, entries, user="U", at=at)
        except (TransitionRefused, ImpactError):
            continue
        current, entries = t.incident, entries + list(t.entries)
        assert (current.status is Status.RESOLVED) == (current.resolved_at is not None)
        windows = impact.impact_windows(entries)
        assert all(w.end is not None for w in windows[:-1])
        for a, b in itertools.pairwise(windows):
            assert a.start < a.end <= b.start


# Marks --------------------------------------------------------------------------------------------

def message(**fields) -> Entry:
    return Entry(kind=K.MESSAGE, at=NOW, author="UFR", text="Alerts on the dashboard", ts="1.0", **fields)


def test_a_message_stays_key_while_someone_still_has_their_pin_on_it():
    m = transitions.mark(message(), reason="pin", on=True, user="UA", when=1)
    m = transitions.mark(m, reason="pin", on=True, user="UB", when=2)
    m = transitions.mark(m, reason="pin", on=False, user="UA", when=3)
    assert m.key and not m.data["alert"]
    m = transitions.mark(m, reason="pin", on=False, user="UB", when=4)
    assert not m.key


def test_an_older_reaction_event_never_undoes_a_newer_one():
    removed = transitions.mark(message(), reason="alert", on=False, user="UA", when=5)
    late_add = transitions.mark(removed, reason="alert", on=True, user="UA", when=4)
    assert not late_add.key and not late_add.data["alert"]


def test_anyones_removal_ends_a_mark_by_someone_unknown():
    old = message(key=True, data={"marks": {"pin": {transitions.UNKNOWN: {"on": True, "at": 0}}}})
    assert not transitions.mark(old, reason="pin", on=False, user="UB", when=1).key


def test_the_alert_mark_makes_the_message_the_alert():
    m = transitions.mark(message(data={"files": ["graph.png"]}), reason="alert", on=True, user="UA", when=1)
    assert m.key and m.data["alert"] and impact.is_alert(m) and m.data["files"] == ["graph.png"]
    with pytest.raises(ValueError):
        transitions.mark(m, reason="star", on=True, user="UA", when=2)


REACTIONS = st.lists(st.tuples(st.sampled_from(["UA", "UB", None]), st.sampled_from(transitions.MARK_REASONS),
                               st.booleans()), max_size=12)


@settings(max_examples=200, deadline=None)
@given(reactions=REACTIONS, order=st.randoms(use_true_random=False))
def test_marks_end_the_same_whatever_order_the_events_are_handled_in(reactions, order):
    """Events carry distinct times; handled in any order, the result is that of handling them in time
    order: a reason is on while the latest event of someone who marked it put their mark on."""
    events = [(who, reason, on, float(t)) for t, (who, reason, on) in enumerate(reactions, start=1)]
    shuffled = list(events)
    order.shuffle(shuffled)

    def handle(items):
        m = message()
        for who, reason, on, when in items:
            m = transitions.mark(m, reason=reason, on=on, user=who, when=when)
        return m

    in_order, out_of_order = handle(events), handle(shuffled)
    assert (in_order.key, in_order.data.get("alert", False)) == (out_of_order.key, out_of_order.data.get("alert", False))
    latest: dict[tuple[str, str], bool] = {}
    for who, reason, on, _ in events:
        latest[(reason, who or transitions.UNKNOWN)] = on
        if not on:
            latest[(reason, transitions.UNKNOWN)] = False
    assert in_order.key == any(latest.values())
    assert in_order.data.get("alert", False) == any(on for (reason, _), on in latest.items() if reason == "alert")


def test_translations_fill_languages_and_never_erase_one():
    update = Entry(kind=K.STATUS, at=NOW, texts={"fr": "Serveur défaillant"}, data={"from": "investigating", "to": "identified"})
    added = transitions.translate(update, {"en": "Faulty server", "fr": "  "})
    assert added.texts == {"fr": "Serveur défaillant", "en": "Faulty server"} and added.data == update.data
    assert update.texts == {"fr": "Serveur défaillant"}


def test_resolving_ends_a_running_impact_and_reopening_is_never_refused_for_one():
    """Issue 14: an impact left running made the incident stuck (no total, reopen refused)."""
    start = NOW - timedelta(hours=1)
    window = [Entry(kind=EntryKind.IMPACT_START, at=start, key=True)]
    t = transitions.update(incident(status=Status.MONITORING), user="UEN", status=Status.RESOLVED,
                           texts={"en": "Done"}, now=NOW, window=window)
    assert [e.kind for e in t.entries] == [EntryKind.IMPACT_END, EntryKind.STATUS] and t.entries[0].at == NOW
    reopened = transitions.reopen(t.incident, window, user="UEN", texts={}, at=NOW, now=NOW)  # window still open
    assert reopened.incident.status is Status.INVESTIGATING
