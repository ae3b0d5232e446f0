"""Checks each Web API call against the vendored method specs (args and documented errors)."""
from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

SPEC_DIR = Path(__file__).resolve().parent / "slack_methods"

# Slack's "common errors": any method may return them, so the per-method lists omit them.
COMMON_ERRORS = frozenset({
    "access_denied", "accesslimited", "account_inactive", "deprecated_endpoint",
    "ekm_access_denied", "enterprise_is_restricted", "fatal_error", "internal_error",
    "invalid_arg_name", "invalid_arguments", "invalid_array_arg", "invalid_auth",
    "invalid_charset", "invalid_form_data", "invalid_post_type", "is_bot", "method_deprecated",
    "missing_post_type", "missing_scope", "no_permission", "not_allowed_token_type",
    "not_authed", "org_login_required", "ratelimited", "request_timeout",
    "service_unavailable", "team_access_not_granted", "team_added_to_org", "token_expired",
    "token_revoked", "two_factor_setup_required", "unknown_method",
})

# Errors the emulator returns although the method's spec file does not list them; each is
# a deliberate choice, kept short so the "undocumented error" check stays meaningful.
EXTRA_ERRORS = {
    # Slack silently truncates text over 40,000 characters; we refuse it so the loss shows.
    "chat.postMessage": {"msg_too_long"},
    # Slack's usual answer for an unknown or invisible channel_id; the spec omits it.
    "conversations.canvases.create": {"channel_not_found", "not_in_channel"},
    "canvases.create": {"channel_not_found", "not_in_channel"},
}


class ArgumentError(Exception):
    """The call does not match the method spec: Slack answers invalid_arguments."""

    def __init__(self, messages: list[str]):
        super().__init__("; ".join(messages))
        self.messages = messages


@dataclass(frozen=True)
class MethodSpec:
    name: str
    required: frozenset[str]
    properties: frozenset[str]
    errors: frozenset[str]
    json_input: bool
    tier: str | None = None  # rate limit tier: t1..t4, t5 = special

    def allows_error(self, error: str) -> bool:
        return (error in self.errors or error in COMMON_ERRORS
                or error in EXTRA_ERRORS.get(self.name, ()))

    def check_args(self, args: dict, *, is_json: bool) -> None:
        messages = []
        if is_json and not self.json_input:
            messages.append(f"[ERROR] {self.name} does not accept JSON bodies; send form-encoded arguments")
        for name in sorted(self.required - {"token"}):
            if args.get(name) in (None, ""):
                messages.append(f"[ERROR] missing required field: {name}")
        for name in sorted(set(args) - self.properties):
            messages.append(f"[ERROR] unsupported argument: {name}")
        if messages:
            raise ArgumentError(messages)


def load_specs(spec_dir: Path | None = None) -> dict[str, MethodSpec]:
    """Every method's spec, by name: read once per folder (a test suite starts an emulator per test)."""
    return dict(_read_specs(str(Path(spec_dir or SPEC_DIR).resolve())))


@functools.lru_cache(maxsize=4)
def _read_specs(spec_dir: str) -> dict[str, MethodSpec]:
    specs = {}
    for path in sorted(Path(spec_dir).glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        args = data.get("args") or {}
        specs[path.stem] = MethodSpec(
            name=path.stem,
            required=frozenset(args.get("required") or ()),
            properties=frozenset(args.get("properties") or ()),
            errors=frozenset(data.get("errors") or ()),
            json_input=bool(data.get("json_input_supported")),
            tier=data.get("rate_limits"),
        )
    return specs
