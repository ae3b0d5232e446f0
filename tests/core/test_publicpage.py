"""Statuspage's rules for components, the page indicator, impact and the 90-day history."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.core.model import Priority, Status
from bot.core.publicpage import (Component, ComponentStatus as CS, DEFAULT_FOR_PRIORITY, Indicator, PublicIncident,
                                 PublicPageError, combined_body, component_statuses, history, page_status,
                                 parse_component_status, parse_keys, public_text, uptime, worst)

T0 = datetime(2025, 12, 4, 11, 8, tzinfo=timezone.utc)
PARIS = ZoneInfo("Europe/Paris")


def incident(ref="TSR-1", status=Status.INVESTIGATING, priority=Priority.P2, components=None, resolved=None,
             started=T0) -> PublicIncident:
    return PublicIncident(ref=ref, title={"en": "x"}, status=status, priority=priority, started_at=started,
                          resolved_at=resolved, updated_at=started, components=components or {})


def test_worst_and_defaults_from_the_priority():
    assert worst([]) is CS.OPERATIONAL
    assert worst([CS.DEGRADED_PERFORMANCE, CS.MAJOR_OUTAGE, CS.PARTIAL_OUTAGE]) is CS.MAJOR_OUTAGE
    assert worst([CS.UNDER_MAINTENANCE, CS.DEGRADED_PERFORMANCE]) is CS.DEGRADED_PERFORMANCE
    assert DEFAULT_FOR_PRIORITY[Priority.P1] is CS.MAJOR_OUTAGE
    assert DEFAULT_FOR_PRIORITY[Priority.P2] is CS.PARTIAL_OUTAGE
    assert DEFAULT_FOR_PRIORITY[Priority.P3] is CS.DEGRADED_PERFORMANCE


@pytest.mark.parametrize("status, indicator, description", [
    (CS.OPERATIONAL, Indicator.NONE, "All Systems Operational"),
    (CS.DEGRADED_PERFORMANCE, Indicator.MINOR, "Minor Service Outage"),
    (CS.PARTIAL_OUTAGE, Indicator.MAJOR, "Partial System Outage"),
    (CS.MAJOR_OUTAGE, Indicator.CRITICAL, "Major Service Outage"),
])
def test_page_indicator_follows_the_worst_component_as_statuspage(status, indicator, description):
    comps = [Component("a", {"en": "A"}), Component("b", {"en": "B"})]
    incidents = [incident(components={"a": status})] if status is not CS.OPERATIONAL else []
    statuses = component_statuses(comps, incidents)
    assert statuses["b"] is CS.OPERATIONAL
    assert page_status(statuses, incidents) == (indicator, description)


def test_a_component_is_operational_again_when_no_active_incident_affects_it():
    comps = [Component("a", {"en": "A"})]
    done = incident(status=Status.RESOLVED, components={"a": CS.MAJOR_OUTAGE}, resolved=T0 + timedelta(hours=1))
    assert component_statuses(comps, [done]) == {"a": CS.OPERATIONAL}
    two = [incident("TSR-1", components={"a": CS.DEGRADED_PERFORMANCE}), incident("TSR-2", components={"a": CS.PARTIAL_OUTAGE})]
    assert component_statuses(comps, two) == {"a": CS.PARTIAL_OUTAGE}


def test_an_incident_without_components_raises_the_page_by_its_priority():
    assert page_status({}, [incident(priority=Priority.P1)])[0] is Indicator.CRITICAL
    assert incident(priority=Priority.P3).impact is Indicator.MINOR
    assert incident(components={"a": CS.MAJOR_OUTAGE}, priority=Priority.P4).impact is Indicator.CRITICAL


def test_ninety_day_history_marks_each_day_an_incident_touched():
    today = date(2025, 12, 10)
    i = incident(components={"a": CS.PARTIAL_OUTAGE}, status=Status.RESOLVED, started=T0,
                 resolved=T0 + timedelta(days=1, hours=2))
    bars = history("a", [i], today=today, tz=PARIS, now=datetime(2025, 12, 10, 12, tzinfo=timezone.utc))
    assert len(bars) == 90 and bars[-1][0] == today
    bad = [(d, s, r) for d, s, r in bars if s is not CS.OPERATIONAL]
    assert [d for d, _, _ in bad] == [date(2025, 12, 4), date(2025, 12, 5)]
    assert bad[0][2] == ["TSR-1"]
    assert round(uptime(bars), 1) == 97.8


def test_parsing_component_statuses_and_keys():
    assert parse_component_status("major-outage") is CS.MAJOR_OUTAGE
    with pytest.raises(PublicPageError):
        parse_component_status("operational")
    with pytest.raises(PublicPageError):
        parse_component_status("broken")
    assert parse_keys("api, Web,api") == ["api", "web"]
    with pytest.raises(PublicPageError):
        parse_keys("<script>")


def test_public_text_drops_slack_ids_and_keeps_links():
    assert public_text("Vu par <@U0123ABCD|alex> dans <#C0123ABCD|ops>") == "Vu par  dans"
    assert public_text("voir <https://x.example/a|la doc>") == "voir la doc (https://x.example/a)"
    assert "U0123ABCDE" not in public_text("ping U0123ABCDE please")
    assert public_text("**12h00 :** @UEN a relancé") == "**12h00 :**  a relancé"
    assert public_text("<script>") == "<script>"  # escaping is the page's job


def test_one_body_in_every_language_as_the_example():
    assert combined_body({"fr": "Bonjour", "en": "Hello"}, ("fr", "en")) == "FR Bonjour EN Hello"
    assert combined_body({"en": "Hello"}, ("fr", "en")) == "Hello"
