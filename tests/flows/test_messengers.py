"""The in-memory messenger behaves like the Slack one on the same scenarios.

Each scenario runs against `MemoryMessenger` and against `SlackMessenger` talking to the strict
Slack emulator over HTTP, so use-case tests that use the memory one test what Slack would do.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from bot.core.model import Incident, Priority, Status
from bot.flows.memory import BOT, MemoryMessenger
from bot.flows.ports import Edit, Plain, Post, StatusUpdate, Summary, Undelivered
from bot.i18n import Catalogs
from bot.slack.chat import Chat
from bot.slack.messenger import SlackMessenger
from slack_sdk import WebClient

LANGS = [Catalogs(languages=("fr", "en"), timezone="Europe/Paris").lang(c) for c in ("fr", "en")]
INCIDENT = Incident(ref="TSR-1", number=1, title={"fr": "Panne", "en": "Outage"}, priority=Priority.P2,
                    declared_at=datetime(2025, 12, 4, 11, 8, tzinfo=timezone.utc), declared_by="UFR")


class Side:
    """One messenger and how to look inside the world it talks to."""

    def __init__(self, messenger, *, room_named, members, posts, people):
        self.m, self.room_named, self.members, self.posts, self.people = messenger, room_named, members, posts, people


@pytest.fixture(params=["memory", "slack"])
def side(request) -> Side:
    if request.param == "memory":
        m = MemoryMessenger(people={"UFR": "fr", "UEN": "en"})
        m.add_room("ops", members=["UFR", "UEN"])
        return Side(m, room_named=lambda n: next(r.room.id for r in m.rooms.values() if r.room.name == n),
                    members=lambda room: m.rooms[room].members - {BOT}, posts=lambda room: m.posted(room),
                    people=("UFR", "UEN"))
    emu = request.getfixturevalue("emulator")
    chat = Chat(WebClient(token=emu.bot_token, base_url=emu.api_url))
    return Side(SlackMessenger(chat), room_named=lambda n: next(c.id for c in emu.state.channels.values() if c.name == n),
                members=lambda room: set(emu.channel(room).members) - {emu.bot_user_id},
                posts=lambda room: emu.channel(room).messages, people=("UFR", "UEN"))


def test_a_room_name_can_be_taken_once_and_is_listed_as_ours(side):
    room = side.m.open_room("tsr-1-panne", private=False)
    assert room.id and room.name == "tsr-1-panne" and room.private is False
    with pytest.raises(Undelivered) as refused:
        side.m.open_room("tsr-1-panne", private=False)
    assert refused.value.code == "name_taken"
    assert side.m.rooms_we_made()["tsr-1-panne"].id == room.id
    assert "ops" not in side.m.rooms_we_made()  # made by someone else


def test_invites_report_who_could_not_be_invited(side):
    room = side.m.open_room("tsr-1-invites", private=False)
    invited = side.m.invite(room.id, list(side.people) + ["U404"])
    assert invited.refused == [("U404", "user_not_found")]
    assert side.members(room.id) >= set(side.people)
    assert side.m.invite(room.id, ["U404"]).refused == [("U404", "user_not_found")]  # nobody at all: said the same way
    with pytest.raises(Undelivered) as refused:
        side.m.invite("CNOWHERE", list(side.people))
    assert refused.value.code == "channel_not_found"


def test_notices_are_published_threaded_and_revised(side):
    room = side.m.open_room("tsr-1-notices", private=False).id
    first = side.m.publish(room, Summary(INCIDENT, [], LANGS))
    reply = side.m.publish(room, StatusUpdate(INCIDENT, Status.IDENTIFIED, {"fr": "Trouvé", "en": "Found"},
                                              LANGS, LANGS), thread=first, broadcast=True)
    assert first != reply and float(reply) > float(first)
    side.m.revise(room, first, Summary(INCIDENT, [], LANGS))
    side.m.pin(room, first)
    assert len(side.posts(room)) == 2
    with pytest.raises(Undelivered):
        side.m.revise(room, "1.000001", Plain("nothing there"))


def test_the_fingerprint_changes_with_what_a_notice_shows(side):
    a = side.m.shown(Summary(INCIDENT, [], LANGS))
    assert a == side.m.shown(Summary(INCIDENT, [], LANGS))
    resolved = Incident(**{**INCIDENT.__dict__, "status": Status.RESOLVED})
    assert a != side.m.shown(Summary(resolved, [], LANGS))


def test_a_person_language_and_the_bot_itself(side):
    assert side.m.language_of("UFR") == "fr"
    assert side.m.language_of("UEN") == "en"
    assert side.m.bot_user()


def test_posting_where_the_bot_is_not_fails_as_one_typed_value(side):
    with pytest.raises(Undelivered) as refused:
        side.m.publish("CNOWHERE", Plain("hello"))
    assert refused.value.code == "channel_not_found"
    assert refused.value.problem() == ("slack_refused", {"method": refused.value.method, "code": "channel_not_found"})


def test_a_batch_gives_one_result_per_item_and_a_failure_stops_no_other(side):
    rooms = [side.m.open_room(f"tsr-1-batch-{n}", private=False).id for n in range(3)]
    posts = [Post(rooms[0], Summary(INCIDENT, [], LANGS)), Post("CNOWHERE", Plain("lost")),
             Post(rooms[1], Plain("second")), Post(rooms[2], Plain("third"), thread="1.000001")]
    results = side.m.publish_all(posts)
    assert isinstance(results[0], str) and isinstance(results[2], str)
    assert isinstance(results[1], Undelivered) and results[1].code == "channel_not_found"
    assert isinstance(results[3], Undelivered)  # no such thread
    assert [len(side.posts(r)) for r in rooms] == [1, 1, 0]
    edits = side.m.revise_all([Edit(rooms[0], results[0], Summary(INCIDENT, [], LANGS)),
                               Edit(rooms[1], "1.000001", Plain("nothing there"))])
    assert edits[0] is None and isinstance(edits[1], Undelivered)
    both = side.m.at_once([lambda: side.m.link(rooms[0], results[0]), lambda: side.m.pin(rooms[1], results[2])])
    assert isinstance(both[0], str) and both[1] is None
    assert side.m.at_once([]) == []
