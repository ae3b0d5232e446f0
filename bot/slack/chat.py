"""Every Slack Web API call the bot makes goes through here, so they can be counted and retried.

Flows talk to `Chat`, never to slack_sdk: a failed call raises `ChatError(code)` with Slack's
error name (or `"unreachable"` when Slack could not be reached at all).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

log = logging.getLogger("cellule.chat")

# Status codes of users.info locale answers are cached this long: people rarely change language.
LOCALE_TTL = 3600.0
LOCALE_TIMEOUT = 2


class ChatError(Exception):
    def __init__(self, code: str, method: str, detail: Any = None):
        super().__init__(f"{method}: {code}")
        self.code = code
        self.method = method
        self.detail = detail


class Chat:
    def __init__(self, client: WebClient):
        self.client = client
        # Look-ups that only choose the reply's language must never hold a form's trigger_id
        # (3 s) hostage: short timeout, no retries; on failure the first language is used.
        self._quick = WebClient(token=client.token, base_url=client.base_url, timeout=LOCALE_TIMEOUT,
                                retry_handlers=[], logger=client.logger)
        self.calls: Counter[str] = Counter()
        self._locales: dict[str, tuple[float, str | None]] = {}
        self._lock = threading.Lock()
        self._me: dict | None = None

    def _call(self, method: str, **kwargs) -> dict:
        return self._api(method, json=kwargs)

    def _form(self, method: str, quick: bool = False, **params) -> dict:
        """Methods that take no JSON body (per Slack's spec) go as form fields."""
        return self._api(method, quick=quick, data=params)

    def _api(self, method: str, quick: bool = False, **body) -> dict:
        with self._lock:
            self.calls[method] += 1
        try:
            client = self._quick if quick else self.client
            return client.api_call(method, **body).data  # type: ignore[return-value]
        except SlackApiError as e:
            response = e.response
            code = response.get("error", "unknown_error") if response is not None else "unknown_error"
            log.warning("Slack refused %s: %s", method, code)
            raise ChatError(code, method, response.data if response is not None else None) from None
        except (OSError, TimeoutError) as e:  # after the retry handlers gave up
            log.warning("Slack unreachable for %s: %s", method, type(e).__name__)
            raise ChatError("unreachable", method) from None

    # Identity and people ---------------------------------------------------------------

    def me(self) -> dict:
        if self._me is None:
            self._me = self._call("auth.test")
        return self._me

    def user_locale(self, user: str) -> str | None:
        now = time.monotonic()
        cached = self._locales.get(user)
        if cached and now - cached[0] < LOCALE_TTL:
            return cached[1]
        try:
            locale = self._form("users.info", quick=True, user=user, include_locale="true").get("user", {}).get("locale")
        except ChatError:
            return None  # not remembered: once Slack answers again, the person gets their own language
        self._locales[user] = (now, locale)
        return locale

    def usergroup_members(self, group: str) -> list[str]:
        return list(self._form("usergroups.users.list", usergroup=group).get("users", []))

    # Channels ------------------------------------------------------------------------------

    def create_channel(self, name: str, private: bool) -> dict:
        return self._call("conversations.create", name=name, is_private=private)["channel"]

    def channel_info(self, channel: str) -> dict:
        return self._form("conversations.info", channel=channel)["channel"]

    def invite(self, channel: str, users: list[str]) -> dict:
        return self._call("conversations.invite", channel=channel, users=",".join(users), force=True)

    def set_topic(self, channel: str, topic: str) -> None:
        self._call("conversations.setTopic", channel=channel, topic=topic)

    def bookmark(self, channel: str, title: str, link: str) -> None:
        self._call("bookmarks.add", channel_id=channel, title=title, type="link", link=link)

    def history(self, channel: str, oldest: str | None = None, cursor: str | None = None,
                latest: str | None = None, inclusive: bool = False, limit: int = 200) -> dict:
        params: dict[str, Any] = {"channel": channel, "limit": limit}
        if oldest:
            params["oldest"] = oldest
        if latest:
            params["latest"] = latest
        if inclusive:
            params["inclusive"] = "true"
        if cursor:
            params["cursor"] = cursor
        return self._form("conversations.history", **params)

    def replies(self, channel: str, ts: str, cursor: str | None = None) -> dict:
        params = {"channel": channel, "ts": ts, "limit": 200}
        if cursor:
            params["cursor"] = cursor
        return self._form("conversations.replies", **params)

    # Messages -------------------------------------------------------------------------------

    def post(self, channel: str, text: str, blocks: list | None = None, thread_ts: str | None = None,
             broadcast: bool = False) -> str:
        args: dict[str, Any] = {"channel": channel, "text": text, "unfurl_links": False}
        if blocks:
            args["blocks"] = blocks
        if thread_ts:
            args["thread_ts"] = thread_ts
            if broadcast:
                args["reply_broadcast"] = True
        return self._call("chat.postMessage", **args)["ts"]

    def update(self, channel: str, ts: str, text: str, blocks: list | None = None) -> None:
        args: dict[str, Any] = {"channel": channel, "ts": ts, "text": text}
        if blocks is not None:
            args["blocks"] = blocks
        self._call("chat.update", **args)

    def pin(self, channel: str, ts: str) -> None:
        try:
            self._call("pins.add", channel=channel, timestamp=ts)
        except ChatError as e:
            if e.code != "already_pinned":  # a resumed declare may pin twice
                raise

    def permalink(self, channel: str, ts: str) -> str:
        return self._form("chat.getPermalink", channel=channel, message_ts=ts)["permalink"]

    # Views -------------------------------------------------------------------------------------

    def open_view(self, trigger_id: str, view: dict) -> dict:
        return self._call("views.open", trigger_id=trigger_id, view=view)["view"]

    # Files and canvases -----------------------------------------------------------------------

    def upload_file(self, channel: str, filename: str, content: str, comment: str | None = None,
                    title: str | None = None) -> str:
        """Slack's current upload flow (files.upload is retired): get a URL, send bytes, complete."""
        data = content.encode("utf-8")
        got = self._form("files.getUploadURLExternal", filename=filename, length=str(len(data)))
        self._send_bytes(got["upload_url"], data, filename)
        args: dict[str, Any] = {"files": [{"id": got["file_id"], "title": title or filename}], "channel_id": channel}
        if comment:
            args["initial_comment"] = comment
        self._call("files.completeUploadExternal", **args)
        return got["file_id"]

    def _send_bytes(self, url: str, data: bytes, filename: str) -> None:
        import urllib.request

        with self._lock:
            self.calls["(upload)"] += 1
        req = urllib.request.Request(url, data=data, method="POST",
                                     headers={"Content-Type": "application/octet-stream"})
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                resp.read()
        except OSError:
            raise ChatError("upload_failed", "(upload)") from None

    def channel_canvas(self, channel: str, markdown: str, canvas_id: str | None, title: str) -> str:
        """Create the channel canvas, or replace its content when it exists already."""
        content = {"type": "markdown", "markdown": markdown}
        if canvas_id is None:
            try:
                return self._call("conversations.canvases.create", channel_id=channel,
                                  document_content=content, title=title)["canvas_id"]
            except ChatError as e:
                if e.code != "channel_canvas_already_exists":
                    raise
                # Created by an earlier run we have no record of: find it on the channel.
                canvas_id = self.channel_info(channel).get("properties", {}).get("canvas", {}).get("file_id")
                if not canvas_id:
                    raise
        self._call("canvases.edit", canvas_id=canvas_id,
                   changes=[{"operation": "replace", "document_content": content}])
        return canvas_id
