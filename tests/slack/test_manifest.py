"""The app manifest grants what every Web API call and event subscription needs, per Slack's own spec."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT.parent / "shared" / "slack"
VENDORED = ROOT / "bot" / "emulator" / "slack_methods"


def _manifest_list(key: str) -> list[str]:
    """Items of a YAML block list `key:` (the manifest is plain enough to read without a YAML parser)."""
    lines = (ROOT / "slack-manifest.yml").read_text().splitlines()
    start = next(i for i, l in enumerate(lines) if l.strip() == f"{key}:")
    indent = len(lines[start + 1]) - len(lines[start + 1].lstrip())
    items = []
    for line in lines[start + 1:]:
        if not line.strip():
            continue
        if len(line) - len(line.lstrip()) < indent or not line.strip().startswith("- "):
            break
        items.append(line.strip()[2:].split("#")[0].strip())
    return items


def _methods_called() -> set[str]:
    source = (ROOT / "bot" / "slack" / "chat.py").read_text()
    return set(re.findall(r'self\._(?:call|form|api|once_or_look)\(\s*"([A-Za-z.]+)"', source))


def test_every_method_the_bot_calls_is_real_and_its_scope_is_granted():
    scopes = set(_manifest_list("bot"))
    methods = _methods_called()
    assert {"chat.postMessage", "conversations.create", "files.completeUploadExternal"} <= methods
    for method in methods:
        spec_file = VENDORED / f"{method}.json"
        assert spec_file.exists(), f"{method} is not a Slack method the emulator knows"
        needed = json.loads(spec_file.read_text()).get("scope", {}).get("bot") or []
        assert not needed or scopes & set(needed), f"{method} needs one of {needed}"
    assert "files.upload" not in methods  # retired by Slack


def test_event_subscriptions_exist_and_are_granted():
    if not (SPEC / "events" / "events.json").exists():
        pytest.skip("../shared/slack/events/events.json is not beside the repo")
    events = {e["name"]: e for e in json.loads((SPEC / "events" / "events.json").read_text())}
    scopes = set(_manifest_list("bot"))
    subscribed = _manifest_list("bot_events")
    assert "message.channels" in subscribed and "reaction_added" in subscribed
    for name in subscribed:
        assert name in events, name
        needed = set(events[name]["scopes"])  # app_home_opened needs none
        assert not needed or scopes & needed, f"{name} needs one of {events[name]['scopes']}"
    assert "app_home_opened" in subscribed
