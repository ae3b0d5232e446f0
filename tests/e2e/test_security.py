"""Who may do what: signed requests only, the crisis unit's rights, oversized bodies, secrets kept out of logs."""

from __future__ import annotations

import http.client
import json
import logging
import time
from urllib.parse import urlencode, urlsplit

import pytest

from bot.emulator.driver import signature
from bot.emulator.payloads import view_state_values
from bot.flows.messages import describe
from bot.server import MAX_BODY
from bot.store import incidents as store
from bot.store import timeline as tl
from tests.e2e.harness import Bot

DECLARE = "declare P2 FR Panne paiement EN Payment outage"
# apps.connections.open: Socket Mode (re)connecting changes nothing in the workspace.
READ_ONLY = {"auth.test", "users.info", "usergroups.users.list", "apps.connections.open"}
FORM = "application/x-www-form-urlencoded"


def _declare(bot) -> str:
    bot.command("UFR", DECLARE)
    return bot.incident_channel()


def _snapshot(bot) -> tuple:
    """Everything a request could change in the database."""
    with bot.rt.deps.db.session() as s:
        rows = store.open_incidents(session=s)
        incidents = [(r.ref, r.status, r.priority, dict(r.title), dict(r.roles), r.category) for r in rows]
        entries = [(e.kind, e.text, dict(e.texts), e.key) for r in rows for e in tl.entries(session=s, incident_id=r.id)]
        actions = [store.actions(session=s, incident_id=r.id) for r in rows]
    return incidents, entries, actions


def _writes(emu) -> list[str]:
    return [c.method for c in emu.calls if c.method not in READ_ONLY]


def _command_body(emu, user: str, channel: str, text: str) -> bytes:
    return urlencode({
        "command": "/incident", "text": text, "user_id": user, "channel_id": channel, "team_id": emu.team_id,
        "trigger_id": emu.state.new_trigger(user), "response_url": emu.base_url + "response/none",
    }).encode()


def _payload_body(payload: dict) -> bytes:
    return urlencode({"payload": json.dumps(payload)}).encode()


def _submission(emu, user: str, view: dict, values: dict) -> bytes:
    """A view_submission as Slack would send it for `view` (one of emu.views(...)), by `user`."""
    data = {**view, "state": {"values": view_state_values(view, values)}}
    return _payload_body({
        "type": "view_submission", "team": {"id": emu.team_id, "domain": emu.team_domain},
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": emu.team_id},
        "api_app_id": emu.app_id, "token": emu.verification_token, "trigger_id": emu.state.new_trigger(user),
        "view": data, "response_urls": [], "is_enterprise_install": False, "enterprise": None})


def _requests(bot, crisis: str) -> dict[str, tuple[bytes, str]]:
    """One request of each kind Slack sends, each of which would change something if accepted."""
    emu = bot.emu
    bot.command("UEN", "declare")  # opens the declare form, to have a real view to submit
    form = emu.views("UEN")[-1]
    message = {"type": "message", "channel": crisis, "channel_type": "channel", "user": "UEN",
               "text": "forged chat", "ts": "1733310999.000100", "event_ts": "1733310999.000100"}
    event = json.dumps({"type": "event_callback", "event_id": "EvFORGED1", "team_id": emu.team_id,
                        "api_app_id": emu.app_id, "event": message, "event_time": int(time.time()),
                        "authorizations": [{"team_id": emu.team_id, "user_id": emu.bot_user_id, "is_bot": True}]})
    with bot.rt.deps.db.session() as s:
        incident_id = store.by_ref(session=s, ref="TSR-2641").id
    click = {"type": "block_actions", "user": {"id": "UEN", "name": "alex", "team_id": emu.team_id},
             "team": {"id": emu.team_id, "domain": emu.team_domain}, "api_app_id": emu.app_id,
             "token": emu.verification_token, "trigger_id": emu.state.new_trigger("UEN"),
             "container": {"type": "message", "channel_id": "COPS", "is_ephemeral": True, "message_ts": "1.2"},
             "channel": {"id": "COPS", "name": "ops"}, "response_url": emu.base_url + "response/none",
             "actions": [{"action_id": "retry_setup", "block_id": "b", "type": "button", "value": str(incident_id),
                          "action_ts": "1.3"}]}
    return {
        "command": (_command_body(emu, "UEN", "COPS", "declare P1 FR Faux EN Forged"), FORM),
        "event": (event.encode(), "application/json"),
        "block_actions": (_payload_body(click), FORM),
        "view_submission": (_submission(emu, "UEN", form, {"title_fr": {"value": "Faux"},
                                                           "category": {"value": "x"}}), FORM),
    }


