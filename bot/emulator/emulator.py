"""SlackEmulator: the strict, stateful fake of Slack (Web API server + signed delivery to the bot)."""
from __future__ import annotations

import json
import secrets
import threading
import time
from pathlib import Path

from .blockkit import check_blocks
from .driver import Driver
from .faults import Fault, Faults
from .limits import RateLimits
from .server import OnDemand, Server, make_wsgi_app
from .spec import COMMON_ERRORS, load_specs
from .state import Channel, State, User

RESPONSE_URL_USES = 5
RESPONSE_URL_LIFETIME = 30 * 60


class SlackEmulator(Driver):
    def __init__(self, signing_secret: str, *, bot_url: str | None = None, clock=time.time,
                 spec_dir: str | Path | None = None, emit_bot_events: bool = True):
        self.signing_secret = signing_secret
        self.bot_url = bot_url
        self.emit_bot_events = emit_bot_events
        self.faults = Faults()
        self.state = State(lambda: clock() + self.faults.lagged)  # lags move it (faults.lag)
        self.specs = load_specs(spec_dir)
        self.limits: RateLimits | None = None  # Slack's rate limits, when a test enforces them
        self.calls: list = []
        self.violations: list[str] = []
        self.team_id = "T0CELLULE"
        self.team_domain = "cellule-emulator"
        self.app_id = "A0CELLULE"
        self.bot_id = "B0CELLULE"
        self.bot_user_id = "U0CELLULEBOT"
        self.bot_token = "xoxb-" + secrets.token_hex(12)
        self.verification_token = secrets.token_hex(12)
        self.state.users[self.bot_user_id] = User(self.bot_user_id, "cellule", is_bot=True)
        self.wsgi_app = make_wsgi_app(self)
        self._server: Server | None = None
        self.socket_mode = None  # a SocketMode once start_socket_mode() is called
        self._base_url = ""
        super().__init__()

    # -- server -------------------------------------------------------------------------------
    def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        # Enough threads for a bot that sends a batch of calls at once, started as calls need them.
        self._server = Server(self.wsgi_app, host, port, _dispatcher=OnDemand(24))
        self._base_url = f"http://{host}:{self._server.port}/"
        return self._base_url

    def start_socket_mode(self, host: str = "127.0.0.1") -> str:
        """Deliver to the app over Socket Mode from now on; returns the app-level token (`xapp-…`)."""
        from .socket_mode import SocketMode

        if self.socket_mode is None:
            self.socket_mode = SocketMode(self, host)
        return self.socket_mode.app_token

    def stop(self) -> None:
        self.wait_idle()
        self.faults.stop()  # calls kept slow or held are answered now, so the server can stop
        if self.socket_mode is not None:
            self.socket_mode.close()
            self.socket_mode = None
        if self._server is not None:
            self._server.stop()
            self._server = None

    @property
    def base_url(self) -> str:
        return self._base_url

    @base_url.setter
    def base_url(self, value: str) -> None:
        """Set when the WSGI app is mounted elsewhere (e.g. under a prefix of another server)."""
        self._base_url = value if value.endswith("/") else value + "/"

    @property
    def api_url(self) -> str:
        return self.base_url + "api/"

    # -- setup --------------------------------------------------------------------------------
    def add_user(self, id: str, name: str, *, locale: str = "en-US", tz: str = "Europe/Paris",
                 is_bot: bool = False, real_name: str | None = None) -> str:
        with self.state.lock:
            self.state.users[id] = User(id, name, locale, tz, is_bot, real_name)
        return id

    def add_usergroup(self, id: str, handle: str, users) -> str:
        with self.state.lock:
            self.state.usergroups[id] = list(users)
            self.state.usergroup_handles[id] = handle
        return id

    def add_channel(self, name: str, *, id: str | None = None, members=(),
                    is_private: bool = False) -> str:
        with self.state.lock:
            channel = Channel(id=id or self.state.new_id("G" if is_private else "C"), name=name,
                              is_private=is_private, members=list(members),
                              created=int(self.state.clock()))
            self.state.channels[channel.id] = channel
        return channel.id

    # -- fault injection ----------------------------------------------------------------------
    def rate_limit(self, method: str, times: int = 1, retry_after: int = 1) -> None:
        self.faults.add(Fault(method, "ratelimit", times, retry_after=retry_after))

    def fail(self, method: str, error: str, times: int = 1) -> None:
        spec = self.specs.get(method)
        documented = spec.allows_error(error) if spec else error in COMMON_ERRORS
        if not documented:
            raise ValueError(f"{error!r} is not a documented error of {method}")
        self.faults.add(Fault(method, "error", times, error=error))

    def server_error(self, method: str, status: int = 503, times: int = 1) -> None:
        self.faults.add(Fault(method, "server_error", times, status=status))

    def lose_answer(self, method: str, status: int = 504, times: int = 1) -> None:
        """Do the call, then answer a server error: the work is done but the caller cannot know."""
        self.faults.add(Fault(method, "lost_answer", times, status=status))

    def delay(self, method: str, seconds: float) -> None:
        self.faults.delay(method, seconds)

    def lag(self, method: str, seconds: float) -> None:
        """Answer calls of `method` (or "*") `seconds` later on the emulator's clock: slow Slack, no sleeping."""
        self.faults.lag(method, seconds)

    def in_waves(self, quiet: float) -> None:
        """Answer calls in waves: each once no new call has come for `quiet` seconds (see round_trips)."""
        self.faults.in_waves(quiet)

    def hold(self, method: str) -> None:
        """Keep calls of `method` unanswered until release()."""
        self.faults.hold(method)

    def hold_answer(self, method: str, nth: int = 1) -> threading.Event:
        """Do the `nth` call of `method` from now, then keep its answer until release(); the event
        returned is set once Slack has done that call's work."""
        return self.faults.hold_answer(method, nth)

    def release(self) -> None:
        self.faults.release()

    def enforce_limits(self, clock=time.monotonic) -> RateLimits:
        """From now on, answer 429 to calls over Slack's rate limits (per method tier, and one post
        per second per channel), on `clock`. `limits.limited` lists the calls refused."""
        self.limits = RateLimits(clock)
        return self.limits

    def round_trips(self, calls=None) -> int:
        """The depth of the call graph: the longest chain of calls, each sent after the one before
        was answered. Calls that overlap in time count once; with a fixed delay per call, or with
        calls answered in waves (in_waves), this is how many round trips the caller waited."""
        with self.state.lock:
            calls = sorted(self.calls if calls is None else calls, key=lambda c: c.started)
        depth: list[int] = []
        for i, call in enumerate(calls):
            depth.append(1 + max((depth[j] for j in range(i) if calls[j].ended <= call.started), default=0))
        return max(depth, default=0)

    # -- recording ----------------------------------------------------------------------------
    def violation(self, text: str) -> None:
        with self.state.lock:
            self.violations.append(text)

    def count(self, method: str | None = None) -> int:
        with self.state.lock:
            return sum(1 for c in self.calls if method is None or c.method == method)

    def reset_calls(self) -> None:
        with self.state.lock:
            self.calls.clear()

    # -- inspection ---------------------------------------------------------------------------
    def messages(self, channel: str) -> list[dict]:
        with self.state.lock:
            return [dict(m) for m in self.state.channels[channel].top_level()]

    def replies(self, channel: str, ts: str) -> list[dict]:
        with self.state.lock:
            return [dict(m) for m in self.state.channels[channel].thread(ts)[1:]]

    def ephemerals(self, user: str) -> list[dict]:
        with self.state.lock:
            return [dict(e) for e in self.state.ephemerals if e["user"] == user]

    def channel(self, id: str) -> Channel:
        return self.state.channels[id]

    def channel_by_name(self, name: str) -> Channel | None:
        with self.state.lock:
            return next((c for c in self.state.channels.values() if c.name == name.lstrip("#")), None)

    def pins(self, channel: str) -> list[dict]:
        with self.state.lock:
            ch = self.state.channels[channel]
            return [dict(ch.messages[ts]) for ts in ch.pins]

    def bookmarks(self, channel: str) -> list[dict]:
        with self.state.lock:
            return [dict(b) for b in self.state.channels[channel].bookmarks]

    @property
    def files(self) -> list:
        with self.state.lock:
            return [f for f in self.state.files.values() if f.completed]

    def canvas_markdown(self, channel: str) -> str | None:
        with self.state.lock:
            canvas_id = self.state.channels[channel].canvas_id
            return self.state.canvases[canvas_id].markdown if canvas_id else None

    def home(self, user: str) -> dict | None:
        """The Home tab `user` sees (views.publish), or None before any publish."""
        with self.state.lock:
            view = self.state.home_views.get(user)
            return self.view_api(view) if view else None

    def views(self, user: str) -> list[dict]:
        with self.state.lock:
            return [self.view_api(self.state.views[v]) for v in self.state.view_stacks.get(user, [])]

    def topic(self, channel: str) -> str:
        return self.state.channels[channel].topic

    # -- hooks used by the Web API handlers -----------------------------------------------------
    def bot_message_fields(self) -> dict:
        return {"user": self.bot_user_id, "bot_id": self.bot_id, "app_id": self.app_id,
                "team": self.team_id,
                "bot_profile": {"id": self.bot_id, "app_id": self.app_id, "name": "cellule",
                                "team_id": self.team_id, "deleted": False}}

    def view_api(self, view) -> dict:
        return view.to_api(self.team_id, self.app_id, self.bot_id)

    def permalink(self, channel_id: str, message: dict) -> str:
        link = f"https://{self.team_domain}.slack.com/archives/{channel_id}/p{message['ts'].replace('.', '')}"
        if message.get("thread_ts") and message["thread_ts"] != message["ts"]:
            link += f"?thread_ts={message['thread_ts']}&cid={channel_id}"
        return link

    def reaction_event(self, kind: str, user: str, channel: Channel, message: dict, name: str) -> dict:
        return {"type": kind, "user": user, "reaction": name,
                "item_user": message.get("user"), "event_ts": self.state.next_ts(),
                "item": {"type": "message", "channel": channel.id, "ts": message["ts"]}}

    def member_joined(self, channel: Channel, user: str, inviter: str | None = None) -> None:
        event = {"type": "member_joined_channel", "user": user, "channel": channel.id,
                 "channel_type": "G" if channel.is_private else "C", "team": self.team_id,
                 "event_ts": self.state.next_ts()}
        if inviter:
            event["inviter"] = inviter
        self.bot_event(channel, event, add_channel=False)

    def bot_event(self, channel: Channel, event: dict, *, add_channel: bool = True) -> None:
        """An event caused by the bot's own API call: delivered in the background, in order."""
        if not (self.emit_bot_events and self.bot_url):
            return
        self.queue_event(channel, event, add_channel=add_channel)

    # -- upload and response URLs ---------------------------------------------------------------
    def receive_upload(self, file_id: str, body: bytes) -> tuple[int, str]:
        with self.state.lock:
            file = self.state.files.get(file_id)
            if file is None or file.completed:
                return 404, "file not found"
            file.content = body
            return 200, f"OK - {len(body)}"

    def receive_response_url(self, url_id: str, body: bytes) -> tuple[int, str]:
        try:
            payload = json.loads(body or b"{}")
        except json.JSONDecodeError:
            self.violation(f"response_url {url_id}: body is not JSON")
            return 400, "invalid_payload"
        with self.state.lock:
            url = self.state.response_urls.get(url_id)
            if url is None:
                return 404, "no_such_url"
            if self.state.clock() - url.created > RESPONSE_URL_LIFETIME:
                return 404, "expired_url"
            if url.uses >= RESPONSE_URL_USES:
                return 404, "used_url"
            url.uses += 1
            error = self.reply_via(url, payload, source="response_url")
        return (400, error) if error else (200, "ok")

    def _ephemeral_of(self, url) -> dict | None:
        """The ephemeral message an interaction came from, or the last one its URL sent."""
        mine = [e for e in self.state.ephemerals if e["user"] == url.user and (
            e.get("response_url") == url.id or (url.ephemeral_ts and e["ts"] == url.ephemeral_ts))]
        return mine[-1] if mine else None

    def reply_via(self, url, payload: dict, *, source: str) -> str | None:
        """A reply to an interaction (response_url or immediate ack), with Slack's options."""
        blocks = payload.get("blocks")
        if blocks is not None and check_blocks(blocks):
            self.violation(f"{source}: invalid blocks {check_blocks(blocks)}")
            return "invalid_blocks"
        channel = self.state.channels.get(url.channel)
        original = channel.messages.get(url.message_ts or "") if channel else None
        ephemeral = self._ephemeral_of(url)
        if payload.get("delete_original"):
            if original is not None:
                self.state.remove_message(channel, original["ts"])
            elif ephemeral is not None:
                self.state.ephemerals.remove(ephemeral)
            else:
                return "message_not_found"
            return None
        if not payload.get("text") and not blocks:
            self.violation(f"{source}: reply without text or blocks")
            return "no_text"
        content = {"text": payload.get("text") or ""}
        if blocks is not None:
            content["blocks"] = blocks
        if payload.get("replace_original") and original is not None:
            original.update(content)
            if blocks is None:
                original.pop("blocks", None)
            return None
        if payload.get("response_type") == "in_channel" and channel is not None:
            message = {**self.bot_message_fields(), **content}
            if payload.get("thread_ts"):
                message["thread_ts"] = payload["thread_ts"]
            self.state.add_message(channel, message)
            return None
        if payload.get("replace_original") and ephemeral is not None:
            ephemeral.update(content)
            if blocks is None:
                ephemeral.pop("blocks", None)
            return None
        self.state.ephemerals.append({"user": url.user, "channel": url.channel,
                                      "ts": self.state.next_ts(), "source": source,
                                      "response_url": url.id, **content})
        return None
