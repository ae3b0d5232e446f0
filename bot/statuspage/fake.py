"""A strict local fake of Atlassian Statuspage's REST API v1 (the part the mirror uses), over real HTTP.

Strict the way the Slack emulator is: `Authorization: OAuth <key>` and the page id are checked,
request bodies must hold their required fields and no field Statuspage does not document (an
unknown field is a 400, so a typo in the mirror fails a test), statuses must be Statuspage's values.
Rate limit: one request per second per token (420, or 429 when `rate_status` says so) on the fake's
own clock, which tests move by hand. Faults: `fail_after_write` writes are done, then answered 500.

    fake = FakeStatuspage("key", "page1"); fake.start()   # fake.url → STATUSPAGE_API_URL
"""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Callable
from datetime import datetime, timezone

INCIDENT_STATUSES = {"investigating", "identified", "monitoring", "resolved"}
COMPONENT_STATUSES = {"operational", "under_maintenance", "degraded_performance", "partial_outage", "major_outage"}
IMPACTS = {"none", "maintenance", "minor", "major", "critical"}
INCIDENT_FIELDS = {"name", "status", "impact_override", "scheduled_for", "scheduled_until",
                   "scheduled_remind_prior", "scheduled_auto_in_progress", "scheduled_auto_completed",
                   "metadata", "deliver_notifications", "auto_transition_deliver_notifications_at_end",
                   "auto_transition_deliver_notifications_at_start", "auto_transition_to_maintenance_state",
                   "auto_transition_to_operational_state", "auto_tweet_at_beginning", "auto_tweet_on_completion",
                   "auto_tweet_on_creation", "auto_tweet_one_hour_before", "backfill_date", "backfilled", "body",
                   "components", "component_ids", "scheduled_auto_transition"}
UPDATE_FIELDS = {"wants_twitter_update", "body", "display_at", "deliver_notifications"}
POSTMORTEM_FIELDS = {"body_draft"}
POSTMORTEM_PUBLISH_FIELDS = {"notify_twitter", "notify_subscribers", "custom_tweet"}
COMPONENT_FIELDS = {"description", "status", "name", "only_show_if_degraded", "group_id", "showcase", "start_date"}