@pytest.mark.any_database  # checked at the door, on any database
@pytest.mark.http_only
@pytest.mark.parametrize("kind", ["command", "event", "block_actions", "view_submission"])
def test_unsigned_forged_and_stale_requests_get_401_and_change_nothing(bot, kind):
    emu = bot.emu
    crisis = _declare(bot)
    body, content_type = _requests(bot, crisis)[kind]
    bot.settle()
    before, ephemerals = _snapshot(bot), len(emu.state.ephemerals)
    emu.reset_calls()
    now = int(time.time())
    for unsigned in ({"X-Slack-Signature": "", "X-Slack-Request-Timestamp": ""},
                     {"X-Slack-Request-Timestamp": "not-a-number"}, {"X-Slack-Request-Timestamp": "-1"}):
        assert emu.sign_and_post(body, content_type, headers=unsigned).status == 401
    assert emu.sign_and_post(body, content_type, secret="not-the-secret").status == 401
    assert emu.sign_and_post(body, content_type, timestamp=now - 5 * 60 - 30).status == 401
    assert emu.sign_and_post(body, content_type, timestamp=now + 5 * 60 + 30).status == 401
    # A signature over a different body does not carry over.
    other = {"X-Slack-Signature": signature(emu.signing_secret, str(now), b"payload=%7B%7D")}
    assert emu.sign_and_post(body, content_type, timestamp=now, headers=other).status == 401
    bot.settle()
    assert _writes(emu) == [] and emu.count("users.info") == 0
    assert _snapshot(bot) == before
    assert len(emu.state.ephemerals) == ephemerals
    assert emu.channel_by_name("tsr-2642-faux") is None


@pytest.mark.any_database  # checked at the door, on any database
def test_a_request_signed_four_minutes_ago_is_still_accepted(bot):
    """The refusals above are about the signature and its age, not about the requests themselves."""
    body = _command_body(bot.emu, "UEN", "COPS", "help")
    assert bot.emu.sign_and_post(body, FORM, timestamp=int(time.time()) - 4 * 60).status == 200


# The crisis unit ------------------------------------------------------------------------------------

CHANGING = [
    "update monitoring FR Surveillance EN Monitoring",
    "update monitoring",  # the update form
    "update",
    "resolve",
    "reopen",
    "impact start 12h08",
    "impact end",
    "event Alerts raised",
    "set priority P1",
    "set title FR Autre EN Other",
    "action Slow => Add an alert",
    "role commander <@USTAKE>",
    "postmortem",
]


@pytest.mark.parametrize("text", CHANGING)
def test_a_stakeholder_cannot_change_an_incident(bot, text):
    emu = bot.emu
    crisis = _declare(bot)
    before = _snapshot(bot)
    emu.reset_calls()
    bot.command("USTAKE", text, channel=crisis)
    refusal = describe(bot.rt.deps.catalogs.lang("en"), "not_allowed", ref="TSR-2641")
    assert bot.replies_to("USTAKE") == [refusal]
    assert _writes(emu) == []
    assert emu.views("USTAKE") == []
    assert _snapshot(bot) == before
    # From outside the channel, naming the incident, the same.
    bot.command("USTAKE", text.replace(" ", " TSR-2641 ", 1) if " " in text else f"{text} TSR-2641")
    assert bot.replies_to("USTAKE") == [refusal, refusal]
    assert _writes(emu) == [] and _snapshot(bot) == before


def test_a_stakeholder_cannot_open_the_declare_form(bot):
    bot.command("USTAKE", "declare")
    assert "Only the crisis unit" in bot.replies_to("USTAKE")[-1]
    # The form opens first (its trigger_id lives 3 s), before rights not yet cached are checked:
    # a stakeholder then sees the refusal in it, never the declare form, and nothing is written.
    assert all(v.get("callback_id") != "declare" for v in bot.emu.views("USTAKE"))
    assert [m for m in _writes(bot.emu) if not m.startswith("views.")] == []


def test_a_stakeholder_may_read(bot):
    crisis = _declare(bot)
    before = _snapshot(bot)
    for text in ("status", "list", "help"):
        bot.command("USTAKE", text, channel=crisis)
    status, listing, help_text = bot.replies_to("USTAKE")
    assert "TSR-2641" in status and "Payment outage" in status
    assert "TSR-2641" in listing
    assert "/incident" in help_text
    assert not any("Only the crisis unit" in r for r in (status, listing, help_text))
    assert _snapshot(bot) == before


def test_a_role_holder_who_is_not_in_the_unit_may_change_the_incident(bot):
    crisis = _declare(bot)
    bot.command("UFR", "role scribe <@USTAKE>", channel=crisis)
    bot.command("USTAKE", "event Alerts raised", channel=crisis)
    assert "Added to the timeline" in bot.replies_to("USTAKE")[-1]


