"""The playground without a browser: one port for the bot, the emulator and the page; the JSON state
endpoint; its own database; and plain `python -m bot` without a token starting it with a notice."""

from __future__ import annotations

import html as markup
import json
import re
import sqlite3
import urllib.request

import pytest

from tests import forked
from tests.playground.conftest import ROOT, start, stop


@pytest.fixture(scope="module")
def plain(tmp_path_factory):
    """Plain `python -m bot`, no SLACK_BOT_TOKEN, a DATABASE_URL that must stay untouched."""
    tmp = tmp_path_factory.mktemp("plain")
    production = tmp / "production.db"
    pg = start(tmp, DATABASE_URL=f"sqlite:///{production}")
    try:
        yield pg, production
        assert pg.state()["violations"] == [], "the bot made calls Slack would refuse"
    finally:
        stop(pg)


def test_plain_run_without_token_is_the_playground_with_a_notice(plain):
    pg, _ = plain
    lines = pg.output().splitlines()
    notices = [line for line in lines if "SLACK_BOT_TOKEN" in line]
    assert len(notices) == 1 and "playground" in notices[0]
    assert any(pg.url in line for line in lines)


def test_one_port_serves_the_page_the_bot_and_the_emulator(plain):
    pg, _ = plain
    status, headers, body = pg.get("/")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert b"/static/app.js" in body and "default-src 'self'" in headers["Content-Security-Policy"]
    assert pg.get("/static/app.js")[0] == 200 and pg.get("/static/../app.py")[0] == 404
    # The bot: health check, and /slack/events refuses an unsigned request as in production.
    status, _, body = pg.get("/healthz")
    assert status == 200 and json.loads(body)["ok"] is True
    unsigned = urllib.request.Request(pg.url + "slack/events", data=b"command=/incident&text=help", method="POST")
    try:
        urllib.request.urlopen(unsigned, timeout=10)
        raise AssertionError("an unsigned request was accepted")
    except urllib.error.HTTPError as e:
        assert e.code == 401
    # The emulator's Web API, mounted under /slack-api/: it wants the bot token, like Slack.
    status, _, body = pg.get("/slack-api/api/auth.test")
    assert status == 200 and json.loads(body) == {"ok": False, "error": "not_authed"}


def test_state_shows_the_replayed_example_incident(plain):
    pg, _ = plain
    state = pg.state()
    assert state["ready"] is True and state["replay_error"] is None
    names = [c["name"] for c in state["channels"]]
    assert names[:3] == ["ops", "incidents-fr", "incidents-en"]
    crisis = pg.channel("tsr-2641-")
    assert crisis["id"] == state["example"] and "TSR-2641" in crisis["topic"]
    assert crisis["pins"] and crisis["bookmarks"]
    assert "Référence incident" in crisis["canvas"]["markdown"]
    files = [f for m in crisis["messages"] for f in m.get("files", [])]
    assert [f["name"] for f in files] == ["TSR-2641-postmortem.md"]
    # The file downloads as the Markdown the canvas shows.
    status, headers, body = pg.get(files[0]["url"])
    assert status == 200 and "attachment" in headers["Content-Disposition"]
    assert body.decode().strip() == crisis["canvas"]["markdown"].strip()
    # Stakeholders: the announcement, with the updates in its thread.
    en = pg.channel("incidents-en")
    assert en["messages"][0]["reply_count"] >= 3 and len(en["messages"][0]["replies"]) == en["messages"][0]["reply_count"]
    # The replay's own replies to its typist are not left on screen.
    assert state["ephemerals"] == []
    people = {p["id"]: p for p in state["people"]}
    assert people["UCAMILLE"]["crisis_unit"] and not people["USAM"]["crisis_unit"]
    assert {p["locale"][:2] for p in state["people"]} == {"fr", "en"}


def test_replies_only_the_caller_sees_are_in_their_state_only(plain):
    pg, _ = plain
    status, answer = pg.do("send", user="USAM", channel="COPS", text="/incident help")
    assert status == 200 and answer["ok"], answer
    sam = pg.state("USAM")["ephemerals"]
    assert any("/incident" in e["text"] for e in sam) and all(e["channel"] == "COPS" for e in sam)
    assert pg.state("UCAMILLE")["ephemerals"] == []


def test_the_home_tab_opens_for_the_person_in_their_language(plain):
    pg, _ = plain
    assert pg.state("UCAMILLE")["home"] is None
    status, answer = pg.do("home", user="UCAMILLE")
    assert status == 200 and answer["ok"], answer
    home = pg.state("UCAMILLE")["home"]  # actions answer once the bot has settled
    assert home["type"] == "home" and "Incidents ouverts" in json.dumps(home, ensure_ascii=False)


def test_actions_refuse_what_slack_would_refuse(plain):
    pg, _ = plain
    assert pg.do("send", user="UNOBODY", channel="COPS", text="hello")[0] == 400
    status, answer = pg.do("send", user="USAM", channel="COPS", text="/deploy now")
    assert status == 400 and "/deploy" in answer["error"]
    crisis = pg.channel("tsr-2641-")
    assert "USAM" not in crisis["members"]  # the stakeholder is not in the crisis unit
    status, answer = pg.do("send", user="USAM", channel=crisis["id"], text="hello")
    assert status == 400 and "not a member" in answer["error"]


