"""Signed delivery to the bot: slash commands, Events API, interactivity, as Slack sends them."""
from __future__ import annotations

import hashlib
import hmac
import json
import queue
import threading
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from urllib.parse import urlencode

from .api_views import new_view
from .blockkit import check_view
from .payloads import element_state, find_element, view_state_values
from .state import ResponseUrl

ACK_LIMIT = 3.0  # Slack's acknowledgement deadline, in seconds


@dataclass
class Delivery:
    status: int
    body_text: str
    json: dict | None
    seconds: float


def signature(secret: str, timestamp: str, body: bytes) -> str:
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


class Driver:
    """Mixed into SlackEmulator: everything that POSTs to the bot."""

    def __init__(self):
        self.deliveries: list[tuple[str, Delivery]] = []
        self.slow_acks: list[str] = []  # interactions acknowledged after Slack's 3 s
        self._event_bodies: dict[str, bytes] = {}
        self._queue: queue.Queue = queue.Queue()
        self._worker: threading.Thread | None = None
        self._queued_lock = threading.Lock()
        self.events_queued = 0  # ever, so a test can tell that nothing new came while it waited
        # Request URLs served in this process: a test may map its app's URL to a callable
        # (body, headers) -> (status, response text) that hands it the same signed request without a
        # socket. Any other URL (or one whose app has stopped and is no longer listed) gets an HTTP POST.
        self.in_process: dict[str, object] = {}

    # -- transport ------------------------------------------------------------------------------
    def sign_and_post(self, body: bytes, content_type: str, *, timestamp=None, secret=None,
                      headers: dict | None = None) -> Delivery:
        if self.socket_mode is not None:  # the same delivery, as a Socket Mode envelope
            return self._deliver_on_socket(body, content_type, headers)
        if not self.bot_url:
            raise RuntimeError("SlackEmulator was created without bot_url")
        timestamp = str(int(self.state.clock()) if timestamp is None else timestamp)
        sent = {"Content-Type": content_type, "X-Slack-Request-Timestamp": timestamp,
                "X-Slack-Signature": signature(secret or self.signing_secret, timestamp, body),
                "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)", **(headers or {})}
        started = time.monotonic()
        handler = self.in_process.get(self.bot_url)
        if handler is not None:
            status, text = handler(body, sent)
        else:
            request = urllib.request.Request(self.bot_url, data=body, method="POST", headers=sent)
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    status, raw = response.status, response.read()
            except urllib.error.HTTPError as exc:
                status, raw = exc.code, exc.read()
            text = raw.decode("utf-8", "replace")
        seconds = time.monotonic() - started
        try:
            parsed = json.loads(text) if text.strip() else None
        except json.JSONDecodeError:
            parsed = None
        return Delivery(status, text, parsed if isinstance(parsed, dict) else None, seconds)

    def _deliver_on_socket(self, body: bytes, content_type: str, headers: dict | None) -> Delivery:
        started = time.monotonic()
        status, payload = self.socket_mode.deliver(self.socket_mode.envelope(body, content_type, headers))
        text = json.dumps(payload) if payload else ""
        return Delivery(status, text, payload, time.monotonic() - started)

    def _post_form(self, kind: str, fields: dict) -> Delivery:
        delivery = self.sign_and_post(urlencode(fields).encode(), "application/x-www-form-urlencoded")
        self.deliveries.append((kind, delivery))
        if delivery.seconds > ACK_LIMIT:
            self.slow_acks.append(f"{kind}: acknowledged after {delivery.seconds:.1f} s")
        return delivery

    def _post_payload(self, payload: dict) -> Delivery:
        return self._post_form(payload["type"], {"payload": json.dumps(payload)})

    # -- identities ---------------------------------------------------------------------------
    def _user(self, user_id: str) -> dict:
        user = self.state.users[user_id]
        return {"id": user.id, "username": user.name, "name": user.name, "team_id": self.team_id}

    def _team(self) -> dict:
        return {"id": self.team_id, "domain": self.team_domain}

    def _member_channel(self, user: str, channel_id: str):
        channel = self.state.channels.get(channel_id)
        if channel is None or user not in channel.members:
            raise ValueError(f"{user} is not a member of {channel_id}")
        return channel

    def _response_url(self, user: str, channel: str, message_ts: str | None = None) -> str:
        url_id = uuid.uuid4().hex
        self.state.response_urls[url_id] = ResponseUrl(url_id, user, channel, self.state.clock(),
                                                       message_ts)
        return f"{self.base_url}response/{url_id}"

    # -- slash commands -------------------------------------------------------------------------
    def slash_fields(self, user: str, channel: str, text: str, command: str = "/incident") -> dict:
        """The form Slack posts for a slash command, with a fresh response_url and trigger_id."""
        with self.state.lock:
            ch = self.state.channels[channel]
            return {
                "token": self.verification_token, "team_id": self.team_id,
                "team_domain": self.team_domain, "channel_id": channel, "channel_name": ch.name,
                "user_id": user, "user_name": self.state.users[user].name, "command": command,
                "text": text, "api_app_id": self.app_id, "is_enterprise_install": "false",
                "response_url": self._response_url(user, channel), "trigger_id": self.state.new_trigger(user),
            }

    def slash_command(self, user: str, channel: str, text: str, command: str = "/incident") -> Delivery:
        fields = self.slash_fields(user, channel, text, command)
        delivery = self._post_form("slash_command", fields)
        self._ack_reply(fields["response_url"], delivery)
        return delivery

    def _ack_reply(self, response_url: str, delivery: Delivery) -> None:
        """An immediate ack body is shown as a reply to the user, as Slack does."""
        if delivery.status != 200 or not delivery.body_text.strip():
            return
        payload = delivery.json if delivery.json is not None else {"text": delivery.body_text}
        with self.state.lock:
            url = self.state.response_urls[response_url.rsplit("/", 1)[1]]
            self.reply_via(url, payload, source="ack")

    # -- events ---------------------------------------------------------------------------------
    def _envelope(self, event: dict) -> dict:
        return {
            "token": self.verification_token, "team_id": self.team_id,
            "context_team_id": self.team_id, "context_enterprise_id": None,
            "api_app_id": self.app_id, "event": event, "type": "event_callback",
            "event_id": "Ev" + uuid.uuid4().hex[:10].upper(), "event_time": int(self.state.clock()),
            "authorizations": [{"enterprise_id": None, "team_id": self.team_id,
                                "user_id": self.bot_user_id, "is_bot": True,
                                "is_enterprise_install": False}],
            "is_ext_shared_channel": False,
            "event_context": "4-" + uuid.uuid4().hex,
        }

    def _event_body(self, channel, event: dict, add_channel: bool) -> bytes:
        event = dict(event)
        if add_channel:
            event.setdefault("channel", channel.id)
            event.setdefault("channel_type", self.state.channel_type(channel))
        event.setdefault("event_ts", event.get("ts") or self.state.next_ts())
        envelope = self._envelope(event)
        body = json.dumps(envelope).encode()
        self._event_bodies[envelope["event_id"]] = body
        return body

    def _send_event(self, body: bytes, headers: dict | None = None) -> Delivery:
        delivery = self.sign_and_post(body, "application/json", headers=headers)
        self.deliveries.append(("event", delivery))
        return delivery

    def send_event(self, channel, event: dict, *, add_channel: bool = True) -> Delivery:
        with self.state.lock:
            body = self._event_body(channel, event, add_channel)
        return self._send_event(body)

    def queue_event(self, channel, event: dict, *, add_channel: bool = True) -> None:
        """Background delivery in order (the bot may be inside the API call that caused it)."""
        with self._queued_lock:
            self.events_queued += 1
        self._queue.put(self._event_body(channel, event, add_channel))
        if self._worker is None:
            self._worker = threading.Thread(target=self._drain, name="emulator-events", daemon=True)
            self._worker.start()

    def _drain(self) -> None:
        while True:
            body = self._queue.get()
            try:
                if not self.bot_url:
                    continue  # the app went down since (as bot_event, which queues nothing then)
                self._send_event(body)
            except OSError as exc:
                self.violation(f"event delivery failed: {exc}")
            finally:
                self._queue.task_done()

    def wait_idle(self) -> None:
        """Wait until background event deliveries are done."""
        self._queue.join()

    def resend_event(self, event_id: str, retry_num: int = 1, reason: str = "http_timeout") -> Delivery:
        return self._send_event(self._event_bodies[event_id], headers={
            "X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": reason})

    def last_event_id(self) -> str:
        return next(reversed(self._event_bodies))

    def post_message(self, user: str, channel: str, text: str, thread_ts: str | None = None) -> str:
        with self.state.lock:
            ch = self._member_channel(user, channel)
            message = {"user": user, "text": text, "team": self.team_id,
                       "client_msg_id": str(uuid.uuid4())}
            if thread_ts:
                parent = ch.messages[thread_ts]
                message["thread_ts"] = parent.get("thread_ts") or parent["ts"]
                message["parent_user_id"] = parent.get("user")
            message = self.state.add_message(ch, message)
            body = self._event_body(ch, dict(message), True)
        self._send_event(body)
        return message["ts"]

    def edit_message(self, user: str, channel: str, ts: str, text: str) -> Delivery:
        with self.state.lock:
            ch = self._member_channel(user, channel)
            message = ch.messages[ts]
            if message.get("user") != user or message.get("bot_id"):
                raise ValueError("users can only edit their own messages")
            previous = dict(message)
            message["text"] = text
            message["edited"] = {"user": user, "ts": self.state.next_ts()}
            body = self._event_body(ch, {"type": "message", "subtype": "message_changed",
                                         "hidden": True, "message": dict(message),
                                         "previous_message": previous,
                                         "ts": message["edited"]["ts"]}, True)
        return self._send_event(body)

    def delete_message(self, user: str, channel: str, ts: str) -> Delivery:
        with self.state.lock:
            ch = self._member_channel(user, channel)
            message = ch.messages[ts]
            if message.get("user") != user or message.get("bot_id"):
                raise ValueError("users can only delete their own messages")
            self.state.remove_message(ch, ts)
            body = self._event_body(ch, {"type": "message", "subtype": "message_deleted",
                                         "hidden": True, "deleted_ts": ts,
                                         "previous_message": message,
                                         "ts": self.state.next_ts()}, True)
        return self._send_event(body)

    def _react(self, user: str, channel: str, ts: str, name: str, kind: str) -> Delivery:
        with self.state.lock:
            ch = self._member_channel(user, channel)
            message = ch.messages[ts]
            reactions = message.setdefault("reactions", [])
            reaction = next((r for r in reactions if r["name"] == name), None)
            if kind == "reaction_added":
                if reaction is None:
                    reaction = {"name": name, "users": [], "count": 0}
                    reactions.append(reaction)
                if user in reaction["users"]:
                    raise ValueError(f"{user} already reacted with {name}")
                reaction["users"].append(user)
            else:
                if reaction is None or user not in reaction["users"]:
                    raise ValueError(f"{user} has no {name} reaction there")
                reaction["users"].remove(user)
                if not reaction["users"]:
                    reactions.remove(reaction)
            reaction["count"] = len(reaction["users"])
            body = self._event_body(ch, self.reaction_event(kind, user, ch, message, name), False)
        return self._send_event(body)

    def add_reaction(self, user: str, channel: str, ts: str, name: str) -> Delivery:
        return self._react(user, channel, ts, name, "reaction_added")

    def remove_reaction(self, user: str, channel: str, ts: str, name: str) -> Delivery:
        return self._react(user, channel, ts, name, "reaction_removed")

    # -- interactivity --------------------------------------------------------------------------
    def _action(self, block_id: str, element: dict, value) -> dict:
        state = element_state(element, value)
        action = {"action_id": element["action_id"], "block_id": block_id,
                  "action_ts": str(self.state.clock()), **state}
        if element["type"] == "button" and element.get("style"):
            action["style"] = element["style"]
        return action

    def click(self, user: str, channel: str, message_ts: str, action_id: str, value=None) -> Delivery:
        with self.state.lock:
            ch = self._member_channel(user, channel)
            message = ch.messages[message_ts]
            block_id, element = find_element(message.get("blocks"), action_id)
            payload = {
                "type": "block_actions", "user": self._user(user), "api_app_id": self.app_id,
                "token": self.verification_token, "team": self._team(), "enterprise": None,
                "is_enterprise_install": False,
                "container": {"type": "message", "message_ts": message_ts, "channel_id": channel,
                              "is_ephemeral": False},
                "trigger_id": self.state.new_trigger(user),
                "channel": {"id": channel, "name": ch.name}, "message": dict(message),
                "state": {"values": {}},
                "response_url": self._response_url(user, channel, message_ts),
                "actions": [self._action(block_id, element, value)],
            }
        return self._post_payload(payload)

    def click_ephemeral(self, user: str, ephemeral: dict, action_id: str, value=None) -> Delivery:
        """Click in an ephemeral message (one of `emu.ephemerals(user)`); Slack sends no `message`."""
        if ephemeral.get("user") != user:
            raise ValueError(f"that ephemeral message was shown to {ephemeral.get('user')}, not {user}")
        with self.state.lock:
            ch = self.state.channels[ephemeral["channel"]]
            block_id, element = find_element(ephemeral.get("blocks"), action_id)
            response_url = self._response_url(user, ch.id)
            self.state.response_urls[response_url.rsplit("/", 1)[1]].ephemeral_ts = ephemeral["ts"]
            payload = {
                "type": "block_actions", "user": self._user(user), "api_app_id": self.app_id,
                "token": self.verification_token, "team": self._team(), "enterprise": None,
                "is_enterprise_install": False,
                "container": {"type": "message", "message_ts": ephemeral["ts"], "channel_id": ch.id,
                              "is_ephemeral": True},
                "trigger_id": self.state.new_trigger(user),
                "channel": {"id": ch.id, "name": ch.name}, "state": {"values": {}},
                "response_url": response_url,
                "actions": [self._action(block_id, element, value)],
            }
        return self._post_payload(payload)

    def _open_view(self, user: str, view_id: str):
        if view_id not in self.state.view_stacks.get(user, []):
            raise ValueError(f"view {view_id} is not open for {user}")
        return self.state.views[view_id]

    def click_in_view(self, user: str, view_id: str, action_id: str, value=None) -> Delivery:
        with self.state.lock:
            view = self._open_view(user, view_id)
            block_id, element = find_element(view.data.get("blocks"), action_id)
            payload = {
                "type": "block_actions", "user": self._user(user), "api_app_id": self.app_id,
                "token": self.verification_token, "team": self._team(), "enterprise": None,
                "is_enterprise_install": False,
                "container": {"type": "view", "view_id": view_id},
                "trigger_id": self.state.new_trigger(user), "view": self.view_api(view),
                "actions": [self._action(block_id, element, value)],
            }
        return self._post_payload(payload)

    def open_home(self, user: str) -> Delivery:
        """The person opens the app's Home tab: Slack sends app_home_opened (with the view last published)."""
        with self.state.lock:
            event = {"type": "app_home_opened", "user": user, "channel": self.state.im_channel(user, self.bot_user_id).id, "tab": "home",
                     "event_ts": self.state.next_ts()}
            current = self.state.home_views.get(user)
            if current is not None:
                event["view"] = self.view_api(current)
            envelope = self._envelope(event)
            body = json.dumps(envelope).encode()
            self._event_bodies[envelope["event_id"]] = body
        return self._send_event(body)

    def click_home(self, user: str, action_id: str, value=None) -> Delivery:
        """A button in the person's Home tab: block_actions with a view container and a trigger_id."""
        with self.state.lock:
            view = self.state.home_views.get(user)
            if view is None:
                raise ValueError(f"{user} has no Home tab published")
            block_id, element = find_element(view.data.get("blocks"), action_id, value)
            payload = {
                "type": "block_actions", "user": self._user(user), "api_app_id": self.app_id,
                "token": self.verification_token, "team": self._team(), "enterprise": None,
                "is_enterprise_install": False,
                "container": {"type": "view", "view_id": view.id},
                "trigger_id": self.state.new_trigger(user), "view": self.view_api(view),
                "actions": [self._action(block_id, element, None)],
            }
        return self._post_payload(payload)

    def message_shortcut(self, user: str, channel: str, message_ts: str, callback_id: str) -> Delivery:
        with self.state.lock:
            ch = self._member_channel(user, channel)
            payload = {
                "type": "message_action", "token": self.verification_token,
                "action_ts": str(self.state.clock()), "team": self._team(), "user": self._user(user),
                "channel": {"id": channel, "name": ch.name}, "is_enterprise_install": False,
                "enterprise": None, "callback_id": callback_id,
                "trigger_id": self.state.new_trigger(user),
                "response_url": self._response_url(user, channel, message_ts),
                "message_ts": message_ts, "message": dict(ch.messages[message_ts]),
            }
        return self._post_payload(payload)

    def submit_view(self, user: str, view_id: str, values: dict) -> Delivery:
        with self.state.lock:
            view = self._open_view(user, view_id)
            data = self.view_api(view)
            data["state"] = {"values": view_state_values(view.data, values)}
            payload = {
                "type": "view_submission", "team": self._team(), "user": self._user(user),
                "api_app_id": self.app_id, "token": self.verification_token,
                "trigger_id": self.state.new_trigger(user), "view": data,
                "response_urls": [], "is_enterprise_install": False, "enterprise": None,
            }
        delivery = self._post_payload(payload)
        if delivery.status == 200:
            self._after_submission(user, view, delivery)
        return delivery

    def _after_submission(self, user: str, view, delivery: Delivery) -> None:
        """Apply the bot's response_action: close (empty ack), errors, update, push or clear."""
        answer = delivery.json or {}
        action = answer.get("response_action")
        if delivery.body_text.strip() and delivery.json is None:
            self.violation(f"view_submission: ack body is not JSON: {delivery.body_text[:100]!r}")
            return
        with self.state.lock:
            stack = self.state.view_stacks.get(user, [])
            if action == "errors":
                inputs = {b.get("block_id") for b in view.data.get("blocks") or []
                          if b.get("type") == "input"}
                unknown = set(answer.get("errors") or {}) - inputs
                if unknown or not answer.get("errors"):
                    self.violation(f"view_submission errors name no input block: {sorted(unknown)}")
            elif action in ("update", "push"):
                problems = check_view(answer.get("view"))
                if problems:
                    self.violation(f"view_submission {action}: {problems}")
                    return
                if action == "update":
                    view.data = answer["view"]
                else:
                    pushed = new_view(self, user, answer["view"], view.root_view_id, view.id)
                    stack.append(pushed.id)
            elif action == "clear":
                stack.clear()
            elif action is None:
                if view.id in stack:
                    stack.remove(view.id)
            else:
                self.violation(f"view_submission: unknown response_action {action!r}")
