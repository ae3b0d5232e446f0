"""The Slack emulator as its own process, for figure 1: in production Slack is not in the bot's
process, and an emulator sharing a process (and its interpreter lock) with the bot or with the
client that times the acknowledgement would be measured along with them.

`python bench/slack_process.py` prints one JSON line (Web API URL, bot token, control URL), then
serves. The control endpoints (JSON over POST) are for the benchmark only:
  /fields {user, channel, text}  the signed-command form Slack would post (fresh response_url, trigger_id)
  /bot_url {url}                 where Slack sends events and interactivity
  /quiet {seconds}               returns once no Web API call came for that long: {calls, violations}
  /newest_crisis_channel {}      the ID of the latest crisis channel
"""

from __future__ import annotations

import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repo

from bench.ingest import _quiet as quiet  # noqa: E402
from bot.emulator import SlackEmulator  # noqa: E402
from tests.emulator.fixtures import SIGNING_SECRET, populate  # noqa: E402


def main() -> None:
    emu = SlackEmulator(SIGNING_SECRET)
    populate(emu)
    emu.start()

    def answer(path: str, args: dict):
        if path == "/fields":
            return emu.slash_fields(args["user"], args["channel"], args["text"])
        if path == "/bot_url":
            emu.bot_url = args["url"]
            return {}
        if path == "/quiet":
            quiet(emu, float(args.get("seconds", 0.15)))  # the bot has finished its background work
            return {"calls": len(emu.calls), "violations": list(emu.violations)}
        if path == "/newest_crisis_channel":
            return {"id": [c.id for c in emu.state.channels.values() if c.name.startswith("tsr-")][-1]}
        raise KeyError(path)

    class Control(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            args = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
            try:
                body, status = json.dumps(answer(self.path, args)).encode(), 200
            except Exception as e:  # noqa: BLE001 - reported to the benchmark, which stops
                body, status = json.dumps({"error": repr(e)}).encode(), 500
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    control = ThreadingHTTPServer(("127.0.0.1", 0), Control)
    print(json.dumps({"api_url": emu.api_url, "bot_token": emu.bot_token, "signing_secret": emu.signing_secret,
                      "control": f"http://127.0.0.1:{control.server_address[1]}"}), flush=True)
    try:
        control.serve_forever()
    finally:
        emu.stop()


if __name__ == "__main__":
    main()
