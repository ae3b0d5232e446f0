"""The timeline through Slack: every message, retries de-duplicated, edits, deletes, key moments, backfill."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from bot.store import incidents as store
from bot.store import timeline as tl
from tests.e2e.harness import Bot


def _declare(bot):
    bot.command("UFR", "declare P2 FR Panne paiement EN Payment outage")
    return bot.incident_channel()


def _entries(bot, kinds=None):
    with bot.rt.deps.db.session() as s:
        row = store.by_ref(session=s, ref="TSR-2641")
        return tl.entries(session=s, incident_id=row.id, kinds=kinds)


def _messages(bot):
    return [e for e in _entries(bot) if e.kind.value == "message"]


def test_every_message_is_recorded_once_even_when_slack_retries(bot):
    emu = bot.emu
    ch = _declare(bot)
    ts = emu.post_message("UEN", ch, "alerts on the acquirer link")
    event_id = emu.last_event_id()
    emu.resend_event(event_id, retry_num=1)
    emu.resend_event(event_id, retry_num=2, reason="http_error")
    reply = emu.post_message("UFR", ch, "seen too, in thread", thread_ts=ts)
    bot.settle()
    msgs = _messages(bot)
    assert [m.text for m in msgs] == ["alerts on the acquirer link", "seen too, in thread"]
    assert msgs[0].at == datetime.fromtimestamp(float(ts), tz=timezone.utc)  # the message's own time
    assert msgs[1].data.get("thread_ts") == ts and msgs[1].ts == reply
    # The bot's own posts are typed entries, not chat.
    assert all(m.author != emu.bot_user_id for m in msgs)


def test_edits_and_deletions_are_reflected(bot):
    emu = bot.emu
    ch = _declare(bot)
    ts = emu.post_message("UEN", ch, "server 12 down")
    gone = emu.post_message("UEN", ch, "wrong channel, sorry")
    emu.edit_message("UEN", ch, ts, "server 21 down")
    emu.delete_message("UEN", ch, gone)
    bot.settle()
    assert [m.text for m in _messages(bot)] == ["server 21 down"]


def test_pin_reaction_marks_a_key_moment_at_the_message_time_and_unmarks(bot):
    emu = bot.emu
    ch = _declare(bot)
    ts = emu.post_message("UEN", ch, "provider confirms the fault")
    emu.add_reaction("UFR", ch, ts, "pushpin")
    bot.settle()
    key = [m for m in _messages(bot) if m.key]
    assert len(key) == 1 and key[0].at == datetime.fromtimestamp(float(ts), tz=timezone.utc)
    emu.add_reaction("UFR", ch, ts, "eyes")  # another emoji does nothing
    emu.remove_reaction("UFR", ch, ts, "pushpin")
    bot.settle()
    assert not [m for m in _messages(bot) if m.key]


def test_event_command_records_the_typed_time_and_echoes_it(bot, clock):
    from zoneinfo import ZoneInfo

    paris = ZoneInfo("Europe/Paris")
    # A fixed "now": read against the wall clock, "00:01" typed at midnight is the minute just
    # starting (within the clock-skew allowance), which made this test depend on the time of day.
    clock.set(datetime(2025, 12, 4, 12, 40, tzinfo=paris))
    ch = _declare(bot)
    bot.command("UEN", "event 00:01 FR contact du prestataire EN provider contacted", channel=ch)
    events = [e for e in _entries(bot) if e.kind.value == "event"]
    assert len(events) == 1 and events[0].texts == {"fr": "contact du prestataire", "en": "provider contacted"}
    assert events[0].at == datetime(2025, 12, 4, 0, 1, tzinfo=paris)  # today's, the latest past 00:01
    assert "provider contacted" in str(bot.posts(ch)[-1]["blocks"])


def test_future_times_and_bad_windows_are_refused_clearly(bot):
    ch = _declare(bot)
    bot.command("UEN", "event 31/12/2099 10:00 EN later", channel=ch)
    assert "future" in bot.replies_to("UEN")[-1]
    bot.command("UEN", "impact end", channel=ch)
    assert "impact start" in bot.replies_to("UEN")[-1]
    bot.command("UEN", "impact start 00:00", channel=ch)
    bot.command("UEN", "impact start", channel=ch)
    assert "already" in bot.replies_to("UEN")[-1]
    bot.command("UEN", "event", channel=ch)
    assert "/incident event" in bot.replies_to("UEN")[-1]
    assert len([e for e in _entries(bot) if e.kind.value in ("event",)]) == 0


def test_message_shortcut_adds_to_timeline(bot):
    emu = bot.emu
    ch = _declare(bot)
    ts = emu.post_message("UEN", ch, "rollback done")
    emu.message_shortcut("UFR", ch, ts, "add_to_timeline")
    bot.settle()
    assert [m.text for m in _messages(bot) if m.key] == ["rollback done"]


def test_backfill_after_a_restart_loses_nothing(emulator, database_url, clock):
    first = Bot(emulator, database_url, clock)
    first.command("UFR", "declare P2 Panne")
    ch = first.incident_channel()
    emulator.post_message("UEN", ch, "before the stop")
    first.close()
    emulator.bot_url = None  # the bot is down: Slack cannot deliver
    said = []
    for i in range(230):  # more than one page of history
        said.append(emulator.state.add_message(emulator.state.channels[ch], {"user": "UEN", "text": f"while down {i}"})["ts"])
    parent = said[0]
    emulator.state.add_message(emulator.state.channels[ch], {"user": "UFR", "text": "reply while down", "thread_ts": parent})
    second = Bot(emulator, database_url, clock)
    try:
        from bot.cli import _recover

        _recover(second.rt)
        texts = [m.text for m in _messages(second)]
        assert texts.count("before the stop") == 1
        assert all(f"while down {i}" in texts for i in range(230))
        assert "reply while down" in texts
        _recover(second.rt)  # twice: still once each
        assert len(_messages(second)) == len(texts)
    finally:
        second.close()


def test_a_window_typed_after_the_fact_fits_between_the_others(bot, clock):
    from zoneinfo import ZoneInfo

    paris = ZoneInfo("Europe/Paris")
    clock.set(datetime(2025, 12, 4, 17, 0, tzinfo=paris))
    ch = _declare(bot)
    bot.command("UFR", "impact start 16h39", channel=ch)
    bot.command("UFR", "impact end 16h58", channel=ch)
    bot.command("UFR", "impact 12h08 - 12h13", channel=ch)  # the first window, forgotten until now
    assert "12h08 – 12h13" in bot.replies_to("UFR")[-1]
    bot.command("UFR", "impact 16h50 à 17h", channel=ch)
    assert "16h39" in bot.replies_to("UFR")[-1]  # refused: it overlaps the second window
    from bot.core.impact import impact_windows

    windows = [(w.start.astimezone(paris).strftime("%H:%M"), w.end.astimezone(paris).strftime("%H:%M"))
               for w in impact_windows(_entries(bot))]
    assert windows == [("12:08", "12:13"), ("16:39", "16:58")]


def test_typed_mentions_and_links_read_well_in_the_postmortem(bot):
    from bot.flows.postmortem import compile_markdown

    ch = _declare(bot)
    bot.command("UFR", "set cause FR <@UEN|alex> a redémarré, voir <https://x.example|le service> &amp; co "
                       "EN <@UEN|alex> restarted it, see <https://x.example>", channel=ch)
    markdown, _ = compile_markdown(bot.rt.deps, "TSR-2641")
    assert "@alex a redémarré, voir le service (https://x.example) & co" in markdown
    assert "@alex restarted it, see https://x.example" in markdown
    assert "&lt;" not in markdown and "&amp;" not in markdown


def test_the_end_of_a_window_is_read_from_its_start(bot, clock):
    from zoneinfo import ZoneInfo

    from bot.core.impact import impact_windows

    paris = ZoneInfo("Europe/Paris")
    clock.set(datetime(2025, 12, 10, 9, 0, tzinfo=paris))
    ch = _declare(bot)
    bot.command("UFR", "impact 4 décembre 23h00 - 23h30", channel=ch)
    bot.command("UFR", "impact 5 décembre 23h50 - 00h20", channel=ch)  # across midnight
    bot.command("UFR", "impact 9h - 9h30", channel=ch)  # ends in the future: refused
    assert "futur" in bot.replies_to("UFR")[-1]
    spans = [(w.start.astimezone(paris).strftime("%d %H:%M"), w.end.astimezone(paris).strftime("%d %H:%M"))
             for w in impact_windows(_entries(bot))]
    assert spans == [("04 23:00", "04 23:30"), ("05 23:50", "06 00:20")]


def _incident_id(bot):
    with bot.rt.deps.db.session() as s:
        return store.by_ref(session=s, ref="TSR-2641").id


def _edit(message, text, edit_ts):
    return {**message, "text": text, "edited": {"user": message["user"], "ts": edit_ts}}


def test_an_edit_that_overtakes_its_message_keeps_the_edited_text(bot):
    from bot.flows import timeline

    ch = _declare(bot)
    incident_id, deps = _incident_id(bot), bot.rt.deps
    original = {"type": "message", "user": "UEN", "text": "server 12 down", "ts": "1700000000.000100"}
    timeline.edited(deps, incident_id, ch, _edit(original, "server 21 down", "1700000005.000100"))
    assert timeline.capture(deps, incident_id, ch, original) is False  # the late original is dropped
    # An older edit arriving after a newer one does not undo it.
    timeline.edited(deps, incident_id, ch, _edit(original, "server 2 down", "1700000003.000100"))
    [message] = _messages(bot)
    assert (message.text, message.data["edited"]) == ("server 21 down", True)


def test_a_deletion_that_overtakes_its_message_records_what_the_message_said(bot):
    """Slack does not order its events: message then deletion, or deletion then message, the
    timeline keeps one deleted row with the same text (the deletion's previous_message says it)."""
    from bot.flows import timeline

    ch = _declare(bot)
    incident_id, deps = _incident_id(bot), bot.rt.deps
    rows = []
    for n, in_order in enumerate((True, False)):
        said = {"type": "message", "user": "UEN", "text": f"card payments failing {n}", "ts": f"1700000000.00010{n}"}
        if in_order:
            timeline.capture(deps, incident_id, ch, said)
        timeline.deleted(deps, incident_id, ch, said["ts"], previous=said)
        if not in_order:
            assert timeline.capture(deps, incident_id, ch, said) is False  # the late original is dropped
        with deps.db.session() as s:
            row = tl.by_message(session=s, channel_id=ch, ts=said["ts"])
            rows.append((row.text, row.author, row.deleted))
    assert rows == [("card payments failing 0", "UEN", True), ("card payments failing 1", "UEN", True)]


def test_a_message_and_its_edit_handled_at_the_same_time_keep_the_edit(bot):
    """Events are handled in parallel: whichever lands first, the edit wins."""
    import threading

    from bot.flows import timeline

    ch = _declare(bot)
    incident_id, deps = _incident_id(bot), bot.rt.deps
    for n in range(40):
        original = {"type": "message", "user": "UEN", "text": f"v1 {n}", "ts": f"17000000{n:02d}.000100"}
        edit = _edit(original, f"v2 {n}", f"17000000{n:02d}.000200")
        gate = threading.Barrier(2)

        def run(call, message):
            gate.wait()
            call(deps, incident_id, ch, message)

        threads = [threading.Thread(target=run, args=(timeline.capture, original)),
                   threading.Thread(target=run, args=(timeline.edited, edit))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert [m.text for m in _messages(bot)] == [f"v2 {n}" for n in range(40)]


def test_edits_of_the_bots_own_posts_are_not_recorded_as_chat(bot):
    from bot.flows import timeline

    ch = _declare(bot)
    incident_id, deps, me = _incident_id(bot), bot.rt.deps, bot.emu.bot_user_id
    post = {"type": "message", "user": me, "bot_id": "B1", "text": "summary", "ts": "1700000000.000100"}
    timeline.edited(deps, incident_id, ch, _edit(post, "summary, edited", "1700000001.000100"), me)
    assert _messages(bot) == []


def test_the_alert_mark_on_an_event_sets_the_time_to_detect(bot, clock):
    from zoneinfo import ZoneInfo

    from bot.flows.postmortem import compile_markdown

    paris = ZoneInfo("Europe/Paris")
    clock.set(datetime(2025, 12, 4, 12, 40, tzinfo=paris))  # declared well after the alert
    ch = _declare(bot)
    bot.command("UFR", "impact start 12h08", channel=ch)
    bot.command("UFR", "event 12h13 🚨 FR remontées d’alertes EN alerts raised", channel=ch)
    bot.command("UFR", "event 12h21 FR serveur défectueux identifié EN faulty server identified", channel=ch)
    [alert, other] = [e for e in _entries(bot) if e.kind.value == "event"]
    assert alert.data == {"alert": True} and alert.texts == {"fr": "remontées d’alertes", "en": "alerts raised"}
    assert not other.data.get("alert")
    assert bot.posts(ch)[-2]["text"].startswith(":rotating_light:")  # the echo shows which one it is
    _, pm = compile_markdown(bot.rt.deps, "TSR-2641")
    assert pm.figures.time_to_detect == timedelta(minutes=5)  # 12:08 -> 12:13, not -> 12:40
    # Marked in one language only, it still counts; a mark alone is not an event.
    bot.command("UFR", "event 12h30 FR contact EN :rotating_light: contact", channel=ch)
    assert [e for e in _entries(bot) if e.kind.value == "event"][-1].data == {"alert": True}
    bot.command("UFR", "event 12h31 🚨", channel=ch)
    assert len([e for e in _entries(bot) if e.kind.value == "event"]) == 3


def test_the_alert_reaction_marks_the_alert_message_and_removing_it_unmarks(bot, clock):
    from bot.flows.postmortem import compile_markdown

    from bot.core.model import Entry, EntryKind

    emu = bot.emu
    wall = datetime.now(timezone.utc)
    clock.set(wall + timedelta(hours=1))  # declared an hour after the alert message below
    ch = _declare(bot)
    with bot.rt.deps.db.session() as s:  # the impact began ten minutes before the alert
        tl.add(session=s, incident_id=_incident_id(bot), now=wall, entry=Entry(
            kind=EntryKind.IMPACT_START, at=wall - timedelta(minutes=10), key=True))
    ts = emu.post_message("UEN", ch, "PagerDuty: acquirer link down")
    emu.add_reaction("UFR", ch, ts, "pushpin")
    emu.add_reaction("UFR", ch, ts, "rotating_light")
    bot.settle()
    [message] = [m for m in _messages(bot) if m.key]
    assert message.data["alert"] is True
    ttd = compile_markdown(bot.rt.deps, "TSR-2641")[1].figures.time_to_detect
    assert timedelta(minutes=10) <= ttd < timedelta(minutes=11)  # the alert message, not the declaration
    emu.remove_reaction("UFR", ch, ts, "rotating_light")
    bot.settle()
    [message] = [m for m in _messages(bot) if m.key]  # still pinned
    assert message.data["alert"] is False
    ttd = compile_markdown(bot.rt.deps, "TSR-2641")[1].figures.time_to_detect
    assert ttd >= timedelta(minutes=69)  # the declaration again
    emu.remove_reaction("UFR", ch, ts, "pushpin")
    bot.settle()
    assert not [m for m in _messages(bot) if m.key]


def test_an_old_edit_never_undoes_text_read_back_from_history(bot):
    """Backfill reads the current (edited) text; a late, older message_changed must not win."""
    from bot.flows import timeline

    ch = _declare(bot)
    incident_id, deps = _incident_id(bot), bot.rt.deps
    original = {"type": "message", "user": "UEN", "text": "v1", "ts": "1700000000.000100"}
    timeline.capture(deps, incident_id, ch, _edit(original, "v3", "1700000009.000100"))  # as history has it
    timeline.edited(deps, incident_id, ch, _edit(original, "v2", "1700000005.000100"))
    assert [m.text for m in _messages(bot)] == ["v3"]


def test_a_thread_parent_deleted_under_its_replies_is_a_deletion(bot):
    from bot.flows import timeline

    ch = _declare(bot)
    incident_id, deps = _incident_id(bot), bot.rt.deps
    parent = {"type": "message", "user": "UEN", "text": "db down?", "ts": "1700000000.000100",
              "thread_ts": "1700000000.000100", "reply_count": 1}
    timeline.capture(deps, incident_id, ch, parent)
    tombstone = {"type": "message", "subtype": "tombstone", "text": "This message was deleted.", "hidden": True,
                 "ts": parent["ts"], "thread_ts": parent["ts"], "user": "USLACKBOT"}
    timeline.edited(deps, incident_id, ch, tombstone)
    assert _messages(bot) == []


def test_a_change_that_is_not_an_edit_does_not_say_edited(bot):
    from bot.flows import timeline

    ch = _declare(bot)
    incident_id, deps = _incident_id(bot), bot.rt.deps
    message = {"type": "message", "user": "UEN", "text": "see https://status.example", "ts": "1700000000.000100"}
    timeline.capture(deps, incident_id, ch, message)
    timeline.edited(deps, incident_id, ch, {**message, "attachments": [{"title": "Status"}]})  # a link preview
    [recorded] = _messages(bot)
    assert "edited" not in recorded.data


def test_the_alert_mark_may_come_before_the_time(bot, clock):
    from zoneinfo import ZoneInfo

    paris = ZoneInfo("Europe/Paris")
    clock.set(datetime(2025, 12, 4, 12, 40, tzinfo=paris))
    ch = _declare(bot)
    bot.command("UFR", "event :rotating_light: 12h13 FR remontées d’alertes EN alerts raised", channel=ch)
    [event] = [e for e in _entries(bot) if e.kind.value == "event"]
    assert event.data == {"alert": True} and event.texts["en"] == "alerts raised"
    assert event.at.astimezone(paris).strftime("%H:%M") == "12:13"


def test_a_removal_handled_before_the_message_is_recorded_is_not_lost(bot):
    """Events run in parallel: a pin's removal may be handled before the message's own event has
    recorded it, and before the (older) addition. The removal must still win."""
    from bot.flows import timeline

    emu = bot.emu
    ch = _declare(bot)
    incident_id, deps = _incident_id(bot), bot.rt.deps
    with emu.state.lock:  # said in Slack, its message event not handled yet
        ts = emu.state.add_message(emu.state.channels[ch], {"user": "UEN", "text": "provider confirms the fault"})["ts"]
    timeline.mark_key(deps, incident_id, ch, ts, False, "pin", "UFR", "1700000002.000100")  # the removal first
    timeline.mark_key(deps, incident_id, ch, ts, True, "pin", "UFR", "1700000001.000100")  # then its addition
    assert [m.text for m in _messages(bot)] == ["provider confirms the fault"]
    assert not [m for m in _messages(bot) if m.key]


def test_a_message_stays_key_while_someone_still_has_their_pin_on_it(bot):
    emu = bot.emu
    ch = _declare(bot)
    ts = emu.post_message("UEN", ch, "provider confirms the fault")
    emu.add_reaction("UFR", ch, ts, "pushpin")
    emu.add_reaction("UEN", ch, ts, "pushpin")
    emu.remove_reaction("UFR", ch, ts, "pushpin")
    bot.settle()
    assert [m.text for m in _messages(bot) if m.key] == ["provider confirms the fault"]
    emu.remove_reaction("UEN", ch, ts, "pushpin")
    bot.settle()
    assert not [m for m in _messages(bot) if m.key]


def test_reaction_events_handled_out_of_order_keep_the_latest(bot):
    """A removal handled before the addition it follows (events run in parallel) still wins."""
    from bot.flows import timeline

    emu = bot.emu
    ch = _declare(bot)
    incident_id, deps = _incident_id(bot), bot.rt.deps
    ts = emu.post_message("UEN", ch, "provider confirms the fault")
    bot.settle()
    timeline.mark_key(deps, incident_id, ch, ts, False, "pin", "UFR", "1700000002.000100")  # the removal first
    timeline.mark_key(deps, incident_id, ch, ts, True, "pin", "UFR", "1700000001.000100")  # then its addition
    assert not [m for m in _messages(bot) if m.key]
    timeline.mark_key(deps, incident_id, ch, ts, True, "alert", "UEN", "1700000003.000100")
    [message] = [m for m in _messages(bot) if m.key]
    assert message.data["alert"] is True
