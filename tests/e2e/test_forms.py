"""Forms (modals): declare, update with ready-made statements, postmortem fields; errors inline on the field."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.store import incidents as store

PARIS = ZoneInfo("Europe/Paris")


def test_declare_form_shows_errors_inline_then_declares(bot):
    emu = bot.emu
    bot.command("UFR", "declare")
    view = emu.views("UFR")[-1]
    assert view["callback_id"] == "declare" and len(view["title"]["text"]) <= 24
    bad = emu.submit_view("UFR", view["id"], {"title_fr": {"value": "Panne"}, "impact_start": {"value": "31/12/2099 10h"}})
    assert bad.json["response_action"] == "errors" and "impact_start" in bad.json["errors"]
    assert "futur" in bad.json["errors"]["impact_start"]  # French for a French-locale user
    assert not [c for c in emu.state.channels.values() if c.name.startswith("tsr-")]
    ok = emu.submit_view("UFR", view["id"], {
        "title_fr": {"value": "Panne réseau"}, "title_en": {"value": "Network outage"},
        "priority": {"value": "P1"}, "responsibility": {"value": "external"},
        "impact_fr": {"value": "Paiements refusés"}, "impact_en": {"value": "Payments declined"},
        "impact_start": {"value": "00:00"}})
    assert ok.status == 200 and not (ok.json or {}).get("response_action")
    bot.settle()
    assert emu.channel_by_name("tsr-2641-panne-reseau") is not None
    with bot.rt.deps.db.session() as s:
        row = store.by_ref(session=s, ref="TSR-2641")
        assert row.priority == "P1" and row.responsibility == "external" and row.impact["en"] == "Payments declined"
    # The author is told where the channel is (a direct message: forms have no response_url).
    assert any("TSR-2641" in m.get("text", "") for ch in emu.state.channels.values() if ch.id.startswith("D")
               for m in emu.messages(ch.id))


def test_update_form_offers_the_ready_made_statement_filled_from_the_incident(bot):
    emu = bot.emu
    bot.clock.set(datetime(2025, 12, 4, 12, 34, tzinfo=PARIS))
    bot.command("UFR", "declare P2 FR Perturbations plateforme de paiement EN Payment platform disruptions")
    ch = bot.incident_channel()
    bot.command("UFR", "set components FR la plateforme de paiement EN the payment platform", channel=ch)
    bot.command("UFR", "impact start 12h08", channel=ch)
    bot.command("UFR", "impact end 12h13", channel=ch)
    bot.command("UEN", "update monitoring", channel=ch)
    view = emu.views("UEN")[-1]
    initial = {b["block_id"]: b["element"].get("initial_value") for b in view["blocks"] if b["type"] == "input"}
    assert initial["text_en"] == ("We have identified ongoing difficulties on the payment platform between 12:08 CET and "
                                  "12:13 CET. The incident is over; monitoring is still in progress.")
    assert initial["text_fr"].startswith("Nous avons rencontré des difficultés sur la plateforme de paiement entre 12h08 CET")
    d = emu.submit_view("UEN", view["id"], {"status": {"value": "monitoring"},
                                            "text_fr": {"value": initial["text_fr"]}, "text_en": {"value": initial["text_en"]}})
    assert d.status == 200
    bot.settle()
    assert "12:13 CET" in str(emu.replies("CINCEN", emu.messages("CINCEN")[0]["ts"])[-1]["blocks"])


def test_update_form_refuses_a_backward_status_inline(bot):
    emu = bot.emu
    bot.command("UFR", "declare P2 Panne")
    ch = bot.incident_channel()
    bot.command("UEN", "update monitoring FR a EN b", channel=ch)
    bot.command("UEN", "update", channel=ch)
    view = emu.views("UEN")[-1]
    d = emu.submit_view("UEN", view["id"], {"status": {"value": "investigating"}, "text_fr": {"value": "x"}})
    assert d.json["response_action"] == "errors" and "status" in d.json["errors"]


def test_postmortem_form_fills_missing_fields(bot):
    emu = bot.emu
    bot.command("UFR", "declare P2 FR Panne EN Outage")
    ch = bot.incident_channel()
    bot.command("UFR", "postmortem", channel=ch)
    reply = next(e for e in reversed(emu.ephemerals("UFR")) if "postmortem_form" in str(e.get("blocks")))
    assert "à compléter" in reply["text"].lower() or "compléter" in reply["text"]
    value = next(el["value"] for b in reply["blocks"] if b["type"] == "actions" for el in b["elements"])
    emu.click_ephemeral("UFR", reply, "postmortem_form", value)
    bot.settle()
    view = emu.views("UFR")[-1]
    emu.submit_view("UFR", view["id"], {"cause_fr": {"value": "Serveur défaillant"}, "cause_en": {"value": "Faulty server"}})
    bot.settle()
    with bot.rt.deps.db.session() as s:
        assert store.by_ref(session=s, ref="TSR-2641").cause == {"fr": "Serveur défaillant", "en": "Faulty server"}


def test_a_slow_language_lookup_does_not_cost_the_form(bot):
    """users.info only picks the reply language: when Slack is slow, the form opens anyway (trigger_id lives 3 s)."""
    bot.emu.delay("users.info", 3.5)
    bot.command("UEN", "declare")
    views = bot.emu.views("UEN")
    assert views and views[-1]["callback_id"] == "declare"
    assert not [r for r in bot.replies_to("UEN") if "wrong" in r or "erreur" in r]


def test_a_private_incident_is_hidden_from_people_who_may_not_change_it(bot):
    emu = bot.emu
    bot.command("UFR", "declare")
    view = emu.views("UFR")[-1]
    emu.submit_view("UFR", view["id"], {"title_fr": {"value": "Fuite de données"}, "private": {"value": ["private"]}})
    bot.settle()
    channel = emu.channel_by_name("tsr-2641-fuite-de-donnees")
    assert channel is not None and channel.is_private
    emu.post_message("UFR", channel.id, "secret: client ACME touché")
    bot.settle()
    for text in ("status TSR-2641", "timeline TSR-2641", "list"):
        bot.command("USTAKE", text)
    status, timeline, listing = bot.replies_to("USTAKE")
    assert "TSR-2641" in status and "ACME" not in status and "Fuite" not in status  # "there is no incident"
    assert "ACME" not in timeline and "TSR-2641" in timeline
    assert "TSR-2641" not in listing
    bot.command("UEN", "timeline TSR-2641")  # the crisis unit reads it
    assert "ACME" in bot.replies_to("UEN")[-1]
