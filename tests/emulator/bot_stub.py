"""A minimal bot endpoint for the emulator's own tests: verifies signatures, records requests."""
from __future__ import annotations

import json
from urllib.parse import parse_qs

from slack_sdk.signature import SignatureVerifier

from bot.emulator.server import Server


class BotStub:
    """Answers 401 on a bad signature (as Bolt does), else `reply(request)` or an empty 200."""

    def __init__(self, signing_secret: str, clock):
        self.verifier = SignatureVerifier(signing_secret, clock=_ClockAdapter(clock))
        self.requests: list[dict] = []
        self.reply = lambda request: (200, "", "text/plain")
        self._server = Server(self.app, "127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{self._server.port}/slack/events"

    def app(self, environ, start_response):
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        headers = {k[5:].replace("_", "-").lower(): v for k, v in environ.items()
                   if k.startswith("HTTP_")}
        headers["content-type"] = environ.get("CONTENT_TYPE", "")
        if not self.verifier.is_valid_request(body, headers):
            start_response("401 Unauthorized", [("Content-Type", "text/plain")])
            return [b"invalid signature"]
        if headers["content-type"].startswith("application/json"):
            parsed = json.loads(body)
        else:
            parsed = {k: v[0] for k, v in parse_qs(body.decode()).items()}
            if "payload" in parsed:
                parsed = json.loads(parsed["payload"])
        request = {"headers": headers, "body": parsed}
        self.requests.append(request)
        status, text, content_type = self.reply(request)
        start_response(f"{status} X", [("Content-Type", content_type)])
        return [text.encode()]

    def close(self) -> None:
        self._server.stop()


class _ClockAdapter:
    """slack_sdk's SignatureVerifier wants an object with now()."""

    def __init__(self, clock):
        self.clock = clock

    def now(self) -> float:
        return self.clock()
