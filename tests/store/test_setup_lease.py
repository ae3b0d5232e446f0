"""The declare's Slack steps are leased to one run at a time; only the holder renews or frees it."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from bot.core.model import Incident, Priority
from bot.store import incidents as store

NOW = datetime(2025, 12, 4, 11, 13, tzinfo=timezone.utc)


def _incident(db) -> int:
    with db.session() as s:
        row = store.create(session=s, incident=Incident(ref="TSR-1", number=1, title={"fr": "x"}, priority=Priority.P2),
                           declare_key=None, is_private=False, now=NOW)
        return row.id


def test_one_holder_at_a_time_and_an_expired_lease_can_be_taken(db):
    iid = _incident(db)
    with db.session() as s:
        a = store.claim_setup(session=s, incident_id=iid, now=NOW)
    with db.session() as s:
        assert store.claim_setup(session=s, incident_id=iid, now=NOW + timedelta(seconds=30)) is None
    later = NOW + store.SETUP_LEASE + timedelta(seconds=1)
    with db.session() as s:
        b = store.claim_setup(session=s, incident_id=iid, now=later)
    assert a is not None and b is not None and b != a


def test_a_run_that_overran_neither_renews_nor_frees_the_new_holders_lease(db):
    iid = _incident(db)
    with db.session() as s:
        a = store.claim_setup(session=s, incident_id=iid, now=NOW)
    later = NOW + store.SETUP_LEASE + timedelta(seconds=1)
    with db.session() as s:
        b = store.claim_setup(session=s, incident_id=iid, now=later)
    with db.session() as s:
        assert store.renew_setup(session=s, incident_id=iid, lease=a, now=later) is None
        store.release_setup(session=s, incident_id=iid, lease=a)
    with db.session() as s:  # b still holds it: a third run is refused
        assert store.claim_setup(session=s, incident_id=iid, now=later + timedelta(seconds=1)) is None
    with db.session() as s:
        store.release_setup(session=s, incident_id=iid, lease=b)
    with db.session() as s:
        assert store.claim_setup(session=s, incident_id=iid, now=later + timedelta(seconds=2)) is not None
