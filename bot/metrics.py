"""What operators watch, in Prometheus' format (GET /metrics when METRICS=on).

Counters and histograms live in this process (prometheus-client's registry, safe across threads):
with two replicas, Prometheus scrapes each one and sums. Labels only ever hold names from this
code — Web API method names, fixed outcomes, request kinds — never a token, an ID or what a
person wrote.
"""

from __future__ import annotations

from collections.abc import Callable

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily

ACK_SECONDS = Histogram(
    "cellule_ack_seconds", "Time from a request's arrival to its acknowledgement", ["kind"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 2.5, 3.0, 5.0))
ACKS_TOO_LATE = Counter("cellule_acks_too_late_total", "Requests dropped because their acknowledgement came "
                        "after Slack's deadline (Slack told the author it failed; nothing ran)", ["kind"])
SLACK_CALLS = Counter("cellule_slack_calls_total", "Web API calls by method and outcome "
                      "(ok, refused: Slack answered an error, unsure: it may have been done, unreachable)",
                      ["method", "outcome"])
SLACK_RETRIES = Counter("cellule_slack_retries_total", "Web API calls tried again, by method and reason "
                        "(ratelimited: a 429, server_error, connection)", ["method", "reason"])
EVENTS = Counter("cellule_events_total", "Slack events: recorded, held while the database was down, "
                 "replayed once it answered, refused at the door (malformed or unsigned), "
                 "sent back (answered 503 so Slack retries it: the database down and the journal unable to keep it)",
                 ["outcome"])
BACKFILLED = Counter("cellule_backfilled_messages_total", "Messages fetched back from Slack that the bot had missed")
DB_ERRORS = Counter("cellule_database_errors_total", "Database operations that failed because it did not answer")

KINDS = frozenset({"command", "block_actions", "view_submission", "view_closed", "shortcut", "message_action",
                   "event_callback", "url_verification"})
OUTCOMES = frozenset({"recorded", "held", "replayed", "refused", "sent_back"})


def kind_of(body: dict | None) -> str:
    body = body or {}
    kind = "command" if "command" in body else body.get("type")
    return kind if kind in KINDS else "other"


def method_label(method: str) -> str:
    """A Web API method name as our code spells it; anything else (a URL of an upload) is 'other'."""
    return method if method.replace(".", "").isalpha() and len(method) <= 60 else "other"


def event(outcome: str, count: int = 1) -> None:
    EVENTS.labels(outcome if outcome in OUTCOMES else "other").inc(count)


class _Reminders:
    """Reminders by kind and state, read from the database at each scrape (shared by the replicas:
    every replica shows the same numbers; take the max, not the sum)."""

    def __init__(self, read: Callable[[], dict[tuple[str, str], int]]):
        self.read = read

    def collect(self):
        gauge = GaugeMetricFamily("cellule_reminders", "Reminders and due work by kind and state "
                                  "(pending, claimed, done, cancelled)", labels=["kind", "state"])
        try:
            counts = self.read()
        except Exception:  # the database does not answer: no numbers rather than no page
            DB_ERRORS.inc()
            counts = {}
        for (kind, state), n in sorted(counts.items()):
            gauge.add_metric([kind if kind.isidentifier() else "other", state if state.isidentifier() else "other"], n)
        yield gauge


def exposition(reminders: Callable[[], dict[tuple[str, str], int]] | None = None) -> tuple[bytes, str]:
    data = generate_latest()
    if reminders is not None:
        registry = CollectorRegistry()
        registry.register(_Reminders(reminders))
        data += generate_latest(registry)
    return data, CONTENT_TYPE_LATEST
