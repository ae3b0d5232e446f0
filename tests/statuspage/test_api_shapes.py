"""The /api/v2/ documents against Statuspage's public API v2 as its readers know it: the key sets
and values of the statuspage.io npm client's `Result.d.ts` (Component, Page, IncidentImpact), of
Statuspage's own documentation pages (MongoDB's cloud-status `GET /summary.json`, Atlassian's
`/api` pages: `page`, `status.indicator`/`description`, `incident_updates`) and of the Statuspage
REST models generated from its OpenAPI (IncidentUpdate). Widgets parse these names: a rename breaks
them silently, so every field is checked, not a sample."""

from __future__ import annotations

import json
from datetime import datetime, timezone

from tests.statuspage.test_page_e2e import _setup

PAGE = {"id", "name", "url", "time_zone", "updated_at"}
COMPONENT = {"created_at", "description", "group", "group_id", "id", "name", "only_show_if_degraded", "page_id",
             "position", "showcase", "start_date", "status", "updated_at"}
INCIDENT = {"created_at", "id", "impact", "incident_updates", "monitoring_at", "name", "page_id", "resolved_at",
            "shortlink", "status", "updated_at", "started_at", "components"}
UPDATE = {"id", "incident_id", "body", "status", "created_at", "updated_at", "display_at", "affected_components",
          "deliver_notifications", "custom_tweet", "tweet_id"}
DOCUMENTS = {"summary.json": {"page", "components", "incidents", "scheduled_maintenances", "status"},
             "status.json": {"page", "status"}, "components.json": {"page", "components"},
             "incidents.json": {"page", "incidents"}, "incidents/unresolved.json": {"page", "incidents"}}
COMPONENT_STATUSES = {"operational", "degraded_performance", "partial_outage", "major_outage", "under_maintenance"}
INCIDENT_STATUSES = {"investigating", "identified", "monitoring", "resolved", "postmortem"}
IMPACTS = INDICATORS = {"none", "minor", "major", "critical"}


def _time(value) -> datetime:
    parsed = datetime.fromisoformat(value)
    assert parsed.tzinfo is not None, value  # ISO 8601 with its offset, as Statuspage writes it
    return parsed


def test_every_document_has_statuspages_keys_and_values(page_bot):
    bot = page_bot
    crisis = _setup(bot)
    bot.command("UFR", "affects ecommerce major_outage", channel=crisis)
    bot.command("UFR", "publish", channel=crisis)
    bot.clock.set(datetime(2025, 12, 4, 11, 34, tzinfo=timezone.utc))
    bot.command("UEN", "update identified FR Cause trouvée EN Cause found", channel=crisis)
    bot.command("UFR", "declare P3 FR Lenteurs EN Slowness")
    other = bot.incident_channel()
    bot.command("UFR", "publish", channel=other)
    bot.command("UFR", "resolve", channel=other)

    docs = {name: json.loads(bot.get(f"/api/v2/{name}?lang=en").body) for name in DOCUMENTS}
    for name, keys in DOCUMENTS.items():
        assert set(docs[name]) == keys, name
        assert set(docs[name]["page"]) == PAGE, name
        _time(docs[name]["page"]["updated_at"])
    for name in ("summary.json", "status.json"):
        status = docs[name]["status"]
        assert set(status) == {"indicator", "description"} and status["indicator"] in INDICATORS
    assert docs["summary.json"]["status"] == {"indicator": "critical", "description": "Major Service Outage"}

    components = docs["components.json"]["components"]
    assert components == docs["summary.json"]["components"] and len(components) == 2
    for c in components:
        assert set(c) == COMPONENT and c["status"] in COMPONENT_STATUSES
        assert isinstance(c["position"], int) and isinstance(c["only_show_if_degraded"], bool)
        assert c["page_id"] == docs["summary.json"]["page"]["id"]
    assert {c["id"]: c["status"] for c in components} == {"ecommerce": "major_outage", "instore": "operational"}

    incidents = docs["incidents.json"]["incidents"]
    assert [i["id"] for i in incidents] == ["TSR-2642", "TSR-2641"]  # newest first
    assert [i["id"] for i in docs["incidents/unresolved.json"]["incidents"]] == ["TSR-2641"]
    assert docs["incidents/unresolved.json"]["incidents"] == docs["summary.json"]["incidents"]
    for i in incidents:
        assert set(i) == INCIDENT and i["status"] in INCIDENT_STATUSES and i["impact"] in IMPACTS
        assert i["shortlink"] == f"https://status.example.com/status/incidents/{i['id']}"
        for c in i["components"]:
            assert set(c) == COMPONENT and c["status"] in COMPONENT_STATUSES
        for u in i["incident_updates"]:
            assert set(u) == UPDATE and u["status"] in INCIDENT_STATUSES and u["incident_id"] == i["id"]
            assert isinstance(u["body"], str) and u["body"]
        times = [_time(u["display_at"]) for u in i["incident_updates"]]
        assert times == sorted(times, reverse=True)  # newest first, as Statuspage lists them
    active, done = incidents[1], incidents[0]
    assert active["status"] == "identified" and active["impact"] == "critical" and active["resolved_at"] is None
    assert done["status"] == "resolved" and _time(done["resolved_at"]) >= _time(done["started_at"])
    assert [c["status"] for c in done["components"]] == []  # it affected none
