"""The Statuspage mirror against a strict fake of its REST API v1, over real HTTP: one incident with
every update and the component statuses, whatever the faults, restarts and rate limits."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from markdown_it import MarkdownIt

from bot.statuspage.fake import FakeStatuspage
from bot.statuspage.mirror import Client, Mirror, RateLimiter
from tests.statuspage.conftest import PageBot

KEY, PAGE = "sp-key-123", "pg1"


@pytest.fixture
def fake():
    f = FakeStatuspage(KEY, PAGE).start()
    yield f
    f.stop()


def _client(fake, spacing: float = 1.0) -> Client:
    return Client(fake.url, PAGE, KEY, limiter=RateLimiter(spacing, clock=lambda: fake.now, sleep=fake.advance),
                  sleep=fake.advance)


@pytest.fixture
def bot(emulator, database_url, clock, fake):
    b = PageBot(emulator, database_url, clock, STATUS_PAGE="on", STATUSPAGE_API_KEY=KEY, STATUSPAGE_PAGE_ID=PAGE,
                STATUSPAGE_API_URL=fake.url)
    b.rt.site.check_every = 0
    b.rt.mirror.client = _client(fake)
    yield b
    b.close()


def _declare(bot):
    bot.clock.set(datetime(2025, 12, 4, 11, 10, tzinfo=timezone.utc))
    bot.command("UFR", "component add ecommerce FR Processing e-commerce EN E-commerce processing")
    bot.command("UFR", "declare P2 FR Perturbations plateforme de paiement EN Payment platform disruptions")
    crisis = bot.incident_channel()
    bot.command("UFR", "affects ecommerce", channel=crisis)
    return crisis


def test_one_incident_with_every_update_and_component_statuses_after_faults(bot, fake):
    crisis = _declare(bot)
    mirror = bot.rt.mirror
    assert mirror.sync_all() and fake.incidents == {}  # nothing before publish
    bot.command("UFR", "publish", channel=crisis)
    bot.clock.set(datetime(2025, 12, 4, 11, 34, tzinfo=timezone.utc))
    bot.command("UEN", "update monitoring FR Nous surveillons. EN We are monitoring.", channel=crisis)

    fake.fail_after_write, fake.fail_match = 1, "POST /incidents"  # the incident is created, the answer lost
    assert not mirror.sync_all()
    assert len(fake.incidents) == 1 and fake.fail_after_write == 0
    assert mirror.sync_all()
    [incident] = fake.incidents.values()
    assert incident["name"] == "Perturbations plateforme de paiement / Payment platform disruptions"
    assert [u["body"] for u in incident["incident_updates"]] == ["FR Nous surveillons. EN We are monitoring."]
    assert incident["incident_updates"][0]["display_at"].startswith("2025-12-04T11:34")
    [component] = fake.components.values()
    assert component["name"] == "Processing e-commerce / E-commerce processing"
    assert component["status"] == "partial_outage"

    bot.clock.set(datetime(2025, 12, 4, 13, 28, tzinfo=timezone.utc))
    bot.command("UEN", "update monitoring FR Origine externe. EN External origin.", channel=crisis)
    fake.fail_after_write, fake.fail_match = 1, "PATCH /incidents/"  # the update is written, the answer lost
    assert not mirror.sync_all()
    assert fake.fail_after_write == 0
    fake.fail_before_write = 5  # Statuspage down: the crisis channel is told once
    assert not mirror.sync_all() and not mirror.sync_all()
    told = [m for m in bot.emu.messages(crisis) if "Statuspage" in m.get("text", "")]
    assert len(told) == 1
    fake.fail_before_write = 0
    # A restart: a new mirror with nothing in memory finds everything by the stored ids.
    again = Mirror(bot.rt.deps, _client(fake))
    assert again.sync_all()
    bot.clock.set(datetime(2025, 12, 4, 14, 44, tzinfo=timezone.utc))
    bot.command("UFR", "resolve", channel=crisis)
    assert again.sync_all() and mirror.sync_all()
    # A key moment crafted to become a link once the mention is cut out of the escaped postmortem.
    bot.command("UFR", "event 12h00 #U1[Reset your password here\n#U1](https://evil.example/login)", channel=crisis)
    bot.command("UFR", "postmortem", channel=crisis)
    bot.command("UFR", "publish postmortem", channel=crisis)
    assert mirror.sync_all() and mirror.sync_all()

    [incident] = fake.incidents.values()
    bodies = [u["body"] for u in reversed(incident["incident_updates"])]
    assert bodies[:2] == ["FR Nous surveillons. EN We are monitoring.", "FR Origine externe. EN External origin."]
    assert len(bodies) == 3 and bodies[2].endswith("EN This incident has been resolved."), bodies
    assert [u["display_at"][:16] for u in reversed(incident["incident_updates"])] == [
        "2025-12-04T11:34", "2025-12-04T13:28", "2025-12-04T14:44"]
    assert incident["status"] == "resolved"
    assert fake.components[incident["component_ids"][0]]["status"] == "operational"
    assert "Post Mortem" in incident["postmortem_body"] and "Référence incident" in incident["postmortem_body"]
    assert "Incident reference" in incident["postmortem_body"]
    assert "Reset your password here" in incident["postmortem_body"]  # Statuspage renders Markdown, links on:
    assert "<a " not in MarkdownIt("commonmark").render(incident["postmortem_body"])
    assert [r for r in fake.requests if r[1].endswith("/postmortem/publish")] == [
        ("PUT", f"/v1/pages/{PAGE}/incidents/{incident['id']}/postmortem/publish")]  # once: nothing changed after
    assert fake.refusals == []  # every body the mirror sent was valid for the strict fake


def test_rate_limit_answers_are_retried_and_unpublish_removes_it(bot, fake):
    crisis = _declare(bot)
    bot.command("UFR", "publish", channel=crisis)
    bot.command("UEN", "update identified FR Trouvé EN Found", channel=crisis)
    bot.rt.mirror.client = _client(fake, spacing=0)  # no spacing of our own: the fake answers 420
    assert bot.rt.mirror.sync_all()
    assert len(fake.incidents) == 1 and fake.rate_limited > 0
    limited = fake.rate_limited
    fake.rate_status = 429
    bot.command("UFR", "unpublish", channel=crisis)
    assert bot.rt.mirror.sync_all()
    assert fake.incidents == {} and fake.rate_limited > limited


def test_the_strict_fake_refuses_unknown_fields_and_missing_names(fake):
    from bot.statuspage.mirror import MirrorError

    client = _client(fake)
    with pytest.raises(MirrorError, match="400"):
        client.call("POST", "/incidents", {"incident": {"name": "x", "colour": "red"}})
    with pytest.raises(MirrorError, match="400"):
        client.call("POST", "/incidents", {"incident": {"status": "investigating"}})
    with pytest.raises(MirrorError, match="400"):
        client.call("POST", "/components", {"component": {"name": "x", "status": "broken"}})
    assert len(fake.refusals) == 3


def test_a_statuspage_outage_never_fails_a_slack_command(bot, fake):
    fake.stop()
    crisis = _declare(bot)
    bot.command("UFR", "publish", channel=crisis)
    assert any("TSR-2641" in r for r in bot.replies_to("UFR"))
    assert not bot.rt.mirror.sync_all()


def test_two_replicas_syncing_at_once_create_one_incident(bot, fake):
    import threading

    crisis = _declare(bot)
    bot.command("UFR", "publish", channel=crisis)
    bot.command("UEN", "update identified FR Trouvé EN Found", channel=crisis)
    replicas = [Mirror(bot.rt.deps, _client(fake)) for _ in range(2)]
    barrier = threading.Barrier(2)

    def run(m):
        barrier.wait()
        m.sync_all()

    threads = [threading.Thread(target=run, args=(m,)) for m in replicas]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(m.sync_all() for m in replicas)  # whichever lost the lease catches up after
    assert len(fake.incidents) == 1 and len(fake.components) == 1
    [incident] = fake.incidents.values()
    assert len(incident["incident_updates"]) == 1


def test_a_mirror_lease_of_a_replica_that_stopped_beating_is_taken_over_within_seconds(bot, fake, monkeypatch):
    """The same liveness as every lease (bot.store.process): the replica on another host that held
    the incident's mirror died; its heartbeat, on the database's clock, says so after STALE."""
    import sqlalchemy as sa

    from bot.store import process
    from bot.store.models import PublicationRow

    crisis = _declare(bot)
    bot.command("UFR", "publish", channel=crisis)
    bot.command("UEN", "update identified FR Trouvé EN Found", channel=crisis)
    monkeypatch.setattr(process, "clock", lambda session: bot.clock())
    elsewhere = "replica-b.example:4242:0123456789ab"
    with bot.rt.deps.db.session() as s:
        process.beat(s, elsewhere)
        s.execute(sa.update(PublicationRow).values(mirror_lease=bot.clock() + timedelta(minutes=2),
                                                   mirror_holder=elsewhere))
    assert bot.rt.mirror.sync_all() is False and fake.incidents == {}  # alive: its lease is respected
    bot.clock.set(bot.clock() + process.STALE + timedelta(seconds=1))
    assert bot.rt.mirror.sync_all() and len(fake.incidents) == 1  # silent: taken over, long before 2 min
