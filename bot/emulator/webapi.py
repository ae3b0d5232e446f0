"""The Web API dispatcher: auth, spec check, fault injection, handler, recording."""
from __future__ import annotations

import time
from dataclasses import dataclass

from . import api_chat, api_conversations, api_files, api_items, api_views
from .api_support import SlackError
from .spec import ArgumentError

HANDLERS = {**api_conversations.HANDLERS, **api_chat.HANDLERS, **api_items.HANDLERS,
            **api_views.HANDLERS, **api_files.HANDLERS}


@dataclass
class Call:
    method: str
    args: dict
    response: dict
    status: int
    started: float = 0.0  # time.monotonic() when the request came in and when it was answered
    ended: float = 0.0


def _channel(args: dict) -> str | None:
    channel = args.get("channel")
    return channel if isinstance(channel, str) else None


def _token(args: dict, authorization: str, is_json: bool) -> str | None:
    if authorization.startswith("Bearer "):
        return authorization[len("Bearer "):].strip()
    # Slack does not read a token from a JSON body: it must be in the header.
    return None if is_json else args.get("token")


def handle_api(emu, method: str, args: dict, *, authorization: str = "",
               is_json: bool = False) -> tuple[int, dict, dict]:
    """Answer one Web API call: (HTTP status, extra headers, JSON body)."""
    started = time.monotonic()
    status, headers, body = _answer(emu, method, args, authorization, is_json)
    recorded = {k: v for k, v in args.items() if k != "token"}
    with emu.state.lock:
        emu.calls.append(Call(method, recorded, body, status, started, time.monotonic()))
    return status, headers, body


def _answer(emu, method, args, authorization, is_json):
    spec, handler = emu.specs.get(method), HANDLERS.get(method)
    if spec is None or handler is None:
        emu.violation(f"{method}: unknown method (not in the emulator's vendored specs)")
        return 200, {}, {"ok": False, "error": "unknown_method"}
    token = _token(args, authorization, is_json)
    if not token:
        return 200, {}, {"ok": False, "error": "not_authed"}
    # apps.connections.open takes the app-level token (Socket Mode), every other method the bot's.
    if method == "apps.connections.open":
        expected = emu.socket_mode.app_token if emu.socket_mode is not None else None
    else:
        expected = emu.bot_token
    if token != expected:
        return 200, {}, {"ok": False, "error": "invalid_auth"}
    try:
        spec.check_args(args, is_json=is_json)
    except ArgumentError as exc:
        emu.violation(f"{method}: {'; '.join(exc.messages)}")
        return 200, {}, SlackError("invalid_arguments", messages=exc.messages).body()
    emu.faults.wait(method)
    if emu.limits is not None:
        retry_after = emu.limits.check(method, spec.tier, _channel(args))
        if retry_after is not None:
            return 429, {"Retry-After": str(retry_after)}, {"ok": False, "error": "ratelimited"}
    fault = emu.faults.take(method)
    if fault is not None and fault.kind == "lost_answer":
        _answer_body(emu, method, spec, handler, args)
        return fault.status, {}, {"ok": False, "error": "fatal_error"}
    if fault is not None:
        if fault.kind == "ratelimit":
            return 429, {"Retry-After": str(fault.retry_after)}, {"ok": False, "error": "ratelimited"}
        if fault.kind == "server_error":
            return fault.status, {}, {"ok": False, "error": "fatal_error"}
        return 200, {}, {"ok": False, "error": fault.error}
    body = _answer_body(emu, method, spec, handler, args)
    emu.faults.answered(method)  # hold_answer: the work is done, the answer waits
    return 200, {}, body


def _answer_body(emu, method, spec, handler, args) -> dict:
    args = {k: v for k, v in args.items() if k != "token"}
    try:
        with emu.state.lock:
            return {"ok": True, **handler(emu, args)}
    except SlackError as exc:
        if exc.violation:
            emu.violation(f"{method}: {exc.error} {'; '.join(exc.messages)}".strip())
        if not spec.allows_error(exc.error):
            emu.violation(f"{method}: returned {exc.error!r}, which its spec does not document")
        return exc.body()