def test_the_data_is_in_its_own_database(plain):
    pg, production = plain
    assert not production.exists(), "the playground wrote to DATABASE_URL's database"
    own = pg.database
    with sqlite3.connect(own) as db:
        tables = {r[0] for r in db.execute("select name from sqlite_master where type='table'")}
    assert tables, "the playground's database has no tables"
    # The CLI reads the playground's database like any other: the example's postmortem is there.
    out = forked.run(["-m", "bot", "postmortem", "TSR-2641", "--lang", "en"], cwd=pg.cwd,
                     env={"DATABASE_URL": f"sqlite:///{own}", "INCIDENT_PREFIX": "TSR", "PATH": "/usr/bin:/bin",
                          "PYTHONPATH": str(ROOT)}, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "4 December 12:08pm: start of the incident." in out.stdout


def test_playground_database_may_not_be_database_url(tmp_path):
    url = f"sqlite:///{tmp_path / 'same.db'}"
    out = forked.run(["-m", "bot", "playground"], cwd=tmp_path, capture_output=True, text=True,
                     env={"DATABASE_URL": url, "PLAYGROUND_DATABASE_URL": url, "PATH": "/usr/bin:/bin",
                          "PYTHONPATH": str(ROOT), "PORT": "0"}, timeout=60)
    assert out.returncode == 2
    assert out.stderr.strip().splitlines()[-1].startswith("cellule: PLAYGROUND_DATABASE_URL must not be DATABASE_URL")
    assert not (tmp_path / "same.db").exists()


def test_the_playground_takes_incident_languages(tmp_path):
    """INCIDENT_LANGUAGES=fr,en,es: a Spanish-speaking person and a Spanish stakeholder channel, and
    the example replayed into it; she is answered in Spanish."""
    pg = start(tmp_path, INCIDENT_LANGUAGES="fr,en,es")
    try:
        state = pg.state()
        spanish = [p for p in state["people"] if p["locale"].startswith("es")]
        assert len(spanish) == 1 and spanish[0]["crisis_unit"]
        assert {"incidents-fr", "incidents-en", "incidents-es"} <= {c["name"] for c in state["channels"]}
        es = pg.channel("incidents-es")
        assert es["messages"], "the example incident is announced in the Spanish channel too"
        status, _ = pg.do("send", user=spanish[0]["id"], channel="COPS", text="/incident help")
        assert status == 200
        told = [e["text"] for e in pg.state(spanish[0]["id"])["ephemerals"]]
        assert any("gestión de incidentes" in t for t in told), told
    finally:
        stop(pg)


def html_text(page: str) -> str:
    """What a reader sees of a page: its text, with the markup and the spacing gone."""
    return markup.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", re.sub(r"<style.*?</style>", "", page, flags=re.S))))


def test_the_status_page_shows_the_example_incident_in_both_languages(plain):
    pg, _ = plain
    status, headers, page = pg.get("/status/incidents/TSR-2641?lang=en")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    html = page.decode()
    assert "Perturbations plateforme de paiement" in html and "Payment platform disruptions" in html
    assert "E-commerce processing" in html
    # As long as the postmortem's whole duration: from the first impact (12h08), not the declaration.
    assert "lasting 5h 22m" in html and "Whole duration: 5h 22m" in html
    assert "We have identified ongoing difficulties" in html and "Nous avons rencontré des difficultés" in html
    assert "The exact origin, linked to an external provider, is still under analysis." in html
    # The example page's updates at its times (11:34, 13:28 and 15:08 UTC), then the recurrence the
    # example page never showed (only its postmortem did), newest first.
    text = html_text(html)
    shown = re.findall(r"(investigating|identified|monitoring|resolved|postmortem) · 04/12/2025 (\d\d:\d\d) CET", text)
    assert shown == [("postmortem", "17:30"), ("resolved", "17:30"), ("investigating", "16:59"), ("resolved", "16:08"),
                     ("monitoring", "14:28"), ("monitoring", "12:34")], shown
    assert "Post Mortem" in html  # the postmortem was published too
    fr = pg.get("/status/incidents/TSR-2641?lang=fr")[2].decode()
    assert 'lang="fr"' in fr and "Processing e-commerce" in fr and "d’une durée de" in fr
    assert pg.get("/status")[0] == 200


def test_two_playgrounds_keep_their_own_databases_or_the_second_refuses(tmp_path, monkeypatch):
    """A second playground on another PORT never wipes the first one's data (issue 14)."""
    import pytest

    from bot.config import ConfigError
    from bot.playground.app import Playground

    monkeypatch.chdir(tmp_path)
    first = Playground({}, port=0, replay=False)
    try:
        path = first.settings.database_url[len("sqlite:///"):]
        with sqlite3.connect(path) as db:
            db.execute("create table marker (x)")
        second = Playground({}, port=0, replay=False)
        second.close()
        with sqlite3.connect(path) as db:
            assert db.execute("select name from sqlite_master where name='marker'").fetchall()
        # The same database named for both: the second refuses, with one clear line.
        with pytest.raises(ConfigError, match="already used by another playground"):
            Playground({"PLAYGROUND_DATABASE_URL": first.settings.database_url}, port=0, replay=False)
        with sqlite3.connect(path) as db:
            assert db.execute("select name from sqlite_master where name='marker'").fetchall()
    finally:
        first.close()