def _form_of(bot, user: str, command: str, channel: str) -> dict:
    bot.command(user, command, channel=channel)
    return bot.emu.views(user)[-1]


def test_a_stakeholder_submitting_a_form_is_refused(bot):
    """Forms opened by a member, submitted (validly signed) as the stakeholder: refused on the form."""
    emu = bot.emu
    crisis = _declare(bot)
    declare_form = _form_of(bot, "UEN", "declare", "COPS")
    update_form = _form_of(bot, "UEN", "update", crisis)
    before = _snapshot(bot)
    emu.reset_calls()
    for form, values in ((declare_form, {"title_fr": {"value": "Faux"}, "category": {"value": "x"}}),
                         (update_form, {"text_fr": {"value": "faux"}})):
        d = emu.sign_and_post(_submission(emu, "USTAKE", form, values), FORM)
        assert d.status == 200 and d.json["response_action"] == "errors"
        assert any("Only the crisis unit" in e for e in d.json["errors"].values())
    bot.settle()
    assert _writes(emu) == [] and _snapshot(bot) == before


# Oversized bodies ---------------------------------------------------------------------------------


def _chunked_post(url: str, body: bytes, emu) -> int:
    parts = urlsplit(url)
    ts = str(int(time.time()))
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        conn.request("POST", parts.path, body=(body[i:i + 65536] for i in range(0, len(body), 65536)),
                     encode_chunked=True, headers={
                         "Content-Type": FORM, "Transfer-Encoding": "chunked", "X-Slack-Request-Timestamp": ts,
                         "X-Slack-Signature": signature(emu.signing_secret, ts, body)})
        return conn.getresponse().status
    finally:
        conn.close()


@pytest.mark.any_database  # checked at the door, on any database
@pytest.mark.http_only
def test_a_body_over_one_mebibyte_is_refused_before_bolt(bot, caplog):
    emu = bot.emu
    emu.reset_calls()
    body = _command_body(emu, "UEN", "COPS", "declare P1 " + "x" * MAX_BODY)
    with caplog.at_level(logging.DEBUG, logger="cellule.bolt"):
        assert emu.sign_and_post(body, FORM).status == 413
        bot.settle()
    assert not [r for r in caplog.records if r.name.startswith("cellule.bolt")]  # Bolt never saw it
    assert emu.calls == [] and bot.replies_to("UEN") == []
    # Sent in chunks, without a Content-Length, the same.
    assert _chunked_post(bot.url, body, emu) == 413
    bot.settle()
    assert emu.calls == [] and bot.replies_to("UEN") == []
    # Just under the limit is Bolt's to judge (here: a long, valid command).
    small = _command_body(emu, "UEN", "COPS", "help " + "x" * (MAX_BODY - 4096))
    with caplog.at_level(logging.DEBUG, logger="cellule.bolt"):
        assert emu.sign_and_post(small, FORM).status == 200
        bot.settle()
    assert [r for r in caplog.records if r.name.startswith("cellule.bolt")]  # so the check above can fail


# Secrets ---------------------------------------------------------------------------------------------


@pytest.mark.any_database  # checked at the door, on any database
def test_tokens_and_the_signing_secret_never_reach_the_logs(emulator, database_url, caplog):
    caplog.set_level(logging.DEBUG)
    for name in ("cellule", "slack_bolt", "slack_sdk", "urllib3", "waitress"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    b = Bot(emulator, database_url)
    try:
        b.command("UFR", DECLARE)
        crisis = b.incident_channel()
        b.command("UEN", "update identified FR Cause trouvée EN Cause found", channel=crisis)
        emulator.fail("chat.postMessage", "not_in_channel")
        b.command("UEN", "update monitoring FR Suivi EN Watching", channel=crisis)
    finally:
        b.close()
        for name in ("cellule", "slack_bolt", "slack_sdk", "urllib3", "waitress"):
            logging.getLogger(name).setLevel(logging.NOTSET)
    assert len(caplog.records) > 20  # the bot did log, at DEBUG, Web API calls included
    assert any("chat.postMessage" in r.getMessage() for r in caplog.records)
    secrets = (emulator.bot_token, emulator.signing_secret, emulator.bot_token[len("xoxb-"):])
    for record in caplog.records:
        seen = " ".join([record.getMessage(), repr(record.args), record.exc_text or "",
                         str(getattr(record, "__dict__", ""))])
        for secret in secrets:
            assert secret not in seen, f"{record.name} logged a secret: {record.getMessage()[:200]}"
    for secret in secrets:
        assert secret not in caplog.text
