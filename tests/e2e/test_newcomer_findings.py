"""What a new user found (issue 14): stuck states, input grammar, replies."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.core.impact import impact_windows
from bot.flows.postmortem import compile_markdown
from bot.store import incidents as store
from bot.store import timeline as tl

PARIS = ZoneInfo("Europe/Paris")


def _declare(bot, title="FR Panne paiement EN Payment outage"):
    bot.command("UFR", f"declare P2 {title}")
    return bot.incident_channel()


def _incident(bot):
    with bot.rt.deps.db.session() as s:
        return store.to_incident(store.by_ref(session=s, ref="TSR-2641"))


def _entries(bot):
    with bot.rt.deps.db.session() as s:
        return tl.entries(session=s, incident_id=store.by_ref(session=s, ref="TSR-2641").id)


def test_resolving_closes_the_open_impact_window_says_so_and_reopen_still_works(bot, clock):
    clock.set(datetime(2026, 11, 30, 15, 0, tzinfo=PARIS))
    ch = _declare(bot)
    bot.command("UFR", "impact start 14h00", channel=ch)
    bot.command("UFR", "resolve", channel=ch)
    reply = bot.replies_to("UFR")[-1]
    assert "14h00" in reply and "15h00" in reply, reply  # which window was closed, and when
    windows = impact_windows(_entries(bot))
    assert len(windows) == 1 and windows[0].end is not None
    markdown, _ = compile_markdown(bot.rt.deps, "TSR-2641")
    assert "en cours" not in markdown and "ongoing" not in markdown
    clock.set(datetime(2026, 11, 30, 15, 30, tzinfo=PARIS))
    bot.command("UFR", "reopen", channel=ch)
    assert _incident(bot).status.value == "investigating", bot.replies_to("UFR")[-1]


def test_an_incident_resolved_with_impact_still_open_can_be_reopened(bot, clock):
    """Incidents left in that state by older versions are not stuck either."""
    from bot.core.model import Entry, EntryKind

    clock.set(datetime(2026, 11, 30, 15, 0, tzinfo=PARIS))
    ch = _declare(bot)
    bot.command("UFR", "resolve", channel=ch)
    with bot.rt.deps.db.session() as s:
        row = store.by_ref(session=s, ref="TSR-2641")
        tl.add(session=s, incident_id=row.id, now=clock(), entry=Entry(
            kind=EntryKind.IMPACT_START, at=datetime(2026, 11, 30, 14, 0, tzinfo=PARIS), key=True))
    bot.command("UFR", "reopen", channel=ch)
    assert _incident(bot).status.value == "investigating", bot.replies_to("UFR")[-1]


def test_a_window_ending_before_it_starts_says_so(bot, clock):
    clock.set(datetime(2026, 11, 30, 15, 0, tzinfo=PARIS))
    ch = _declare(bot)
    bot.command("UFR", "impact 12h00 - 11h00", channel=ch)
    reply = bot.replies_to("UFR")[-1]
    assert "futur" not in reply and "avant" in reply, reply
    bot.command("UFR", "impact 14h50 - 15h30", channel=ch)  # genuinely in the future
    assert "futur" in bot.replies_to("UFR")[-1]
    assert impact_windows(_entries(bot)) == []


def test_the_monitoring_statement_does_not_say_over_while_impact_is_running(bot, clock):
    clock.set(datetime(2026, 11, 30, 15, 0, tzinfo=PARIS))
    ch = _declare(bot)
    bot.command("UFR", "impact start 14h00", channel=ch)
    bot.command("UEN", "update monitoring", channel=ch)
    view = bot.emu.views("UEN")[-1]
    initial = {b["block_id"]: b["element"].get("initial_value") for b in view["blocks"] if b["type"] == "input"}
    assert "terminé" not in initial["text_fr"] and "over" not in initial["text_en"], initial
    assert "since 14:00" in initial["text_en"]


def test_a_time_long_before_the_declaration_is_refused_unless_the_year_is_typed(bot, clock):
    clock.set(datetime(2026, 11, 30, 15, 0, tzinfo=PARIS))
    ch = _declare(bot)
    bot.command("UEN", "event Dec 4 12:08pm the old alert", channel=ch)
    reply = bot.replies_to("UEN")[-1]
    assert "2025-12-04" in reply and "year" in reply, reply
    bot.command("UFR", "impact start 4 décembre 12h08", channel=ch)
    assert "2025-12-04" in bot.replies_to("UFR")[-1]
    bot.command("UFR", "impact 4 décembre 12h08 - 12h13", channel=ch)
    assert "2025-12-04" in bot.replies_to("UFR")[-1]
    assert not [e for e in _entries(bot) if e.at.year == 2025]
    bot.command("UEN", "event 04/12/2025 12h08 the old alert, on purpose", channel=ch)  # the year says it is meant
    bot.command("UEN", "event 28/11 09h00 two days before: fine", channel=ch)
    assert len([e for e in _entries(bot) if e.kind.value == "event"]) == 2


def test_an_action_typed_language_by_language_is_read_and_the_reply_shows_how(bot):
    ch = _declare(bot)
    bot.command("UEN", "action FR Détection lente => Ajouter une alerte EN Slow detection => Add an alert", channel=ch)
    with bot.rt.deps.db.session() as s:
        actions = store.actions(session=s, incident_id=store.by_ref(session=s, ref="TSR-2641").id)
    assert [(a.symptom, a.action) for a in actions] == [
        ({"fr": "Détection lente", "en": "Slow detection"}, {"fr": "Ajouter une alerte", "en": "Add an alert"})]
    reply = bot.replies_to("UEN")[-1]
    assert "Slow detection" in reply and "Add an alert" in reply and "Ajouter une alerte" in reply, reply


def test_stakeholders_hear_of_the_postmortem_once_then_only_when_it_changed(bot):
    ch = _declare(bot)

    def notices():
        thread = bot.emu.replies("CINCEN", bot.emu.messages("CINCEN")[0]["ts"])
        return [m for m in thread if "postmortem" in m.get("text", "").lower()]

    bot.command("UFR", "postmortem", channel=ch)
    bot.command("UFR", "postmortem", channel=ch)
    assert len(notices()) == 1
    bot.command("UFR", "set cause FR Un serveur EN A server", channel=ch)
    bot.command("UFR", "postmortem", channel=ch)
    assert len(notices()) == 2


def test_an_unknown_subcommand_is_named_the_closest_suggested_and_the_text_kept(bot):
    bot.command("UEN", "updte monitoring FR Tout va mieux EN Getting better")
    text = bot.replies_to("UEN")[-1]
    assert "“updte”" in text and "`update`" in text, text
    assert "updte monitoring FR Tout va mieux EN Getting better" in text  # nothing typed is lost
    bot.command("UFR", "frobnicate now")
    text = bot.replies_to("UFR")[-1]
    assert "« frobnicate »" in text and "frobnicate now" in text, text
    bot.command("UEN", "help")
    assert "updte" not in bot.replies_to("UEN")[-1]


def test_a_role_for_a_user_who_does_not_exist_is_refused_before_saving(bot):
    ch = _declare(bot)
    bot.command("UFR", "role commander <@U999>", channel=ch)
    reply = bot.replies_to("UFR")[-1]
    assert "U999" in reply and "user_not_found" not in reply and "n’existe" in reply, reply
    assert "U999" not in _incident(bot).roles.values()
    bot.command("UEN", "role scribe <@UEN>", channel=ch)
    assert _incident(bot).roles["scribe"] == "UEN"


def _translate(bot, user, text_en):
    """Click the latest add-translation button shown to `user`, submit the form; the form's view."""
    emu = bot.emu
    button_msg = next(e for e in reversed(emu.ephemerals(user)) if "add_translation" in str(e.get("blocks")))
    value = next(el["value"] for b in button_msg["blocks"] if b["type"] == "actions" for el in b["elements"])
    emu.click_ephemeral(user, button_msg, "add_translation", value)
    bot.settle()
    view = emu.views(user)[-1]
    assert emu.submit_view(user, view["id"], {"text_en": {"value": text_en}}).status == 200
    bot.settle()
    return view


