"""Every Slack Web API call the bot makes goes through here, so they can be counted and retried.

Flows talk to `Chat`, never to slack_sdk: a failed call raises `ChatError(code)` with Slack's
error name (or `"unreachable"` when Slack could not be reached at all).
"""

from __future__ import annotations

import http.client
import logging
import secrets
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

from cachetools import TTLCache
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot import metrics
from bot.flows.ports import Undelivered
from bot.slack.client import ConnectionErrorRetry, Sleep
from bot.slack.limits import Limiter

log = logging.getLogger("cellule.chat")

# Status codes of users.info locale answers are cached this long: people rarely change language.
LOCALE_TTL = 3600.0
LOCALE_TIMEOUT = 2


# A post whose answer was lost is looked for in the last minutes of the channel before another try.
POST_TRIES = 3
POST_BACKOFF = 0.5
POST_LOOKBACK = 600.0


class ChatError(Undelivered):
    """A Web API call that failed: Slack's error name (or "unreachable"), as the port's failure."""

    def __init__(self, code: str, method: str, detail: Any = None, status: int | None = None,
                 refused: bool = False):
        super().__init__(code, method, detail)
        self.status = status
        self.refused = refused  # the connection was refused: nothing reached Slack

    @property
    def unsure(self) -> bool:
        """Slack may have done the call anyway: a server error, a connection lost midway, or one of
        Slack's common errors that say part of the operation may have succeeded."""
        return ((self.code == "unreachable" and not self.refused) or (self.status or 0) >= 500
                or self.code in UNSURE_CODES)


# Slack's common errors after which the call may have been carried out all the same.
UNSURE_CODES = frozenset({"fatal_error", "internal_error", "request_timeout", "service_unavailable"})


def _refused(error: BaseException) -> bool:
    return isinstance(getattr(error, "reason", error), ConnectionRefusedError)


class RefusedConnectionRetryHandler(ConnectionErrorRetry):
    """Retries a call only when its connection was refused, so it certainly never reached Slack."""

    def _can_retry(self, *, state, request, response=None, error=None) -> bool:
        return error is not None and response is None and _refused(error)


