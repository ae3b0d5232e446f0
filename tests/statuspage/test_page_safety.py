"""The public page is read-only, escapes what people typed, and never shows private or unpublished
incidents, Slack IDs, names or tokens."""

from __future__ import annotations

import json
import re

import feedparser

HOSTILE = ("<script>alert(1)</script> *gras* _it_ <@UEN> <#COPS|ops> <https://evil.example|clic> "
           "**md** [x](javascript:alert(1)) مرحبا بالعالم")


def _all_public(bot) -> dict[str, str]:
    paths = ["/status", "/status/incidents/TSR-2641", "/status/incidents/TSR-2642", "/status/incidents/TSR-2643"]
    paths += [f"/status/history.{k}" for k in ("atom", "rss")]
    paths += [f"/api/v2/{n}" for n in ("summary.json", "status.json", "components.json", "incidents.json",
                                       "incidents/unresolved.json")]
    return {f"{p}?lang={lang}": bot.get(f"{p}?lang={lang}").text for p in paths for lang in ("fr", "en")}


def test_typed_text_is_escaped_and_no_slack_id_name_or_token_is_public(page_bot):
    bot = page_bot
    bot.command("UFR", "component add api FR API <b>publique</b> EN Public <i>API</i>")
    bot.command("UFR", f"declare P1 FR Titre {HOSTILE} EN Title {HOSTILE}")
    public = bot.incident_channel()
    bot.command("UFR", "affects api", channel=public)
    bot.command("UFR", "role commander <@UEN>", channel=public)
    bot.command("UFR", "event 12h00 <@UEN> a relancé le serveur", channel=public)
    bot.command("UFR", "publish", channel=public)
    bot.command("UEN", f"update identified FR {HOSTILE} EN {HOSTILE}", channel=public)
    bot.command("UFR", "postmortem", channel=public)
    bot.command("UFR", "publish postmortem", channel=public)
    # An unpublished incident and a private one (published is refused) stay out of everything.
    bot.command("UFR", "declare P3 FR Secret interne EN Internal secret")
    bot.command("UFR", "declare P1 FR Privé EN Private-only")
    private = bot.incident_channel()
    with bot.rt.deps.db.session() as s:
        from bot.store import incidents as store
        row = store.by_ref(session=s, ref="TSR-2643")
        row.is_private = True
        s.add(row)
    bot.command("UFR", "publish", channel=private)
    assert any("private incident is never shown" in r or "privé" in r.lower() for r in bot.replies_to("UFR"))

    pages = _all_public(bot)
    html = bot.get("/status/incidents/TSR-2641?lang=en").text
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>publique</b>" not in pages["/status?lang=fr"] and "&lt;b&gt;publique&lt;/b&gt;" in pages["/status?lang=fr"]
    assert "مرحبا بالعالم" in html and 'dir="auto"' in html
    assert "clic (https://evil.example)" in html
    assert 'href="javascript' not in html
    # The postmortem is Markdown: the page shows its headings, bold and tables, not their asterisks.
    postmortem = html.split('<div class="text postmortem"', 1)[1].split('<li id="update-', 1)[0]
    assert "<h3>Post Mortem</h3>" in postmortem and "<strong>Incident reference</strong>" in postmortem
    assert "<script>" not in postmortem and "&lt;script&gt;" in postmortem
    secrets = [bot.emu.bot_token, bot.emu.signing_secret, "camille", "Camille", "Martin", "alex", "Alex Smith",
               "UFR", "UEN", "USTAKE", "COPS", "SCRISIS", public, private, "tsr-2641", "Internal secret",
               "Secret interne", "Private-only", "Privé", "commander", "python -m bot", "crisis channel", "canal de crise"]
    for path, body in pages.items():
        for secret in secrets:
            assert secret not in body, f"{secret!r} is public in {path}"
        assert not re.search(r"\b[UWC][A-Z0-9]{8,}\b", body), path
    for lang in ("fr", "en"):
        data = json.loads(pages[f"/api/v2/incidents.json?lang={lang}"])
        assert [i["id"] for i in data["incidents"]] == ["TSR-2641"]
        assert feedparser.parse(pages[f"/status/history.atom?lang={lang}"]).bozo == 0


def test_read_only_and_unknown_references_404_in_the_page_language(page_bot):
    bot = page_bot
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        r = bot.get("/status", method=method)
        assert r.status == 405 and "GET" in r.headers["Allow"]
        assert bot.get("/api/v2/summary.json", method=method).status == 405
    fr = bot.get("/status/incidents/TSR-9999", headers={"Accept-Language": "fr"})
    en = bot.get("/status/incidents/TSR-9999?lang=en")
    assert fr.status == en.status == 404
    assert 'lang="fr"' in fr.text and 'lang="en"' in en.text and fr.text != en.text
    assert "TSR-9999" not in fr.text
    head = bot.get("/status", method="HEAD")
    assert head.status == 200 and head.body == b""
    assert bot.get("/status/nothing/here").status == 404


def test_etag_and_last_modified_give_304_and_a_change_gives_a_new_page(page_bot):
    bot = page_bot
    bot.command("UFR", "component add api FR API EN API")
    first = bot.get("/api/v2/summary.json")
    tag = first.headers["ETag"]
    again = bot.get("/api/v2/summary.json", headers={"If-None-Match": tag})
    assert again.status == 304 and again.body == b""
    since = bot.get("/api/v2/summary.json", headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert since.status == 304
    bot.command("UFR", "component add web FR Site EN Website")
    changed = bot.get("/api/v2/summary.json", headers={"If-None-Match": tag})
    assert changed.status == 200 and changed.headers["ETag"] != tag


def test_only_the_crisis_unit_changes_components_and_publishes(page_bot):
    bot = page_bot
    bot.command("USTAKE", "component add api FR API EN API")
    assert any("crisis unit" in r for r in bot.replies_to("USTAKE"))
    bot.command("UFR", "declare P2 FR Panne EN Outage")
    crisis = bot.incident_channel()
    bot.command("USTAKE", "publish", channel=crisis)
    bot.command("USTAKE", "component list")
    assert "No component yet" in bot.replies_to("USTAKE")[-1]
    assert "TSR-2641" not in bot.get("/status").text