def test_the_translation_form_cancels_in_words_and_saving_retires_the_button(bot):
    ch = _declare(bot)
    bot.command("UFR", "update identified Serveur défaillant chez un prestataire", channel=ch)
    view = _translate(bot, "UFR", "Faulty server at a provider")
    assert view["close"]["text"] == "Annuler"
    assert not [e for e in bot.emu.ephemerals("UFR") if "add_translation" in str(e.get("blocks"))]


def test_an_event_without_every_language_offers_the_translation_and_gets_it(bot):
    ch = _declare(bot)
    bot.command("UFR", "event Alertes levées sur le lien acquéreur", channel=ch)
    view = _translate(bot, "UFR", "Alerts raised on the acquirer link")
    assert view["close"]["text"] == "Annuler"
    echo = [m for m in bot.posts(ch) if "Alertes levées" in str(m.get("blocks"))][-1]
    assert "Alerts raised on the acquirer link" in str(echo["blocks"]) and "to come" not in str(echo["blocks"])
    event = [e for e in _entries(bot) if e.kind.value == "event"][-1]
    assert event.texts == {"fr": "Alertes levées sur le lien acquéreur", "en": "Alerts raised on the acquirer link"}


def test_the_timeline_shows_text_that_exists_only_in_another_language_marked(bot):
    ch = _declare(bot)
    bot.command("UFR", "event Alertes levées", channel=ch)
    bot.command("UFR", "update identified Serveur défaillant", channel=ch)
    bot.command("UFR", "set cause Un prestataire", channel=ch)
    bot.command("UEN", "timeline", channel=ch)
    text = bot.replies_to("UEN")[-1]
    assert "Key moment" not in text and "Status update" not in text and "Field changed" not in text, text
    assert "(FR) Alertes levées" in text and "(FR) Serveur défaillant" in text and "(FR) Un prestataire" in text, text