class Chat:
    def __init__(self, client: WebClient, sleep: Sleep = time.sleep, *, limiter: Limiter | None = None):
        """`sleep` waits between the tries of a post (tests pass one that records and returns);
        `limiter` keeps calls within Slack's rate limits (the composition root passes one)."""
        self.client = client
        self._sleep = sleep
        self.limiter = limiter
        # Look-ups that only choose the reply's language must never hold a form's trigger_id
        # (3 s) hostage: short timeout, no retries; on failure the first language is used.
        self._quick = WebClient(token=client.token, base_url=client.base_url, timeout=LOCALE_TIMEOUT,
                                retry_handlers=[], logger=client.logger)
        # Posting is not idempotent: its client retries only what Slack never carried out (429, a
        # refused connection); after a server error or a lost connection, `post` first looks
        # whether the message landed.
        self._once = WebClient(token=client.token, base_url=client.base_url, timeout=client.timeout,
                               logger=client.logger,
                               retry_handlers=[*(h for h in client.retry_handlers
                                                 if isinstance(h, RateLimitErrorRetryHandler)),
                                               RefusedConnectionRetryHandler(max_retry_count=2, sleep=sleep)])
        self.calls: Counter[str] = Counter()
        self._locales: TTLCache[str, str | None] = TTLCache(maxsize=10_000, ttl=LOCALE_TTL)
        self._lock = threading.Lock()
        self._me: dict | None = None

    @property
    def clients(self) -> tuple[WebClient, ...]:
        return self.client, self._once, self._quick

    def _call(self, method: str, **kwargs) -> dict:
        return self._api(method, json=kwargs)

    def _form(self, method: str, quick: bool = False, **params) -> dict:
        """Methods that take no JSON body (per Slack's spec) go as form fields."""
        return self._api(method, quick=quick, data=params)

    def _api(self, method: str, quick: bool = False, once: bool = False, **body) -> dict:
        with self._lock:
            self.calls[method] += 1
        if self.limiter is None or quick:  # a look-up that picks a reply's language never waits
            return self._send(method, quick, once, body)
        with self.limiter.slot(method, (body.get("json") or body.get("data") or {}).get("channel")):
            return self._send(method, quick, once, body)

    def _send(self, method: str, quick: bool, once: bool, body: dict) -> dict:
        try:
            client = self._quick if quick else self._once if once else self.client
            data = client.api_call(method, **body).data
            metrics.SLACK_CALLS.labels(metrics.method_label(method), "ok").inc()
            return data  # type: ignore[return-value]
        except SlackApiError as e:
            response = e.response
            data = response.data if response is not None else None
            code = data.get("error", "unknown_error") if isinstance(data, dict) else "unknown_error"
            log.warning("Slack refused %s: %s", method, code)
            error = ChatError(code, method, data, response.status_code if response is not None else None)
            metrics.SLACK_CALLS.labels(metrics.method_label(method), "unsure" if error.unsure else "refused").inc()
            raise error from None
        except (OSError, TimeoutError, http.client.HTTPException) as e:  # after the retry handlers gave up
            log.warning("Slack unreachable for %s: %s", method, type(e).__name__)
            metrics.SLACK_CALLS.labels(metrics.method_label(method), "unreachable").inc()
            raise ChatError("unreachable", method, refused=_refused(e)) from None

    # Identity and people ---------------------------------------------------------------

    def me(self) -> dict:
        if self._me is None:
            self._me = self._call("auth.test")
        return self._me

    def user_locale(self, user: str) -> str | None:
        with self._lock:
            if user in self._locales:
                return self._locales[user]
        try:
            locale = self._form("users.info", quick=True, user=user, include_locale="true").get("user", {}).get("locale")
        except ChatError:
            return None  # not remembered: once Slack answers again, the person gets their own language
        with self._lock:
            self._locales[user] = locale
        return locale

    def user_exists(self, user: str) -> bool | None:
        """False when Slack says there is no such (or a deactivated) user; None when it did not say."""
        try:
            return not self._form("users.info", quick=True, user=user).get("user", {}).get("deleted", False)
        except ChatError as e:
            return False if e.code in ("user_not_found", "user_not_visible") else None

    def usergroup_members(self, group: str) -> list[str]:
        return list(self._form("usergroups.users.list", usergroup=group).get("users", []))

    # Channels ------------------------------------------------------------------------------

    def create_channel(self, name: str, private: bool) -> dict:
        return self._call("conversations.create", name=name, is_private=private)["channel"]

    def pages(self, method: str, key: str, **params) -> Iterator[dict]:
        """Every item of a cursor-paginated method (the one place that follows Slack's cursors)."""
        cursor = None
        while True:
            answer = self._form(method, **params, **({"cursor": cursor} if cursor else {}))
            yield from answer.get(key, [])
            cursor = (answer.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return

    def own_channels(self) -> Iterator[dict]:
        """The channels the bot is in (users.conversations: far fewer than the whole list)."""
        return self.pages("users.conversations", "channels", types="public_channel,private_channel",
                          exclude_archived="true", limit=999)

    def channel_info(self, channel: str) -> dict:
        return self._form("conversations.info", channel=channel)["channel"]

    def invite(self, channel: str, users: list[str]) -> dict:
        return self._call("conversations.invite", channel=channel, users=",".join(users), force=True)

    def set_topic(self, channel: str, topic: str) -> None:
        self._call("conversations.setTopic", channel=channel, topic=topic)

    def bookmark(self, channel: str, title: str, link: str, look_first: bool = False) -> None:
        """Add a link bookmark once: a bookmark with the same link already there is ours."""
        def look() -> dict | None:
            marks = self._form("bookmarks.list", channel_id=channel).get("bookmarks") or []
            return next((b for b in marks if b.get("link") == link), None)

        self._once_or_look("bookmarks.add", look, look_first,
                           json={"channel_id": channel, "title": title, "type": "link", "link": link})

    def history(self, channel: str, latest: str | None = None, inclusive: bool = False, limit: int = 200) -> dict:
        params: dict[str, Any] = {"channel": channel, "limit": limit}
        if latest:
            params["latest"] = latest
        if inclusive:
            params["inclusive"] = "true"
        return self._form("conversations.history", **params)

    # Messages -------------------------------------------------------------------------------

    def post(self, channel: str, text: str, blocks: list | None = None, thread_ts: str | None = None,
             broadcast: bool = False, key: str | None = None, look_first: float | None = None) -> str:
        """Post once. `key` names what the post is (see bot.core.idempotency): a later run that
        passes the same key and `look_first` (how far back, a Unix time) finds the post an
        interrupted run made instead of posting again."""
        args: dict[str, Any] = {"channel": channel, "text": text, "unfurl_links": False}
        if blocks:
            args["blocks"] = blocks
        if thread_ts:
            args["thread_ts"] = thread_ts
            if broadcast:
                args["reply_broadcast"] = True
        if channel[:1] in ("U", "W", "D"):
            # A direct message: the bot may not read that history, and a repeated DM is harmless.
            return self._call("chat.postMessage", **args)["ts"]
        # A key only we know, so a post whose answer was lost can be recognised in the channel.
        key = key or secrets.token_hex(8)
        args["metadata"] = {"event_type": "cellule_post", "event_payload": {"key": key}}
        since = f"{min(time.time() - POST_LOOKBACK, look_first or time.time()):.6f}"

        def look() -> dict | None:
            ts = self._landed(channel, thread_ts, key, since)
            return {"ts": ts} if ts else None

        return self._once_or_look("chat.postMessage", look, look_first is not None, json=args)["ts"]

    def _once_or_look(self, method: str, look: Callable[[], dict | None], look_first: bool = False, **body) -> dict:
        """A call Slack must not carry out twice. Its client retries only what Slack certainly did
        not do (429, a refused connection); after a server error or a lost connection, `look()`
        says whether it was done after all (its answer) before the next try."""
        error: ChatError | None = None
        for attempt in range(POST_TRIES + 1):  # the last round only looks
            if attempt or look_first:
                if attempt:
                    self._sleep(POST_BACKOFF * 2 ** (attempt - 1))
                try:
                    found = look()
                except ChatError:
                    continue  # cannot tell yet: never redo blind, ask again next time
                if found is not None:
                    log.info("%s whose answer was lost had been done", method)
                    return found
                if attempt == POST_TRIES:
                    break
            try:
                return self._api(method, once=True, **body)
            except ChatError as e:
                if not e.unsure:
                    raise
                error = e
        assert error is not None
        raise error

    def posted(self, channel: str, key: str, lookback: float = POST_LOOKBACK) -> str | None:
        """The ts of a post of ours carrying `key` (given to `post`) in the channel's last minutes."""
        return self._landed(channel, None, key, f"{time.time() - lookback:.6f}")

    def _landed(self, channel: str, thread_ts: str | None, key: str, since: str) -> str | None:
        """The ts of our post carrying `key`, if it reached the channel (or the thread)."""
        params = {"channel": channel, "oldest": since, "limit": 200, "include_all_metadata": "true"}
        if thread_ts:
            answer = self._form("conversations.replies", ts=thread_ts, **params)
        else:
            answer = self._form("conversations.history", **params)
        for message in answer.get("messages", []):
            if ((message.get("metadata") or {}).get("event_payload") or {}).get("key") == key:
                return message["ts"]
        return None

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

    def publish_home(self, user: str, view: dict) -> dict:
        return self._call("views.publish", user_id=user, view=view)["view"]

    def update_view(self, view_id: str, view: dict) -> dict:
        return self._call("views.update", view_id=view_id, view=view)["view"]

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
        since = f"{time.time() - POST_LOOKBACK:.6f}"

        def look() -> dict | None:  # the file shared in the channel already
            answer = self._form("conversations.history", channel=channel, oldest=since, limit=200)
            shared = any(f.get("id") == got["file_id"] for m in answer.get("messages", []) for f in m.get("files") or [])
            return {"files": [{"id": got["file_id"]}]} if shared else None

        self._once_or_look("files.completeUploadExternal", look, json=args)
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
            def look() -> dict | None:  # created by an earlier run, or by a try whose answer was lost
                found = self.channel_info(channel).get("properties", {}).get("canvas", {}).get("file_id")
                return {"canvas_id": found} if found else None

            try:
                return self._once_or_look("conversations.canvases.create", look, json={
                    "channel_id": channel, "document_content": content, "title": title})["canvas_id"]
            except ChatError as e:
                if e.code != "channel_canvas_already_exists":
                    raise
                canvas_id = (look() or {}).get("canvas_id")
                if not canvas_id:
                    raise
        self._call("canvases.edit", canvas_id=canvas_id,
                   changes=[{"operation": "replace", "document_content": content}])
        return canvas_id
