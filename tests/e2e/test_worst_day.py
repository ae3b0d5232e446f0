"""The worst day (issue 12): nothing doubled, nothing lost, no command failed-then-run.

In-process faults: Slack doing the work and losing its answer, a crash between a post and its
recording, the same declare twice. Process kills are in test_kills.py.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from bot.store import incidents as store
from bot.store.models import IncidentRow
from bot.store import timeline as tl
from tests.conftest import POSTGRES_URL

DECLARE = "declare P2 FR Panne du réseau EN Network outage"


def _incidents(bot) -> list:
    with bot.rt.deps.db.session() as s:
        return store.open_incidents(session=s)


def _assert_declared_once(bot) -> str:
    """One incident, one channel, one summary and pin, one bookmark, one announcement per stakeholder channel."""
    assert [r.ref for r in _incidents(bot)] == ["TSR-2641"]
    assert sorted(c.name for c in bot.emu.state.channels.values() if c.name.startswith("tsr-")) == [
        "tsr-2641-panne-du-reseau"]
    crisis = bot.incident_channel()
    assert len(bot.posts(crisis)) == 1 and len(bot.emu.pins(crisis)) == 1
    assert len(bot.emu.bookmarks(crisis)) == 1
    assert len(bot.posts("CINCFR")) == 1 and len(bot.posts("CINCEN")) == 1
    return crisis


# 8. Retried non-idempotent calls --------------------------------------------------------------

def test_a_lost_answer_to_bookmarks_add_leaves_one_bookmark(bot):
    bot.emu.lose_answer("bookmarks.add", 503)
    bot.command("UEN", DECLARE)
    _assert_declared_once(bot)
    assert "TSR-2641 is declared" in bot.replies_to("UEN")[-1]
    assert not any("Some steps need you" in r for r in bot.replies_to("UEN"))


def _postmortem(bot, crisis: str) -> None:
    bot.command("UEN", "postmortem", channel=crisis)


def test_a_lost_answer_to_completing_an_upload_shares_the_postmortem_once(bot):
    bot.command("UEN", DECLARE)
    crisis = bot.incident_channel()
    bot.emu.lose_answer("files.completeUploadExternal", 503)
    _postmortem(bot, crisis)
    shared = [m for m in bot.emu.messages(crisis) if m.get("files")]
    assert len(shared) == 1
    assert not any("Slack refused" in r for r in bot.replies_to("UEN"))


def test_a_lost_answer_to_the_canvas_makes_one_canvas_and_no_complaint(bot):
    bot.command("UEN", DECLARE)
    crisis = bot.incident_channel()
    bot.emu.lose_answer("conversations.canvases.create", 503)
    _postmortem(bot, crisis)
    assert bot.emu.canvas_markdown(crisis)
    assert sum(1 for c in bot.emu.calls if c.method == "conversations.canvases.create") == 1
    assert not any("Slack refused" in r for r in bot.replies_to("UEN"))
    with bot.rt.deps.db.session() as s:
        assert store.by_channel(session=s, channel_id=crisis).canvas_id == bot.emu.channel(crisis).canvas_id


# 1. A crash between a post and its recording ---------------------------------------------------

class Crash(BaseException):
    """The process dying: not an Exception, so nothing in the bot handles it."""


def _restart(bot) -> None:
    """What the restarted process does: resume the unfinished declare (the dead one holds no lease)."""
    bot.forget_errors()  # the crash
    with bot.rt.deps.db.session() as s:
        row = store.get(session=s, incident_id=_incidents(bot)[0].id, lock=True)
        row.setup_lease = None
        s.add(row)
    from bot.flows import recovery

    recovery.resume_unfinished(bot.rt.deps, bot.rt.permissions, retry=False)
    bot.settle()
    _assert_declared_once(bot)


@pytest.mark.parametrize("kind", ["summary", "announcement"])
def test_a_crash_between_a_post_and_its_recording_does_not_post_again(bot, monkeypatch, kind):
    from bot.flows import declare

    add_post = store.add_post
    crashed = []

    def crash_once(*, session, kind: str, **kwargs):
        if kind == wanted and not crashed:
            crashed.append(kwargs["channel_id"])
            raise Crash()
        return add_post(session=session, kind=kind, **kwargs)

    wanted = kind
    monkeypatch.setattr(declare.store, "add_post", crash_once)
    bot.command("UEN", DECLARE)
    assert crashed
    _restart(bot)


@pytest.mark.parametrize("step", ["summary", "announced", "bookmark"])
def test_a_crash_after_a_step_was_done_and_recorded_but_not_marked_does_nothing_twice(bot, monkeypatch, step):
    from bot.flows import declare

    mark = declare._mark

    def crash_at_bookmark(deps, report, done_step, value=True):
        if done_step == step:
            raise Crash()
        return mark(deps, report, done_step, value)

    monkeypatch.setattr(declare, "_mark", crash_at_bookmark)
    bot.command("UEN", DECLARE)
    monkeypatch.setattr(declare, "_mark", mark)
    _restart(bot)


# 7. The same declare twice ---------------------------------------------------------------------

def test_the_same_declare_again_a_moment_later_points_to_the_incident_and_offers_another(bot):
    bot.command("UEN", DECLARE)
    crisis = bot.incident_channel()
    bot.command("UEN", DECLARE)
    assert [r.ref for r in _incidents(bot)] == ["TSR-2641"]
    asked = bot.emu.ephemerals("UEN")[-1]
    assert "TSR-2641" in asked["text"] and f"<#{crisis}>" in asked["text"]
    assert "declare_again" in str(asked.get("blocks"))
    bot.emu.click_ephemeral("UEN", asked, "declare_again")
    bot.settle()
    assert [r.ref for r in _incidents(bot)] == ["TSR-2641", "TSR-2642"]
    assert "TSR-2642 is declared" in bot.replies_to("UEN")[-1]


def test_the_same_declare_after_the_window_is_a_new_incident(bot, clock):
    from datetime import timedelta

    from bot.flows.declare import REPEAT_WINDOW

    start = bot.rt.deps.now()
    clock.set(start)
    bot.command("UEN", DECLARE)
    clock.set(start + REPEAT_WINDOW + timedelta(seconds=1))
    bot.command("UEN", DECLARE)
    assert [r.ref for r in _incidents(bot)] == ["TSR-2641", "TSR-2642"]


def test_the_loser_of_two_identical_declares_is_told_the_incident_exists(bot, monkeypatch):
    """Two processes got the same command at once: both read no incident, one insert wins."""
    from bot.flows import declare

    bot.command("UEN", DECLARE)
    crisis = bot.incident_channel()
    with bot.rt.deps.db.session() as s:  # the winner has not finished its setup yet
        row = store.get(session=s, incident_id=_incidents(bot)[0].id, lock=True)
        row.setup = {k: v for k, v in row.setup.items() if k != "done"}
        s.add(row)
    by_key = store.by_declare_key
    reads = []

    def read_before_the_winner_committed(*, session, key):
        reads.append(key)
        return None if len(reads) == 1 else by_key(session=session, key=key)

    monkeypatch.setattr(declare.store, "by_declare_key", read_before_the_winner_committed)
    bot.command("UEN", DECLARE)
    replies = bot.replies_to("UEN")
    assert not any("went wrong" in r for r in replies)
    assert f"<#{crisis}>" in replies[-1] and "TSR-2641" in replies[-1]
    assert [r.ref for r in _incidents(bot)] == ["TSR-2641"]


# 5. Events while the database is down ----------------------------------------------------------

def test_events_while_the_database_is_down_are_recorded_once_it_answers(bot, monkeypatch):
    import sqlalchemy.exc as sa_exc

    bot.command("UEN", DECLARE)
    crisis = bot.incident_channel()
    db = bot.rt.deps.db

    def down():
        raise sa_exc.OperationalError("SELECT 1", {}, ConnectionRefusedError("the server is stopped"))

    monkeypatch.setattr(db, "session", down)
    monkeypatch.setattr(db, "ping", lambda timeout=1.0: False)
    said = [bot.emu.post_message("UFR", crisis, f"pendant la panne {i}") for i in range(5)]
    bot.emu.add_reaction("UFR", crisis, said[1], "pushpin")
    bot.settle()
    assert all(d.status == 200 for _, d in bot.emu.deliveries[-6:])
    monkeypatch.undo()  # the database answers again
    assert bot.rt.edge.held.recover() == 6
    with bot.rt.deps.db.session() as s:
        entries = tl.entries(session=s, incident_id=_incidents(bot)[0].id)
    texts = {e.text: e for e in entries if e.text}
    assert all(f"pendant la panne {i}" in texts for i in range(5))
    assert texts["pendant la panne 1"].key is True


# 6. Acknowledgements never wait; a command Slack reported as failed never runs ------------------

def test_a_command_acknowledged_too_late_never_runs(bot, monkeypatch):
    from bot.slack import deadline

    monkeypatch.setattr(deadline, "ACK_DEADLINE", -1.0)  # every acknowledgement comes too late
    delivery = bot.command("UEN", DECLARE)
    assert delivery.status != 200  # Slack tells the author it failed…
    bot.settle()
    assert _incidents(bot) == []  # …and it does not run later
    assert not [c for c in bot.emu.state.channels.values() if c.name.startswith("tsr-")]
    assert bot.replies_to("UEN") == []
    assert len(bot.rt.edge.held.spool) == 0  # nor replayed from the journal at the next start


@pytest.mark.skipif(bool(POSTGRES_URL), reason="a SQLite file locked by another process")
def test_a_locked_database_never_holds_an_acknowledgement(bot, database_url):
    from tests.store.test_locked_database import locked

    bot.command("UEN", DECLARE)
    crisis = bot.incident_channel()
    bot.command("UEN", "update", channel=crisis)
    form = bot.emu.views("UEN")[-1]
    with locked(database_url):
        # Each message's recording now waits on the lock: more of them than there are threads.
        for i in range(20):
            bot.emu.queue_event(bot.emu.channel(crisis), {"type": "message", "user": "UFR", "text": f"bloqué {i}",
                                         "ts": f"{1733310000 + i}.000100"})
        bot.emu.wait_idle()
        command = bot.emu.slash_command("UEN", crisis, "help")
        submitted = bot.emu.submit_view("UEN", form["id"], {"text_en": {"value": "Still looking"}})
        assert command.status == 200 and submitted.status == 200
        assert bot.emu.slow_acks == []
    bot.settle()
    with bot.rt.deps.db.session() as s:
        texts = {e.text for e in tl.entries(session=s, incident_id=_incidents(bot)[0].id)}
    assert {f"bloqué {i}" for i in range(20)} <= texts


# 2. Recovery: a lease held by a dead process, and the declarer told ------------------------------

def _die_half_way(bot, monkeypatch) -> str:
    """A declare whose process dies after making the channel, holding its lease; returns the holder."""
    from bot.flows import declare

    mark = declare._mark

    def die_after_the_channel(deps, report, step, *args):
        if step == "invited":
            raise Crash()
        return mark(deps, report, step, *args)

    with monkeypatch.context() as m:
        m.setattr(declare, "_mark", die_after_the_channel)
        m.setattr(declare.store, "release_setup", lambda **kwargs: None)  # a killed process frees nothing
        bot.command("UEN", DECLARE)
        bot.forget_errors()
    with bot.rt.deps.db.session() as s:
        row = store.get(session=s, incident_id=_incidents(bot)[0].id)
        assert row.setup_lease is not None and row.setup_holder  # still held, by the process that died
        return row.setup_holder


def _assert_told(bot) -> None:
    told = [m for c in bot.emu.state.channels.values() if c.is_im for m in c.top_level() if "TSR-2641" in m.get("text", "")]
    assert told, "the declarer is told the declare finished"


def test_a_lease_held_by_a_dead_process_is_taken_over_at_once_and_the_declarer_told(bot, monkeypatch):
    holder = _die_half_way(bot, monkeypatch)
    # The restarted process: same host and process id (a container's PID 1), another incarnation.
    from bot.flows import recovery
    from bot.store import process

    monkeypatch.setattr(process, "IDENTITY", process.identity(nonce="restarted"))
    assert process.is_dead(holder)
    assert recovery.resume_unfinished(bot.rt.deps, bot.rt.permissions, retry=False) == 1
    bot.settle()
    _assert_declared_once(bot)
    _assert_told(bot)


def test_a_lease_held_on_another_host_is_taken_over_once_its_heartbeat_stops_and_the_declarer_told(bot, monkeypatch):
    """Two replicas on two machines: the holder's pid says nothing here; its heartbeat in the
    database (judged on the database's clock, moved here instead of slept) does."""
    from bot.flows import recovery
    from bot.store import process

    t0 = datetime(2026, 3, 3, 9, 0, tzinfo=timezone.utc)
    bot.clock.set(t0)
    monkeypatch.setattr(process, "clock", lambda session: bot.clock())
    holder = _die_half_way(bot, monkeypatch)
    elsewhere = "replica-b.example:4242:0123456789ab"
    with bot.rt.deps.db.session() as s:
        s.execute(sa.update(IncidentRow).where(IncidentRow.setup_holder == holder).values(setup_holder=elsewhere))
        process.beat(s, elsewhere)
    # Alive a moment ago (its last beat is fresh): its run is respected, nothing is redone; recovery
    # plans to look again once a dead holder's heartbeat would be stale.
    bot.clock.set(t0 + timedelta(seconds=process.HEARTBEAT))
    planned = []
    assert recovery.resume_unfinished(bot.rt.deps, bot.rt.permissions,
                                      schedule=lambda seconds, fn: planned.append((seconds, fn))) == 1
    bot.settle()
    with bot.rt.deps.db.session() as s:
        assert store.get(session=s, incident_id=_incidents(bot)[0].id).setup_holder == elsewhere
    [(seconds, again)] = planned
    assert process.STALE.total_seconds() < seconds < store.SETUP_LEASE.total_seconds() / 4
    # It stays silent: when recovery looks again, the holder is dead. Taken over, finished, told.
    bot.clock.set(t0 + timedelta(seconds=process.HEARTBEAT + seconds))
    again()
    bot.settle()
    _assert_declared_once(bot)
    _assert_told(bot)
    assert len(planned) == 1  # nothing left held: no more looks


# 9. Forms open first ---------------------------------------------------------------------------

def test_forms_open_in_time_when_slack_is_slow(bot):
    bot.command("UEN", DECLARE)
    crisis = bot.incident_channel()
    # The language look-up and views.open each take 2 s, on the emulator's clock (which enforces the
    # trigger_id's 3 s): a form opened after the look-up would be refused as expired.
    bot.emu.lag("users.info", 2.0)
    bot.emu.lag("views.open", 2.0)
    for user, text, channel, callback in (("UFR", "declare", "COPS", "declare"),
                                          ("UFR", "update", crisis, "update")):
        bot.command(user, text, channel=channel)
        form = bot.emu.views(user)[-1]
        assert form["callback_id"] == callback, form
        assert "Titre" in str(form) or "Statut" in str(form) or "FR" in str(form)  # filled in, in their language
    assert not [v for v in bot.emu.violations if "trigger" in v]


def _press(bot, button: str) -> tuple[str, str, callable]:
    """Make the state a form button needs; returns who presses it, the form it opens, and the press."""
    emu = bot.emu
    bot.command("UFR", DECLARE)
    crisis = bot.incident_channel()
    if button == "open_update_form":  # the Home tab's button (reminders carry the same one)
        emu.open_home("UEN")
        bot.settle()
        return "UEN", "update", lambda: emu.click_home("UEN", button)
    if button == "postmortem_form":  # in the reply to `/incident postmortem`
        bot.command("UFR", "postmortem", channel=crisis)
        user, callback = "UFR", "postmortem_fields"
    else:  # add_translation: in the note after an update written in one language
        bot.command("UEN", "update identified FR Serveur défaillant chez un prestataire", channel=crisis)
        user, callback = "UEN", "translate"
    note = next(e for e in reversed(emu.ephemerals(user)) if button in str(e.get("blocks")))
    value = next(el["value"] for b in note["blocks"] if b["type"] == "actions" for el in b["elements"])
    return user, callback, lambda: emu.click_ephemeral(user, note, button, value)


@pytest.mark.parametrize("button", ["open_update_form", "postmortem_form", "add_translation"])
def test_forms_opened_by_buttons_open_when_slack_is_slow(bot, button):
    """Slack answering the language look-up in 2 s and views.open in 1.5 s (on the emulator's clock,
    which enforces the trigger_id's 3 s): a form opened after the look-up is refused as expired."""
    user, callback, press = _press(bot, button)
    bot.rt.chat._locales.clear()  # the person's language is looked up again (its cache ran out)
    bot.emu.lag("users.info", 2.0)
    bot.emu.lag("views.open", 1.5)
    press()
    bot.settle()
    assert not [c for c in bot.emu.calls if c.method == "views.open" and not c.response.get("ok")]
    form = bot.emu.views(user)[-1]
    assert form["callback_id"] == callback, form
    assert form["blocks"] and "Opening the form" not in str(form)  # filled in with views.update


@pytest.mark.parametrize("how", ["command", "home"])
def test_the_dora_classification_form_opens_when_slack_is_slow(dora_bot, how):
    bot = dora_bot
    bot.command("UFR", DECLARE)
    crisis = bot.incident_channel()
    bot.emu.open_home("UEN")
    bot.settle()
    bot.rt.chat._locales.clear()
    bot.emu.lag("users.info", 2.0)
    bot.emu.lag("views.open", 1.5)
    if how == "command":
        bot.command("UEN", "classify", channel=crisis)
    else:
        bot.emu.click_home("UEN", "open_classify_form")
        bot.settle()
    assert not [c for c in bot.emu.calls if c.method == "views.open" and not c.response.get("ok")]
    assert bot.emu.views("UEN")[-1]["callback_id"] == "dora_classify"


def test_a_button_form_with_nothing_left_to_fill_in_closes_on_an_explanation(bot):
    user, _, press = _press(bot, "add_translation")
    press()
    bot.settle()
    bot.emu.submit_view(user, bot.emu.views(user)[-1]["id"], {"text_en": {"value": "Faulty server at a provider"}})
    bot.settle()
    press()  # the same button again: the translation is there now
    bot.settle()
    assert "nothing to fill in here any more" in str(bot.emu.views(user)[-1])


def test_a_refused_form_command_closes_on_an_explanation(bot):
    bot.command("USTAKE", "declare")
    form = bot.emu.views("USTAKE")
    assert not form or form[-1].get("callback_id") != "declare"
    assert "Only the crisis unit" in bot.replies_to("USTAKE")[-1]


# 4. What people do while the bot is down ---------------------------------------------------------

def test_the_backfill_reconciles_edits_deletions_and_each_persons_marks(bot):
    import contextlib
    import socket

    from bot.flows import timeline

    bot.command("UEN", DECLARE)
    crisis = bot.incident_channel()
    said = [bot.emu.post_message("UFR", crisis, f"message {i}") for i in range(6)]
    bot.emu.add_reaction("UEN", crisis, said[3], "pushpin")  # pinned while up, unpinned while down
    bot.emu.add_reaction("UFR", crisis, said[5], "pushpin")  # two people pin it; one takes theirs off
    bot.emu.add_reaction("UEN", crisis, said[5], "pushpin")
    bot.settle()
    with socket.socket() as s:  # the bot is down: Slack's events go nowhere
        s.bind(("127.0.0.1", 0))
        down = f"http://127.0.0.1:{s.getsockname()[1]}/slack/events"
    up, bot.emu.bot_url = bot.emu.bot_url, down
    with contextlib.suppress(OSError):
        bot.emu.edit_message("UFR", crisis, said[0], "message 0, corrected")
    with contextlib.suppress(OSError):
        bot.emu.delete_message("UFR", crisis, said[1])
    with contextlib.suppress(OSError):
        bot.emu.add_reaction("UEN", crisis, said[2], "pushpin")
    with contextlib.suppress(OSError):
        bot.emu.remove_reaction("UEN", crisis, said[3], "pushpin")
    with contextlib.suppress(OSError):
        bot.emu.add_reaction("UFR", crisis, said[4], "rotating_light")
    with contextlib.suppress(OSError):
        bot.emu.remove_reaction("UEN", crisis, said[5], "pushpin")
    bot.emu.bot_url = up
    timeline.backfill(bot.rt.deps, _incidents(bot)[0].id)
    with bot.rt.deps.db.session() as s:
        entries = {e.ts: e for e in tl.entries(session=s, incident_id=_incidents(bot)[0].id) if e.ts}
    assert entries[said[0]].text == "message 0, corrected"
    assert said[1] not in entries  # deleted
    assert entries[said[2]].key is True
    assert entries[said[3]].key is False
    assert entries[said[4]].data.get("alert") is True
    assert entries[said[5]].key is True  # UFR's pin is still on
    # Backfilling again changes nothing.
    before = {ts: (e.text, e.key, e.data) for ts, e in entries.items()}
    timeline.backfill(bot.rt.deps, _incidents(bot)[0].id)
    with bot.rt.deps.db.session() as s:
        again = {e.ts: (e.text, e.key, e.data) for e in tl.entries(session=s, incident_id=_incidents(bot)[0].id) if e.ts}
    assert again == before


def test_what_is_said_while_the_backfill_reads_is_not_deleted(bot, monkeypatch):
    """A message or reply said while the backfill reads Slack may not have been read: it stays, even when
    something newer was read; replies Slack no longer has are still deleted, a whole thread's too."""
    from bot.flows import timeline

    bot.command("UEN", DECLARE)
    crisis = bot.incident_channel()
    parents = [bot.emu.post_message("UFR", crisis, f"thread {i}") for i in range(3)]
    replies = [bot.emu.post_message("UEN", crisis, "a reply", thread_ts=p) for p in parents + parents[:2]]
    bot.settle()
    with bot.emu.state.lock:  # deleted while the bot was down: no event reaches it
        for ts in (replies[0], replies[2]):  # thread 2 is left with no replies: not read again
            bot.emu.state.remove_message(bot.emu.state.channels[crisis], ts)
    messenger = bot.rt.deps.messenger
    real_thread = messenger.thread
    read, said = [], []

    def thread(room, ts):
        if not read:  # someone speaks in the channel while the backfill reads the threads
            said.append(bot.emu.post_message("UEN", crisis, "said during the backfill"))
        else:  # and in the thread read already, before a newer reply in the one being read
            said.append(bot.emu.post_message("UFR", crisis, "a late reply", thread_ts=read[0]))
            bot.emu.post_message("UEN", crisis, "a newer reply", thread_ts=ts)
        bot.settle()
        read.append(ts)
        return real_thread(room, ts)

    monkeypatch.setattr(messenger, "thread", thread)
    timeline.backfill(bot.rt.deps, _incidents(bot)[0].id)
    assert len(read) == 2
    with bot.rt.deps.db.session() as s:
        entries = {e.ts: e for e in tl.entries(session=s, incident_id=_incidents(bot)[0].id) if e.ts}
    assert [ts in entries for ts in said] == [True, True]
    assert [ts in entries for ts in replies] == [False, True, False, True, True]


# 3. A declare acknowledged, then the process killed before it was written -------------------------

def test_a_declare_acknowledged_by_a_process_that_died_before_writing_it_is_carried_out_at_start(bot, monkeypatch):
    from bot.slack import inbox
    from bot.store import inbox as inbox_store

    def killed(user):  # the process dies during the language look-up, before anything is written
        raise Crash()

    monkeypatch.setattr(bot.rt.deps.messenger, "language_of", killed)
    monkeypatch.setattr(inbox_store, "done", lambda **kwargs: True)  # a killed process marks nothing done
    delivery = bot.command("UEN", DECLARE)
    assert delivery.status == 200  # acknowledged
    bot.forget_errors()
    monkeypatch.undo()
    assert _incidents(bot) == []
    assert inbox.replay(bot.rt.edge) == 1  # the next start
    bot.settle()
    _assert_declared_once(bot)
    assert "TSR-2641 is declared" in bot.replies_to("UEN")[-1]
    assert inbox.replay(bot.rt.edge) == 0  # once
