"""Bilingual status updates: languages per channel, threading, in-place edits, refusals, translations."""

from __future__ import annotations

import re

from bot.store import incidents as store

UPDATE_FR = "Nous avons rencontré des difficultés sur la plateforme de paiement entre 12h08 et 12h13. L'incident est terminé, nous continuons de monitorer."
UPDATE_EN = "We have identified ongoing difficulties on the payment platform between 12.08 and 12.13 CET. The incident is over, monitoring is still is in progress."


def _declare(bot):
    bot.command("UFR", "declare P2 FR Perturbations plateforme de paiement EN Payment platform disruptions")
    return bot.incident_channel()


def test_update_reaches_each_channel_in_its_languages_threaded_and_broadcast(bot):
    emu = bot.emu
    crisis = _declare(bot)
    bot.command("UEN", f"update monitoring FR {UPDATE_FR} EN {UPDATE_EN}", channel=crisis)
    crisis_post = bot.posts(crisis)[-1]
    blob = str(crisis_post["blocks"])
    assert "Nous avons rencontré des difficultés" in blob and "We have identified ongoing difficulties" in blob
    fr_announce, en_announce = emu.messages("CINCFR")[0], emu.messages("CINCEN")[0]
    fr_thread, en_thread = emu.replies("CINCFR", fr_announce["ts"]), emu.replies("CINCEN", en_announce["ts"])
    assert len(fr_thread) == 1 and len(en_thread) == 1
    assert "Nous avons rencontré" in str(fr_thread[0]["blocks"]) and "We have identified" not in str(fr_thread[0]["blocks"])
    assert "We have identified" in str(en_thread[0]["blocks"]) and "Nous avons" not in str(en_thread[0]["blocks"])
    # A status change is also shown in the channel (reply_broadcast).
    assert fr_thread[0].get("reply_broadcast") or fr_thread[0].get("subtype") == "thread_broadcast"
    # The pinned summary and the announcements were edited in place to the new status.
    summary = bot.posts(crisis)[0]
    assert "monitoring" in str(summary["blocks"]).lower() or "surveillance" in str(summary["blocks"]).lower()
    assert "monitoring" in str(emu.messages("CINCEN")[0]["blocks"]).lower()
    top = [m for m in emu.messages("CINCEN") if not m.get("thread_ts") or m.get("thread_ts") == m.get("ts")]
    assert len(top) == 1  # the announcement was edited, not posted again


def test_same_status_again_is_threaded_without_broadcast(bot):
    emu = bot.emu
    crisis = _declare(bot)
    bot.command("UEN", "update monitoring FR un EN one", channel=crisis)
    bot.command("UEN", "update monitoring FR deux EN two", channel=crisis)
    thread = emu.replies("CINCEN", emu.messages("CINCEN")[0]["ts"])
    assert len(thread) == 2
    assert not thread[1].get("reply_broadcast")


def test_french_status_names_are_accepted_and_reference_works_outside_the_channel(bot):
    crisis = _declare(bot)
    bot.command("UFR", "update TSR-2641 identifié FR Serveur identifié EN Server identified", channel="COPS")
    with bot.rt.deps.db.session() as s:
        assert store.by_ref(session=s, ref="TSR-2641").status == "identified"
    bot.command("UFR", "update suivi FR On surveille EN Watching", channel=crisis)
    bot.command("UFR", "update Résolue FR Fini EN Done", channel=crisis)
    with bot.rt.deps.db.session() as s:
        assert store.by_ref(session=s, ref="TSR-2641").status == "resolved"
    bot.command("UFR", "reopen", channel=crisis)
    bot.command("UFR", "update finished FR x EN y", channel=crisis)
    assert "finished" in bot.replies_to("UFR")[-1] and "surveillance" in bot.replies_to("UFR")[-1]