class _Refused(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


class FakeStatuspage:
    def __init__(self, api_key: str, page_id: str, *, clock: Callable[[], float] | None = None):
        self.api_key, self.page_id = api_key, page_id
        self.now = 1_764_000_000.0  # the fake's own clock (seconds); tests move it
        self.clock = clock or (lambda: self.now)
        self.rate_status = 420
        self.fail_after_write = 0  # the next N writes are done, then answered 500
        self.fail_match = ""  # only writes whose "METHOD /path" (after the page) contains this
        self.fail_before_write = 0  # the next N requests are answered 503 and change nothing
        self.incidents: dict[str, dict] = {}
        self.components: dict[str, dict] = {}
        self.requests: list[tuple[str, str]] = []
        self.refusals: list[str] = []
        self.rate_limited = 0  # requests answered 420/429
        self._last: dict[str, float] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self.server = None

    # --- life ---------------------------------------------------------------------------------

    def start(self) -> "FakeStatuspage":
        from bot.emulator.server import Server

        self.server = Server(self.wsgi, "127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{self.server.port}/v1"
        return self

    def stop(self) -> None:
        if self.server:
            self.server.stop()

    def advance(self, seconds: float) -> None:
        self.now += seconds

    # --- HTTP ---------------------------------------------------------------------------------

    def wsgi(self, environ, start_response):
        method = environ.get("REQUEST_METHOD", "GET")
        path = environ.get("PATH_INFO", "")
        length = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(length) if length else b""
        with self._lock:
            self.requests.append((method, path))
            try:
                status, body, headers = self._handle(method, path, environ, raw)
            except _Refused as e:
                if e.status == 400:
                    self.refusals.append(e.message)
                status, body, headers = e.status, {"error": e.message}, {}
        data = json.dumps(body).encode()
        start_response(f"{status} X", [("Content-Type", "application/json"), ("Content-Length", str(len(data))),
                                       *headers.items()])
        return [data]

    def _handle(self, method: str, path: str, environ, raw: bytes):
        auth = environ.get("HTTP_AUTHORIZATION", "")
        if auth != f"OAuth {self.api_key}":
            raise _Refused(401, "Could not authenticate")
        now = self.clock()
        last = self._last.get(auth)
        if last is not None and now - last < 1.0:
            self.rate_limited += 1
            raise _Refused(self.rate_status, "Rate limit exceeded")
        self._last[auth] = now
        if self.fail_before_write:
            self.fail_before_write -= 1
            raise _Refused(503, "Service Unavailable")
        parts = path.strip("/").split("/")
        if parts[:3] != ["v1", "pages", self.page_id]:
            raise _Refused(404, "page not found")
        rest = parts[3:]
        body = json.loads(raw) if raw else {}
        if not isinstance(body, dict):
            raise _Refused(400, "body must be an object")
        result = self._route(method, rest, body)
        if method != "GET" and self.fail_after_write and self.fail_match in f"{method} /{'/'.join(rest)}":
            self.fail_after_write -= 1
            raise _Refused(500, "Internal Server Error")
        return 200 if method != "POST" else 201, result, {}

    def _route(self, method: str, rest: list[str], body: dict):
        if rest == ["incidents"] and method == "GET":
            return [self._incident_out(i) for i in reversed(list(self.incidents.values()))]
        if rest == ["incidents"] and method == "POST":
            fields = self._object(body, "incident", INCIDENT_FIELDS, required={"name"})
            return self._incident_out(self._create_incident(fields))
        if len(rest) == 2 and rest[0] == "incidents":
            incident = self._get(self.incidents, rest[1])
            if method == "GET":
                return self._incident_out(incident)
            if method == "PATCH":
                fields = self._object(body, "incident", INCIDENT_FIELDS)
                return self._incident_out(self._patch_incident(incident, fields))
            if method == "DELETE":
                del self.incidents[incident["id"]]
                return self._incident_out(incident)
        if len(rest) == 4 and rest[0] == "incidents" and rest[2] == "incident_updates" and method == "PATCH":
            incident = self._get(self.incidents, rest[1])
            update = next((u for u in incident["incident_updates"] if u["id"] == rest[3]), None)
            if update is None:
                raise _Refused(404, "incident update not found")
            fields = self._object(body, "incident_update", UPDATE_FIELDS)
            if "display_at" in fields:
                _time(fields["display_at"])
            update.update(fields)
            return update
        if len(rest) == 3 and rest[0] == "incidents" and rest[2] == "postmortem" and method == "PUT":
            incident = self._get(self.incidents, rest[1])
            fields = self._object(body, "postmortem", POSTMORTEM_FIELDS, required={"body_draft"})
            incident["postmortem_body_draft"] = fields["body_draft"]
            return {"body_draft": fields["body_draft"]}
        if rest[:1] == ["incidents"] and rest[2:] == ["postmortem", "publish"] and method == "PUT":
            incident = self._get(self.incidents, rest[1])
            self._object(body, "postmortem", POSTMORTEM_PUBLISH_FIELDS)
            if not incident.get("postmortem_body_draft"):
                raise _Refused(422, "no postmortem draft to publish")
            incident["postmortem_body"] = incident["postmortem_body_draft"]
            incident["postmortem_published_at"] = self._stamp()
            return {"body": incident["postmortem_body"]}
        if rest == ["components"] and method == "GET":
            return list(self.components.values())
        if rest == ["components"] and method == "POST":
            fields = self._object(body, "component", COMPONENT_FIELDS, required={"name"})
            self._status(fields.get("status", "operational"), COMPONENT_STATUSES)
            cid = f"cmp{next(self._ids)}"
            self.components[cid] = {"id": cid, "page_id": self.page_id, "status": "operational", **fields}
            return self.components[cid]
        if len(rest) == 2 and rest[0] == "components" and method in ("PATCH", "PUT"):
            component = self._get(self.components, rest[1])
            fields = self._object(body, "component", COMPONENT_FIELDS)
            if "status" in fields:
                self._status(fields["status"], COMPONENT_STATUSES)
            component.update(fields)
            return component
        raise _Refused(404, f"no route {method} /{'/'.join(rest)}")

    # --- checks and state ---------------------------------------------------------------------

    def _object(self, body: dict, name: str, allowed: set[str], required: set[str] = frozenset()) -> dict:
        if set(body) != {name} or not isinstance(body[name], dict):
            raise _Refused(400, f"expected one object {name!r}, got {sorted(body)}")
        fields = body[name]
        unknown = set(fields) - allowed
        if unknown:
            raise _Refused(400, f"{name}: unknown fields {sorted(unknown)}")
        missing = {f for f in required if not fields.get(f)}
        if missing:
            raise _Refused(400, f"{name}: missing {sorted(missing)}")
        return fields

    def _status(self, value, allowed: set[str]) -> None:
        if value not in allowed:
            raise _Refused(400, f"invalid status {value!r}")

    def _get(self, table: dict, key: str) -> dict:
        if key not in table:
            raise _Refused(404, "not found")
        return table[key]

    def _stamp(self) -> str:
        return datetime.fromtimestamp(self.clock(), timezone.utc).isoformat()

    def _components(self, incident: dict, fields: dict) -> None:
        for cid, status in (fields.get("components") or {}).items():
            self._get(self.components, cid)
            self._status(status, COMPONENT_STATUSES)
            self.components[cid]["status"] = status
        ids = fields.get("component_ids")
        if ids is not None:
            for cid in ids:
                self._get(self.components, cid)
            incident["component_ids"] = list(ids)

    def _add_update(self, incident: dict, fields: dict) -> None:
        incident["incident_updates"].insert(0, {
            "id": f"upd{next(self._ids)}", "incident_id": incident["id"], "status": incident["status"],
            "body": fields.get("body", ""), "created_at": self._stamp(), "display_at": self._stamp()})

    def _create_incident(self, fields: dict) -> dict:
        status = fields.get("status", "investigating")
        self._status(status, INCIDENT_STATUSES)
        if "impact_override" in fields:
            self._status(fields["impact_override"], IMPACTS)
        iid = f"inc{next(self._ids)}"
        incident = {"id": iid, "name": fields["name"], "status": status, "metadata": fields.get("metadata", {}),
                    "impact_override": fields.get("impact_override"), "component_ids": [],
                    "incident_updates": [], "created_at": self._stamp()}
        self._components(incident, fields)
        self.incidents[iid] = incident
        self._add_update(incident, fields)
        return incident

    def _patch_incident(self, incident: dict, fields: dict) -> dict:
        if "status" in fields:
            self._status(fields["status"], INCIDENT_STATUSES)
            incident["status"] = fields["status"]
        if "impact_override" in fields:
            self._status(fields["impact_override"], IMPACTS)
            incident["impact_override"] = fields["impact_override"]
        for key in ("name", "metadata"):
            if key in fields:
                incident[key] = fields[key]
        self._components(incident, fields)
        if "body" in fields or "status" in fields:
            self._add_update(incident, fields)
        return incident

    def _incident_out(self, incident: dict) -> dict:
        return json.loads(json.dumps(incident))


def _time(value: str) -> datetime:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (TypeError, ValueError):
        raise _Refused(400, f"invalid time {value!r}") from None
