"""Slack's requests go ahead of the public page's in waitress's queue, and page reads run at most
`public_threads` at once (bot.server.SlackFirst). Order is observed, never timed."""

from __future__ import annotations

import http.client
import threading
from types import SimpleNamespace

from bot.emulator.server import Server
from bot.server import SlackFirst, dispatcher

WAIT = 10  # a bound so a broken queue fails instead of hanging; nothing waits this long when it works


class Counting(SlackFirst):
    """Tells the test once `expect` tasks were queued (the server has parsed those requests)."""

    def __init__(self, *args, expect: int, **kw):
        super().__init__(*args, **kw)
        self.expect, self.queued = expect, threading.Event()
        self.added = 0

    def add_task(self, task) -> None:
        super().add_task(task)
        self.added += 1
        if self.added == self.expect:
            self.queued.set()


def test_a_slack_request_is_served_before_page_requests_queued_ahead_of_it():
    order: list[str] = []
    entered, release = threading.Event(), threading.Event()

    def app(environ, start_response):
        path = environ["PATH_INFO"]
        if environ.get("QUERY_STRING") == "block":
            entered.set()
            release.wait(WAIT)
        order.append(path)
        start_response("200 OK", [("Content-Length", "2")])
        return [b"ok"]

    d = Counting(lambda p: p == "/slack/events", public_threads=1, expect=4)
    d.set_thread_count(1)  # one worker: everything after the first request waits in the queue
    server = Server(app, "127.0.0.1", 0, _dispatcher=d)
    conns = [http.client.HTTPConnection("127.0.0.1", server.port, timeout=WAIT) for _ in range(4)]
    try:
        conns[0].request("GET", "/status?block")
        assert entered.wait(WAIT)
        conns[1].request("GET", "/status")
        conns[2].request("GET", "/api/v2/summary.json")
        conns[3].request("POST", "/slack/events", body=b"x")
        assert d.queued.wait(WAIT)  # all four parsed and queued, the first one still being served
        release.set()
        for c in conns:
            assert c.getresponse().read() == b"ok"
    finally:
        release.set()
        for c in conns:
            c.close()
        server.stop()
    assert order == ["/status", "/slack/events", "/status", "/api/v2/summary.json"]


def _task(path: str, log: list, started: threading.Event | None = None, gate: threading.Event | None = None):
    def service():
        if started is not None:
            started.set()
        if gate is not None:
            gate.wait(WAIT)
        log.append(path)

    return SimpleNamespace(requests=[SimpleNamespace(path=path)], service=service, cancel=lambda: None)


def test_page_reads_beyond_the_bound_wait_while_slack_still_finds_a_thread():
    d = SlackFirst(lambda p: p == "/slack/events", public_threads=2)
    d.set_thread_count(4)
    done: list[str] = []
    gate = threading.Event()
    first, second, third = threading.Event(), threading.Event(), threading.Event()
    try:
        d.add_task(_task("/status", done, first, gate))
        d.add_task(_task("/status", done, second, gate))
        assert first.wait(WAIT) and second.wait(WAIT)
        d.add_task(_task("/status", done, third))  # a third page read: queued, not refused
        slack = threading.Event()
        d.add_task(_task("/slack/events", done, slack))
        assert slack.wait(WAIT)  # two threads are free for Slack
        assert not third.is_set() and len(d.public) == 1
        gate.set()
        assert third.wait(WAIT)
    finally:
        gate.set()
        d.shutdown()
    assert done[0] == "/slack/events"


def test_serve_http_queue_puts_the_slack_path_first():
    d = dispatcher(threads=1)
    try:
        assert d.is_slack("/slack/events") and not d.is_slack("/status") and not d.is_slack("/healthz")
        assert len(d.threads) == 1
    finally:
        d.shutdown()
