"""Socket Mode, as Slack speaks it to apps behind a firewall: the app asks `apps.connections.open` (with
its app-level `xapp-` token) for a one-use WebSocket URL, connects, gets a `hello`, then receives each
request as an envelope (`events_api`, `slash_commands`, `interactive`) with an `envelope_id` it must
acknowledge (`{"envelope_id": …, "payload": …}`) within Slack's 3 seconds. Slack may ask the app to
reconnect (`disconnect`, reason `refresh_requested`) and connections may simply drop: an envelope not
acknowledged on a connection that went away is sent again on the next one.

The driver's deliveries go through `deliver` instead of a signed HTTP POST when Socket Mode is on, so
every scenario runs unchanged in both modes. The WebSocket server is the `websockets` package (a test
dependency): only tests turn Socket Mode on.
"""
from __future__ import annotations

import json
import logging
import socket
import struct
import threading
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import parse_qs, parse_qsl, urlparse

log = logging.getLogger("cellule.emulator.socket_mode")

CONNECT_WAIT = 30.0  # how long a delivery waits for the app to be connected (reconnecting, say)
ACK_WAIT = 45.0  # after this, an envelope is reported unacknowledged (Slack's limit is 3 s: see slow_acks)


@dataclass
class _Pending:
    envelope: dict
    acked: threading.Event = field(default_factory=threading.Event)
    payload: dict | None = None
    sent_on: object = None  # the connection it was last sent on


