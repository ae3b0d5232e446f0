"""The worst day (issue 12): nothing doubled, nothing lost, no command failed-then-run.

In-process faults: Slack doing the work and losing its answer, a crash between a post and its
recording, the same declare twice. Process kills are in test_kills.py.
"""

from __future__ import annotations

from bot.store import incidents as store

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
