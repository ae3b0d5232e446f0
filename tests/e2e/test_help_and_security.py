"""Signed requests only; help in the caller's own language."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.parse
import urllib.request
from urllib.error import HTTPError

import pytest

# Signatures and the help: checked before the database is reached.
pytestmark = pytest.mark.any_database


def _post(url: str, body: bytes, headers: dict) -> int:
    req = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status
    except HTTPError as e:
        return e.code


def _command_body(emu) -> bytes:
    return urllib.parse.urlencode({
        "command": "/incident", "text": "declare P1 forged", "user_id": "UFR", "channel_id": "COPS",
        "team_id": emu.team_id, "trigger_id": "1.2.3", "response_url": emu.base_url + "response/x",
    }).encode()


def _signed(secret: str, body: bytes, ts: int) -> dict:
    sig = "v0=" + hmac.new(secret.encode(), f"v0:{ts}:".encode() + body, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": str(ts), "X-Slack-Signature": sig,
            "Content-Type": "application/x-www-form-urlencoded"}


def test_forged_missing_and_stale_signatures_get_401_and_change_nothing(bot):
    emu = bot.emu
    emu.reset_calls()
    body = _command_body(emu)
    now = int(time.time())
    assert _post(bot.url, body, _signed("wrong-secret", body, now)) == 401
    assert _post(bot.url, body, {"Content-Type": "application/x-www-form-urlencoded"}) == 401
    assert _post(bot.url, body, _signed(emu.signing_secret, body, now - 6 * 60)) == 401
    # The same body with a fresh, correct signature is accepted: the refusals above were about the signature.
    event = json.dumps({"type": "event_callback", "event_id": "Ev1", "team_id": emu.team_id,
                        "event": {"type": "reaction_added", "user": "UFR", "reaction": "x",
                                  "item": {"type": "message", "channel": "COPS", "ts": "1.1"}}}).encode()
    headers = _signed("wrong-secret", event, now)
    headers["Content-Type"] = "application/json"
    assert _post(bot.url, event, headers) == 401
    bot.settle()
    assert [c.method for c in emu.calls if c.method != "auth.test"] == []
    assert bot.replies_to("UFR") == []
    assert emu.channel_by_name("tsr-2641-forged") is None


def test_help_in_french_for_a_french_user_and_english_for_an_english_one(bot):
    fr = bot.command("UFR", "help")
    en = bot.command("UEN", "help")
    assert fr.status == 200 and en.status == 200
    assert fr.seconds < 3 and en.seconds < 3  # Slack's own deadline, not a speed target
    fr_text, en_text = bot.replies_to("UFR")[-1], bot.replies_to("UEN")[-1]
    assert "declare" in fr_text and "declare" in en_text
    assert fr_text != en_text
    assert "déclarer" in fr_text.lower() or "déclare" in fr_text.lower()
    assert "declare; opens the crisis channel" in en_text


def test_unknown_subcommand_answers_the_help_not_an_error(bot):
    d = bot.command("UEN", "frobnicate now")
    assert d.status == 200
    text = bot.replies_to("UEN")[-1]
    assert "/incident" in text and "Traceback" not in text
