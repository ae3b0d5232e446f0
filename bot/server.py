"""HTTP serving: Bolt's WSGI adapter behind waitress, plus /healthz and a body size limit."""

from __future__ import annotations

import io
import json
import logging

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

from slack_sdk.signature import SignatureVerifier

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


def serve_http(wsgi, host: str, port: int, threads: int = 16) -> None:
    from waitress import serve

    log.info("listening on http://%s:%s", host, port)
    serve(wsgi, host=host, port=port, threads=threads, max_request_body_size=MAX_BODY, ident="cellule")


def socket_mode_handler(app: App, app_token: str, ping_interval: float = 10):
    """Bolt's Socket Mode adapter on slack_sdk's built-in WebSocket client (no extra package). Its
    reader recurses once per receive buffer: 64 KiB buffers keep a large payload (a big form) far from
    Python's recursion limit, which the default 1 KiB reaches at 1 MB."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    return SocketModeHandler(app, app_token, ping_interval=ping_interval, receive_buffer_size=64 * 1024)


def serve_socket_mode(app: App, app_token: str) -> None:
    socket_mode_handler(app, app_token).start()
