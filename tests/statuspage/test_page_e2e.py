"""Declare, publish, update and resolve through signed Slack commands; then read the public page,
its feeds and its JSON in both languages."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import feedparser

UPDATE = ("FR Nous avons rencontré des difficultés sur la plateforme de paiement entre 12h08 et 12h13. "
          "EN We have identified ongoing difficulties on the payment platform between 12.08 and 12.13 CET.")


def _setup(bot):
    bot.clock.set(datetime(2025, 12, 4, 11, 10, tzinfo=timezone.utc))
    bot.command("UFR", "component add ecommerce FR Processing e-commerce EN E-commerce processing")
    bot.command("UFR", "component add instore FR Paiements en magasin EN In-store payments")
    bot.command("UFR", "declare P2 FR Perturbations plateforme de paiement EN Payment platform disruptions")
    return bot.incident_channel()


def test_nothing_is_public_until_published_then_everything_in_both_languages(page_bot):
    bot = page_bot
    crisis = _setup(bot)
    bot.command("UFR", "affects ecommerce", channel=crisis)
    assert "TSR-2641" not in bot.get("/status?lang=en").text
    assert bot.get("/status/incidents/TSR-2641?lang=en").status == 404
    assert json.loads(bot.get("/api/v2/incidents.json").body)["incidents"] == []

    bot.command("UFR", "publish", channel=crisis)
    bot.clock.set(datetime(2025, 12, 4, 11, 34, tzinfo=timezone.utc))
    bot.command("UEN", f"update monitoring {UPDATE}", channel=crisis)

    fr = bot.get("/status?lang=fr")
    assert fr.status == 200 and 'lang="fr"' in fr.text
    assert "Perturbations plateforme de paiement" in fr.text and "Processing e-commerce" in fr.text
    en = bot.get("/status", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert 'lang="en"' in en.text and "Payment platform disruptions" in en.text and "partial outage" in en.text
    assert "We have identified ongoing difficulties" in en.text  # the latest update, under active incidents

    page = bot.get("/status/incidents/TSR-2641?lang=en").text
    assert "We have identified ongoing difficulties" in page and "Nous avons rencontré" in page
    assert "E-commerce processing" in page

    summary = json.loads(bot.get("/api/v2/summary.json?lang=en").body)
    assert summary["status"]["indicator"] == "major"
    assert summary["components"][0]["status"] == "partial_outage"
    [incident] = summary["incidents"]
    assert incident["name"] == "Payment platform disruptions" and incident["impact"] == "major"
    assert incident["incident_updates"][0]["status"] == "monitoring"
    assert incident["incident_updates"][0]["display_at"].startswith("2025-12-04T12:34")

    bot.clock.set(datetime(2025, 12, 4, 14, 44, tzinfo=timezone.utc))
    bot.command("UFR", "resolve", channel=crisis)
    summary = json.loads(bot.get("/api/v2/summary.json?lang=fr").body)
    assert summary["status"] == {"indicator": "none", "description": "All Systems Operational"}
    assert summary["incidents"] == [] and summary["components"][0]["status"] == "operational"
    done = bot.get("/status/incidents/TSR-2641?lang=en").text
    assert "lasting 3h 34m" in done, done

    for lang in ("fr", "en"):
        for kind in ("atom", "rss"):
            feed = feedparser.parse(bot.get(f"/status/history.{kind}?lang={lang}").body)
            assert not feed.bozo, feed.bozo_exception
            assert len(feed.entries) == 2
    atom = feedparser.parse(bot.get("/status/history.atom?lang=fr").body)
    assert "Nous avons rencontré" in atom.entries[-1].summary

    bot.command("UFR", "unpublish", channel=crisis)
    assert "TSR-2641" not in bot.get("/status?lang=en").text
    assert bot.get("/status/incidents/TSR-2641").status == 404


def test_the_forms_publish_and_say_plainly_when_an_update_is_public(page_bot):
    bot = page_bot
    emu = bot.emu
    bot.command("UFR", "declare")
    view = emu.views("UFR")[-1]
    assert "publish" in [b.get("block_id") for b in view["blocks"]]
    emu.submit_view("UFR", view["id"], {"title_fr": {"value": "Panne réseau"}, "title_en": {"value": "Network outage"},
                                        "publish": {"value": ["publish"]}})
    bot.settle()
    assert "Network outage" in bot.get("/status?lang=en").text
    crisis = bot.incident_channel()
    bot.command("UEN", "update identified", channel=crisis)
    form = emu.views("UEN")[-1]
    says = [e["text"] for b in form["blocks"] if b["type"] == "context" for e in b["elements"]]
    assert any("public status page" in t for t in says)
    assert "publish" not in [b.get("block_id") for b in form["blocks"]]
    # Not published: the update form offers the box; ticking it publishes before the update is posted.
    bot.command("UFR", "declare P3 FR Lenteurs EN Slowness")
    other = bot.incident_channel()
    bot.command("UEN", "update identified", channel=other)
    form = emu.views("UEN")[-1]
    assert "publish" in [b.get("block_id") for b in form["blocks"]]
    emu.submit_view("UEN", form["id"], {"status": {"value": "identified"}, "text_fr": {"value": "Trouvé"},
                                        "text_en": {"value": "Found it"}, "publish": {"value": ["publish"]}})
    bot.settle()
    page = bot.get("/status/incidents/TSR-2642?lang=en")
    assert page.status == 200 and "Found it" in page.text


def test_a_component_removed_from_the_catalog_stays_on_the_incidents_that_affected_it(page_bot):
    bot = page_bot
    crisis = _setup(bot)
    bot.command("UFR", "affects ecommerce,instore", channel=crisis)
    bot.command("UFR", "publish", channel=crisis)
    bot.command("UFR", "component list")
    listed = bot.replies_to("UFR")[-1]
    assert "ecommerce" in listed and "Processing e-commerce" in listed and "instore" in listed, listed

    bot.command("UFR", "component remove instore")  # while the incident that affects it is active
    bot.command("UFR", "component list")
    listed = bot.replies_to("UFR")[-1]
    assert "ecommerce" in listed and "instore" not in listed, listed
    for path in ("/status", "/status/incidents/TSR-2641", "/api/v2/summary.json", "/api/v2/status.json",
                 "/api/v2/components.json", "/api/v2/incidents.json", "/api/v2/incidents/unresolved.json",
                 "/status/history.atom"):
        assert bot.get(f"{path}?lang=en").status == 200, path
    summary = json.loads(bot.get("/api/v2/summary.json?lang=en").body)
    assert [c["id"] for c in summary["components"]] == ["ecommerce"]
    [incident] = summary["incidents"]
    assert {c["id"]: c["status"] for c in incident["components"]} == {"ecommerce": "partial_outage",
                                                                    "instore": "partial_outage"}
    assert "In-store payments" in bot.get("/status/incidents/TSR-2641?lang=en").text

    bot.command("UFR", "resolve", channel=crisis)
    [done] = json.loads(bot.get("/api/v2/incidents.json?lang=en").body)["incidents"]
    assert {c["id"]: c["status"] for c in done["components"]} == {"ecommerce": "operational", "instore": "operational"}


def test_an_update_shows_at_the_time_its_author_typed(page_bot):
    """`update monitoring 12h34 FR … EN …` posted at 12h40: shown at 12h34 (Statuspage's display_at),
    created at 12h40; a time inside the text, or text before the codes, stays text."""
    bot = page_bot
    crisis = _setup(bot)
    bot.command("UFR", "publish", channel=crisis)
    bot.clock.set(datetime(2025, 12, 4, 11, 40, tzinfo=timezone.utc))
    bot.command("UEN", f"update monitoring 12h34 {UPDATE}", channel=crisis)
    bot.command("UEN", "update monitoring Dès 12h45 FR Suivi EN Watching", channel=crisis)
    [incident] = json.loads(bot.get("/api/v2/incidents.json?lang=fr").body)["incidents"]
    later, typed = incident["incident_updates"][:2]
    assert typed["display_at"].startswith("2025-12-04T12:34") and typed["created_at"].startswith("2025-12-04T12:40")
    assert typed["body"].startswith("Nous avons rencontré des difficultés")  # the time is not part of the text
    assert later["display_at"].startswith("2025-12-04T12:40") and later["body"] == "Dès 12h45 Suivi"
    page = bot.get("/status/incidents/TSR-2641?lang=en").text
    assert "12:34" in page and page.index("Watching") < page.index("We have identified")  # newest first

    # Reminders count from when the update was posted (12h40), not from the time it shows (12h34).
    from bot.flows import reminders
    from bot.store import incidents as store

    with bot.rt.deps.db.session() as s:
        facts = reminders.facts(bot.rt.deps, s, store.open_incidents(session=s)[0])
    assert facts.last_update_at == datetime(2025, 12, 4, 11, 40, tzinfo=timezone.utc)

    bot.clock.set(datetime(2025, 12, 4, 11, 41, tzinfo=timezone.utc))
    bot.command("UEN", "update monitoring 4/12 18h00 FR Plus tard EN Later", channel=crisis)
    assert "in the future" in bot.replies_to("UEN")[-1]
    bot.command("UEN", "update monitoring 11h00 FR Avant EN Before", channel=crisis)  # declared at 12h10
    assert "cannot be dated before the incident was declared" in bot.replies_to("UEN")[-1]
    assert "Later" not in bot.get("/status/incidents/TSR-2641?lang=en").text
    assert "Before" not in bot.get("/status/incidents/TSR-2641?lang=en").text
    bot.command("UEN", "update monitoring 25/12 maintenance FR prévue EN planned", channel=crisis)
    assert bot.replies_to("UEN")[-1].startswith("Update posted"), bot.replies_to("UEN")[-1]
    [incident] = json.loads(bot.get("/api/v2/incidents.json?lang=fr").body)["incidents"]
    assert "25/12 maintenance prévue" in [u["body"] for u in incident["incident_updates"]]  # a date in the text



def test_a_translation_added_to_an_update_reaches_the_page(page_bot):
    """The update posted in French only, its English added from the form afterwards: the public page
    (which re-reads the database only when the incident was stamped) shows it."""
    bot, emu = page_bot, page_bot.emu
    crisis = _setup(bot)
    bot.command("UFR", "publish", channel=crisis)
    bot.clock.set(datetime(2025, 12, 4, 11, 34, tzinfo=timezone.utc))
    bot.command("UFR", "update identified Serveur défaillant chez un prestataire", channel=crisis)
    assert "Serveur défaillant" in bot.get("/status/incidents/TSR-2641?lang=en").text
    bot.clock.set(datetime(2025, 12, 4, 11, 36, tzinfo=timezone.utc))
    button = next(e for e in reversed(emu.ephemerals("UFR")) if "add_translation" in str(e.get("blocks")))
    value = next(el["value"] for b in button["blocks"] if b["type"] == "actions" for el in b["elements"])
    emu.click_ephemeral("UFR", button, "add_translation", value)
    bot.settle()
    assert emu.submit_view("UFR", emu.views("UFR")[-1]["id"], {"text_en": {"value": "Faulty server"}}).status == 200
    bot.settle()
    assert "Faulty server" in bot.get("/status/incidents/TSR-2641?lang=en").text


def test_an_impact_start_before_the_declaration_lengthens_the_incident_on_the_page(page_bot):
    """The page's duration starts at the first customer impact: typing it later shows at once."""
    bot = page_bot
    crisis = _setup(bot)  # declared at 12h10
    bot.command("UFR", "publish", channel=crisis)
    bot.clock.set(datetime(2025, 12, 4, 11, 40, tzinfo=timezone.utc))
    bot.command("UFR", "resolve", channel=crisis)
    assert "lasting 30m" in bot.get("/status/incidents/TSR-2641?lang=en").text
    bot.clock.set(datetime(2025, 12, 4, 11, 45, tzinfo=timezone.utc))
    bot.command("UFR", "impact 11h50 - 12h05", channel=crisis)
    assert "lasting 50m" in bot.get("/status/incidents/TSR-2641?lang=en").text


def test_an_incident_older_than_90_days_leaves_the_front_page_for_the_history_page(page_bot):
    bot = page_bot
    crisis = _setup(bot)
    bot.command("UFR", "publish", channel=crisis)
    bot.clock.set(datetime(2025, 12, 4, 14, 44, tzinfo=timezone.utc))
    bot.command("UFR", "resolve", channel=crisis)
    assert "TSR-2641" in bot.get("/status?lang=en").text

    bot.clock.set(datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc))  # a year later, as in the playground
    front = bot.get("/status?lang=en").text
    assert "TSR-2641" not in front and "No incident reported in the last 90 days." in front
    assert '<a href="/status/en/history/">Incident history</a>' in front
    for path in ("/status/history?lang=fr", "/status/fr/history/"):
        fr = bot.get(path)
        assert fr.status == 200 and 'lang="fr"' in fr.text and "historique des incidents" in fr.text
        assert "<h2>Décembre 2025</h2>" in fr.text
        assert 'href="/status/fr/incidents/TSR-2641/"' in fr.text and "Perturbations plateforme de paiement" in fr.text
        assert "3 h 34 min" in fr.text  # how long it lasted
    en = bot.get("/status/en/history/").text
    assert "<h2>December 2025</h2>" in en and "Payment platform disruptions" in en and "3h 34m" in en
    assert 'href="/status/fr/history/"' in en  # the language switch stays on the history


def test_the_history_says_so_when_nothing_was_ever_published(page_bot):
    bot = page_bot
    _setup(bot)  # declared, never published
    for lang, words in (("fr", "Aucun incident signalé pour l’instant."), ("en", "No incident reported yet.")):
        page = bot.get(f"/status/{lang}/history/").text
        assert words in page and "TSR-2641" not in page