def test_refused_transition_says_why_and_what_is_allowed(bot):
    crisis = _declare(bot)
    bot.command("UEN", "update monitoring FR a EN b", channel=crisis)
    bot.command("UEN", "update investigating FR a EN b", channel=crisis)
    text = bot.replies_to("UEN")[-1]
    assert "monitoring" in text and "resolved" in text
    bot.command("UEN", "resolve", channel=crisis)
    bot.command("UEN", "update monitoring FR a EN b", channel=crisis)
    assert "reopen" in bot.replies_to("UEN")[-1]
    with bot.rt.deps.db.session() as s:
        assert store.by_ref(session=s, ref="TSR-2641").status == "resolved"


def test_resolve_then_reopen_is_a_recurrence(bot):
    crisis = _declare(bot)
    bot.command("UEN", "resolve", channel=crisis)
    bot.command("UEN", "reopen FR Résurgence EN Recurrence", channel=crisis)
    with bot.rt.deps.db.session() as s:
        row = store.by_ref(session=s, ref="TSR-2641")
        assert row.status == "investigating" and row.resolved_at is None
    from bot.store import timeline as tl
    with bot.rt.deps.db.session() as s:
        kinds = [e.kind.value for e in tl.entries(session=s, incident_id=row.id)]
    assert "reopened" in kinds


def test_missing_language_is_marked_and_the_author_can_add_it(bot):
    emu = bot.emu
    crisis = _declare(bot)
    bot.command("UEN", "update identified FR Serveur défaillant chez un prestataire", channel=crisis)
    en_thread = emu.replies("CINCEN", emu.messages("CINCEN")[0]["ts"])
    assert "translation to come" in str(en_thread[0]["blocks"])
    note = emu.ephemerals("UEN")[-1]
    assert "English" in note["text"] or "anglais" in note["text"]
    # The button opens a form; submitting it edits the posts already made.
    button_msg = next(e for e in reversed(emu.ephemerals("UEN")) if "add_translation" in str(e.get("blocks")))
    value = next(el["value"] for b in button_msg["blocks"] if b["type"] == "actions" for el in b["elements"])
    emu.click_ephemeral("UEN", button_msg, "add_translation", value)
    bot.settle()
    view = emu.views("UEN")[-1]
    d = emu.submit_view("UEN", view["id"], {"text_en": {"value": "Faulty server at a provider"}})
    assert d.status == 200
    bot.settle()
    en_thread = emu.replies("CINCEN", emu.messages("CINCEN")[0]["ts"])
    assert "Faulty server at a provider" in str(en_thread[0]["blocks"])
    assert "translation to come" not in str(en_thread[0]["blocks"])


def _mrkdwn(node) -> list[str]:
    if isinstance(node, dict):
        own = [node["text"]] if node.get("type") == "mrkdwn" else []
        return own + [t for v in node.values() for t in _mrkdwn(v)]
    if isinstance(node, list):
        return [t for v in node for t in _mrkdwn(v)]
    return []


def test_people_text_cannot_ping_or_forge_links(bot):
    emu = bot.emu
    bot.command("UFR", "declare P2 FR Panne <!channel> EN Outage <https://evil.example|bank>")
    crisis = bot.incident_channel()
    bot.command("UEN", "update identified EN <!channel> see <http://evil.example|bank> & co, ask <@UFR|camille> FR <!here>",
                channel=crisis)
    bot.command("UEN", "event <!everyone> alerts on <https://evil.example|the dashboard>", channel=crisis)
    everything = []
    for channel in (crisis, "CINCFR", "CINCEN"):
        for m in emu.messages(channel):
            everything.append(m)
            everything += emu.replies(channel, m["ts"])
    posted = [m for m in everything if m.get("bot_id")]
    assert len(posted) >= 8
    for m in posted:  # the notification text and every mrkdwn text (plain_text is never parsed by Slack)
        blob = m.get("text", "") + " ".join(_mrkdwn(m.get("blocks") or []))
        assert "<!" not in blob, blob  # no broadcast
        assert not re.search(r"<https?://[^>|]*\|", blob), blob  # no link hidden behind a label
    update = str(bot.posts(crisis)[-2]["blocks"]) + bot.posts(crisis)[-2]["text"]
    assert "@channel see bank (<http://evil.example>)" in update and "&amp; co" in update
    assert "<@UFR|camille>" in update  # naming a person still works


