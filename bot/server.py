"""HTTP serving: Bolt's WSGI adapter behind waitress, plus /healthz and a body size limit."""

from __future__ import annotations

import io
import json
import logging
from collections import deque
from collections.abc import Callable

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

from slack_sdk.signature import SignatureVerifier
from waitress.task import ThreadedTaskDispatcher

from bot import metrics
from bot.slack import shapes
from bot.store.db import Database

log = logging.getLogger("cellule.server")

MAX_BODY = 1024 * 1024  # Slack's payloads are far smaller; anything bigger is not Slack


def _send(start_response, status: str, body: dict) -> list[bytes]:
    data = json.dumps(body).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
    return [data]


def make_wsgi(app: App, db: Database, path: str = "/slack/events", site=None, signing_secret: str | None = None,
              metrics_on: bool = False):
    """`site`: the public status page (bot.statuspage.site.Site) when STATUS_PAGE=on."""
    bolt = SlackRequestHandler(app, path=path)
    verifier = SignatureVerifier(signing_secret) if signing_secret else None

    def wsgi(environ, start_response):
        route = environ.get("PATH_INFO", "")
        if site is not None and site.handles(route):
            return site.wsgi(environ, start_response)
        if route == "/metrics" and metrics_on and environ.get("REQUEST_METHOD") == "GET":
            data, content_type = metrics.exposition(lambda: _reminders(db))
            start_response("200 OK", [("Content-Type", content_type), ("Content-Length", str(len(data)))])
            return [data]
        if route == "/healthz" and environ.get("REQUEST_METHOD") == "GET":
            if db.ping():
                return _send(start_response, "200 OK", {"ok": True, "database": "ok"})
            metrics.DB_ERRORS.inc()
            return _send(start_response, "503 Service Unavailable", {"ok": False, "database": "unavailable"})
        if route == path:
            try:
                length = int(environ.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = MAX_BODY + 1
            if length > MAX_BODY:
                return _send(start_response, "413 Payload Too Large", {"ok": False})
            # slack_sdk's verifier raises on a timestamp that is not a number: a 500 instead of a 401.
            stamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP")
            if stamp is not None and not stamp.strip().isdigit():
                return _send(start_response, "401 Unauthorized", {"ok": False})
            if verifier is not None and environ.get("REQUEST_METHOD") == "POST":
                refusal = _check(verifier, environ, length)
                if refusal:
                    return _send(start_response, *refusal)
        return bolt(environ, start_response)

    return wsgi


def _reminders(db: Database) -> dict[tuple[str, str], int]:
    from bot.store import due

    with db.read() as s:
        return due.counts(session=s)


def _check(verifier: SignatureVerifier, environ, length: int) -> tuple[str, dict] | None:
    """Signed by Slack, and shaped like what Slack sends: else a 401 or a 400 before Bolt parses
    anything. The body is read here and handed on to Bolt unchanged."""
    body = environ["wsgi.input"].read(length) if length else b""
    environ["wsgi.input"] = io.BytesIO(body)
    headers = {"x-slack-request-timestamp": environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", ""),
               "x-slack-signature": environ.get("HTTP_X_SLACK_SIGNATURE", "")}
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return "400 Bad Request", {"ok": False, "error": "malformed_request"}
    if not headers["x-slack-request-timestamp"].strip().isdigit() or not verifier.is_valid_request(body, headers):
        metrics.event("refused")
        return "401 Unauthorized", {"ok": False}
    wrong = shapes.problem(body, environ.get("CONTENT_TYPE", ""))
    if wrong:
        log.info("refused a signed request Slack would not send (%s)", wrong)
        metrics.event("refused")
        return "400 Bad Request", {"ok": False, "error": "malformed_request"}
    return None


THREADS = 16
PUBLIC_THREADS = 2


class SlackFirst(ThreadedTaskDispatcher):
    """waitress's task queue, with Slack's requests served before anything else, and at most
    `public_threads` other requests (the public status page, its feeds and JSON) served at once.

    Why: the page and Slack share this process, and Python runs one thread at a time. During an
    outage a crowd refreshes the page; with every worker thread rendering or sending a page, an
    acknowledgement waits for a free thread and then takes turns with all of them, and Slack gives
    up after 3 s. Page reads are cheap (cached bytes) and gain nothing from more threads than
    cores, so the others wait in the queue -- never refused: a status page stays up in an outage.
    """

    def __init__(self, is_slack: Callable[[str], bool], public_threads: int = PUBLIC_THREADS):
        super().__init__()
        self.is_slack, self.public_threads = is_slack, public_threads
        self.public: deque = deque()  # waiting public reads (self.queue: waiting Slack requests)
        self.public_running = 0

    def add_task(self, task) -> None:
        requests = getattr(task, "requests", None)  # a waitress channel: its next request is parsed
        if requests and self.is_slack(requests[0].path):
            return super().add_task(task)
        with self.lock:
            self.public.append(task)
            self.queue_cv.notify()

    def _ready(self) -> bool:
        return bool(self.queue) or (bool(self.public) and self.public_running < self.public_threads)

    def handler_thread(self, thread_no: int) -> None:  # waitress's loop, picking Slack first
        while True:
            with self.lock:
                while not self._ready() and self.stop_count == 0:
                    self.active_count -= 1
                    self.queue_cv.wait()
                    self.active_count += 1
                if self.stop_count > 0:
                    self.active_count -= 1
                    self.stop_count -= 1
                    self.threads.discard(thread_no)
                    self.thread_exit_cv.notify()
                    break
                public = not self.queue
                task = self.public.popleft() if public else self.queue.popleft()
                self.public_running += public
            try:
                task.service()
            except BaseException:
                self.logger.exception("Exception when servicing %r", task)
            finally:
                if public:
                    with self.lock:
                        self.public_running -= 1
                        self.queue_cv.notify()

    def shutdown(self, cancel_pending: bool = True, timeout: float = 5) -> bool:
        done = super().shutdown(cancel_pending, timeout)
        if done:
            with self.lock:
                while self.public:
                    self.public.popleft().cancel()
        return done


def dispatcher(path: str = "/slack/events", threads: int = THREADS, public_threads: int = PUBLIC_THREADS) -> SlackFirst:
    d = SlackFirst(lambda route: route == path, public_threads)
    d.set_thread_count(threads)
    return d


def serve_http(wsgi, host: str, port: int, threads: int = THREADS) -> None:
    from waitress import serve

    log.info("listening on http://%s:%s", host, port)
    serve(wsgi, host=host, port=port, max_request_body_size=MAX_BODY, ident="cellule",
          _dispatcher=dispatcher(threads=threads))


def socket_mode_handler(app: App, app_token: str, ping_interval: float = 10):
    """Bolt's Socket Mode adapter on slack_sdk's built-in WebSocket client (no extra package). Its
    reader recurses once per receive buffer: 64 KiB buffers keep a large payload (a big form) far from
    Python's recursion limit, which the default 1 KiB reaches at 1 MB."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler
    from slack_sdk.socket_mode.response import SocketModeResponse

    class Checked(SocketModeHandler):
        """An envelope whose payload has a shape Slack never sends is acknowledged and dropped, as
        HTTP answers it 400 before Bolt: no listener sees it, no traceback."""

        def handle(self, client, req) -> None:  # noqa: ANN001 - slack_sdk's types
            wrong = shapes.problem_in(req.payload)
            if wrong:
                log.info("dropped a Socket Mode envelope Slack would not send (%s)", wrong)
                metrics.event("refused")
                client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id))
                return
            super().handle(client, req)

    return Checked(app, app_token, ping_interval=ping_interval, receive_buffer_size=64 * 1024)


def serve_socket_mode(app: App, app_token: str) -> None:
    socket_mode_handler(app, app_token).start()