class SocketMode:
    def __init__(self, emu, host: str = "127.0.0.1"):
        from websockets.sync.server import serve

        self.emu = emu
        self.host = host
        self.app_token = f"xapp-1-{emu.app_id}-{uuid.uuid4().int % 10**13}-{uuid.uuid4().hex}"
        self._cv = threading.Condition()
        self._tickets: set[str] = set()
        self._connections: list = []  # open connections, oldest first
        self._pending: dict[str, _Pending] = {}
        self.opened = 0  # apps.connections.open calls answered
        self.connected = 0  # connections accepted
        self.acknowledged: list[str] = []  # envelope ids, in order
        self.redelivered: list[str] = []  # envelopes sent again after their connection went away
        self._server = serve(self._session, host, 0, ping_interval=None, logger=log)
        self.port = self._server.socket.getsockname()[1]
        self._thread = threading.Thread(target=self._server.serve_forever, name="emulator-socket-mode", daemon=True)
        self._thread.start()

    # -- apps.connections.open -------------------------------------------------------------------
    def open_url(self) -> str:
        """A fresh one-use URL, as `apps.connections.open` answers."""
        ticket = uuid.uuid4().hex
        with self._cv:
            self._tickets.add(ticket)
            self.opened += 1
        return f"ws://{self.host}:{self.port}/link/?ticket={ticket}&app_id={self.emu.app_id}"

    # -- connections -----------------------------------------------------------------------------
    def _session(self, ws) -> None:
        ticket = (parse_qs(urlparse(ws.request.path).query).get("ticket") or [""])[0]
        with self._cv:
            known = ticket in self._tickets
            self._tickets.discard(ticket)  # a URL is good for one connection
        if not known:
            self.emu.violation("socket mode: connection with an unknown or used ticket")
            ws.close(code=1008, reason="invalid ticket")
            return
        with self._cv:
            self._connections.append(ws)
            self.connected += 1
            count = len(self._connections)
            self._cv.notify_all()
        ws.send(json.dumps({"type": "hello", "num_connections": count,
                            "debug_info": {"host": "emulator", "approximate_connection_time": 18060},
                            "connection_info": {"app_id": self.emu.app_id}}))
        try:
            for raw in ws:
                self._received(raw)
        except Exception:  # noqa: BLE001 - a dropped connection ends the session like a closed one
            pass
        finally:
            with self._cv:
                if ws in self._connections:
                    self._connections.remove(ws)
                self._cv.notify_all()

    def _received(self, raw) -> None:
        try:
            message = json.loads(raw)
        except (TypeError, ValueError):
            self.emu.violation(f"socket mode: the app sent something that is not JSON: {raw!r:.80}")
            return
        envelope_id = message.get("envelope_id") if isinstance(message, dict) else None
        with self._cv:
            pending = self._pending.get(envelope_id)
            if pending is None:
                self.emu.violation(f"socket mode: acknowledgement of an unknown envelope {envelope_id!r}")
                return
            if pending.acked.is_set():
                return  # acknowledged twice (after a redelivery): Slack keeps the first
            payload = message.get("payload")
            if payload is not None and not pending.envelope.get("accepts_response_payload"):
                self.emu.violation(f"socket mode: a payload in the acknowledgement of a {pending.envelope['type']} "
                                   "envelope, which accepts none")
            pending.payload = payload if isinstance(payload, dict) else None
            self.acknowledged.append(envelope_id)
            pending.acked.set()
            self._cv.notify_all()

    def _newest(self, timeout: float):
        deadline = time.monotonic() + timeout
        with self._cv:
            while not self._connections:
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self._cv.wait(left)
            return self._connections[-1]

    @property
    def connections(self) -> int:
        with self._cv:
            return len(self._connections)

    def wait_connected(self, at_least: int = 1, timeout: float = CONNECT_WAIT) -> bool:
        """Until `at_least` connections were ever accepted and one is open (the app has (re)connected)."""
        deadline = time.monotonic() + timeout
        with self._cv:
            while self.connected < at_least or not self._connections:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cv.wait(left)
            return True

    # -- what Slack does to connections ------------------------------------------------------------
    def refresh(self) -> None:
        """Slack's `disconnect` with `refresh_requested` on every open connection: the app must open a new one."""
        with self._cv:
            connections = list(self._connections)
        for ws in connections:
            try:
                ws.send(json.dumps({"type": "disconnect", "reason": "refresh_requested",
                                    "debug_info": {"host": "emulator"}}))
            except Exception:  # noqa: BLE001 - already gone
                pass

    def drop(self) -> None:
        """Cut every connection without a closing handshake, as a network failure does (a reset)."""
        with self._cv:
            connections = list(self._connections)
        for ws in connections:
            try:
                ws.socket.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                ws.socket.close()
            except OSError:
                pass

    # -- deliveries ------------------------------------------------------------------------------
    def envelope(self, body: bytes, content_type: str, headers: dict | None) -> dict:
        """The Socket Mode envelope for what would have been POSTed to the Request URL."""
        envelope = {"envelope_id": str(uuid.uuid4())}
        if content_type.startswith("application/json"):
            headers = headers or {}
            envelope.update(type="events_api", payload=json.loads(body), accepts_response_payload=False,
                            retry_attempt=int(headers.get("X-Slack-Retry-Num", 0)),
                            retry_reason=headers.get("X-Slack-Retry-Reason", ""))
            return envelope
        fields = dict(parse_qsl(body.decode(), keep_blank_values=True))
        if "payload" in fields:
            payload = json.loads(fields["payload"])
            envelope.update(type="interactive", payload=payload,
                            accepts_response_payload=payload.get("type") in ("view_submission", "block_suggestion"))
        else:
            envelope.update(type="slash_commands", payload=fields, accepts_response_payload=True)
        return envelope

    def deliver(self, envelope: dict) -> tuple[int, dict | None]:
        """Send an envelope and wait for its acknowledgement, sending it again on the next connection
        if the one it went out on goes away first. (200, the ack's payload), or (0, None) unanswered."""
        pending = _Pending(envelope)
        with self._cv:
            self._pending[envelope["envelope_id"]] = pending
        deadline = time.monotonic() + ACK_WAIT
        while time.monotonic() < deadline:
            ws = self._newest(min(CONNECT_WAIT, deadline - time.monotonic()))
            if ws is None:
                break
            if pending.sent_on is not None:
                self.redelivered.append(envelope["envelope_id"])
                if envelope["type"] == "events_api":
                    envelope["retry_attempt"] = envelope.get("retry_attempt", 0) + 1
                    envelope["retry_reason"] = "timeout"
            pending.sent_on = ws
            try:
                ws.send(json.dumps(envelope))
            except Exception:  # noqa: BLE001 - the connection went away: try the next one
                self._forget(ws)
                continue
            with self._cv:
                while not pending.acked.is_set() and ws in self._connections and time.monotonic() < deadline:
                    self._cv.wait(min(0.5, max(deadline - time.monotonic(), 0.01)))
            if pending.acked.is_set():
                return 200, pending.payload
        return 0, None

    def _forget(self, ws) -> None:
        with self._cv:
            if ws in self._connections:
                self._connections.remove(ws)
            self._cv.notify_all()

    def close(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=5)