def test_priority_change_updates_summary_topic_and_tells_stakeholders(bot):
    emu = bot.emu
    crisis = _declare(bot)
    bot.command("UEN", "set priority P1", channel=crisis)
    assert "P1" in emu.topic(crisis)
    assert "P1" in str(bot.posts(crisis)[0]["blocks"])
    thread = emu.replies("CINCEN", emu.messages("CINCEN")[0]["ts"])
    assert thread and "P2" in str(thread[-1]["blocks"]) and "P1" in str(thread[-1]["blocks"])


def test_a_refresh_that_raced_another_process_ends_on_the_latest_state(bot, monkeypatch):
    """Another replica changes the incident while our (older) edit of the summary is on its way."""
    crisis = _declare(bot)
    chat, db = bot.rt.chat, bot.rt.deps.db
    real_update, raced = chat.update, []

    def update(channel, ts, text, blocks=None):
        if not raced:
            raced.append(True)
            with db.session() as s:  # the other replica's change (its own refresh already done)
                row = store.by_ref(session=s, ref="TSR-2641")
                row.priority = "P4"
                store.save(session=s, row=row, now=bot.rt.deps.now())
        real_update(channel, ts, text, blocks)

    monkeypatch.setattr(chat, "update", update)
    bot.command("UEN", "set priority P1", channel=crisis)
    summary = str(bot.posts(crisis)[0]["blocks"])
    assert raced and "P4" in summary and "P1" not in summary  # the latest state, not our older one


def test_stakeholder_can_read_status_but_not_change(bot):
    crisis = _declare(bot)
    bot.command("USTAKE", "status", channel=crisis)
    assert "TSR-2641" in bot.replies_to("USTAKE")[-1]
    bot.command("USTAKE", "update resolved EN done", channel=crisis)
    assert "crisis unit" in bot.replies_to("USTAKE")[-1]
    with bot.rt.deps.db.session() as s:
        assert store.by_ref(session=s, ref="TSR-2641").status == "investigating"


def test_role_assignment_shows_in_topic_and_summary(bot):
    emu = bot.emu
    crisis = _declare(bot)
    bot.command("UFR", "role commander <@UEN|alex>", channel=crisis)
    assert "<@UEN>" in emu.topic(crisis)
    assert "<@UEN>" in str(bot.posts(crisis)[0]["blocks"])


def test_update_makes_the_fewest_web_api_calls(bot):
    emu = bot.emu
    crisis = _declare(bot)
    emu.reset_calls()
    bot.command("UEN", "update identified FR a EN b", channel=crisis)
    changed = sorted(c.method for c in emu.calls if c.method != "users.info")
    # One post per channel; the summary and two announcements show the status, so they are edited; the topic too.
    assert changed == sorted(["chat.postMessage"] * 3 + ["chat.update"] * 3 + ["conversations.setTopic"])
    emu.reset_calls()
    bot.command("UEN", "update identified FR c EN d", channel=crisis)
    # Same status: nothing visible changes in the summary, announcements or topic, so no edit at all.
    assert sorted(c.method for c in emu.calls if c.method != "users.info") == ["chat.postMessage"] * 3


def test_a_line_break_after_the_status_or_field_is_whitespace(bot):
    crisis = _declare(bot)
    bot.command("UEN", "update monitoring\nFR Surveillance\nEN Watching", channel=crisis)
    bot.command("UEN", "set\npriority\nP1", channel=crisis)
    with bot.rt.deps.db.session() as s:
        row = store.by_ref(session=s, ref="TSR-2641")
        assert (row.status, row.priority) == ("monitoring", "P1")


def test_an_update_that_reaches_only_some_channels_says_so(bot, emulator):
    crisis = _declare(bot)
    emulator.state.channels["CINCEN"].members.remove(emulator.bot_user_id)  # someone removed the bot
    bot.command("UEN", "update identified FR Cause trouvée EN Cause found", channel=crisis)
    replies = "\n".join(bot.replies_to("UEN"))
    assert "2 of 3 channels" in replies and "not_in_channel" in replies
