"""`python -m bot status-page export DIR` writes exactly the bytes the live routes serve."""

from __future__ import annotations

import json

from bot import cli
from tests.e2e.harness import env_for


def test_export_equals_the_live_routes(page_bot, tmp_path, monkeypatch):
    bot = page_bot
    bot.command("UFR", "component add api FR Paiements EN Payments")
    bot.command("UFR", "declare P2 FR Panne EN Outage")
    crisis = bot.incident_channel()
    bot.command("UFR", "affects api major_outage", channel=crisis)
    bot.command("UFR", "publish", channel=crisis)
    bot.command("UFR", "update identified FR Trouvé EN Found", channel=crisis)
    bot.command("UFR", "resolve", channel=crisis)
    bot.command("UFR", "publish postmortem", channel=crisis)

    env = env_for(bot.emu, bot.settings.database_url, STATUS_PAGE="on", STATUS_PAGE_NAME="Dalenys",
                  PUBLIC_URL="https://status.example.com")
    for k in list(__import__("os").environ):
        if k.startswith(("STATUS", "PUBLIC_URL", "INCIDENT_", "SLACK_")):
            monkeypatch.delenv(k, raising=False)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    out = tmp_path / "site"
    assert cli.main(["status-page", "export", str(out)]) == 0

    files = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert "status/index.html" in files and "status/en/incidents/TSR-2641/index.html" in files
    assert "api/v2/summary.json" in files and "api/v2/en/incidents/unresolved.json" in files
    compared = 0
    for file, url in bot.rt.site.export_paths():
        live = bot.get(url)
        assert live.status == 200, url
        assert files[file] == live.body, f"{file} differs from GET {url}"
        compared += 1
    assert compared == len(files) - 1  # every file but the 404 page
    # The contract's paths with ?lang= serve the same bytes as the per-language files.
    assert bot.get("/status/incidents/TSR-2641?lang=en").body == files["status/en/incidents/TSR-2641/index.html"]
    assert bot.get("/api/v2/summary.json?lang=en").body == files["api/v2/en/summary.json"]
    pm = json.loads(files["api/v2/en/incidents.json"])["incidents"][0]
    assert pm["status"] == "postmortem" and pm["incident_updates"][0]["status"] == "postmortem"


def test_export_refuses_an_unmigrated_database(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'none.db'}")
    assert cli.main(["status-page", "export", str(tmp_path / "x")]) == 2
