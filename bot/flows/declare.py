"""Declaring: record the incident first, then set up Slack in resumable steps.

The incident is committed before any Slack call, so a refusal half-way loses nothing; each
finished step is written to `incident.setup`, and running the setup again continues where it
stopped (a repeated declare, the "try again" button, or the bot's own retry at start).
"""

from __future__ import annotations

import hashlib
import logging

import sqlalchemy.exc as sa_exc
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

from bot.core import transitions
from bot.core.channel_name import channel_name, naming_title, with_suffix
from bot.core.idempotency import post_key
from bot.core.impact import WINDOW_KINDS
from bot.core.model import Entry, Incident, Priority, Responsibility, Texts
from bot.flows.deps import Deps, UserError
from bot.flows.incidents import Permissions
from bot.flows.ports import Announcement, Post, Problem, Room, Summary, Undelivered
from bot.i18n import N_
from bot.render.header import across
from bot.store import changes
from bot.store import incidents as store
from bot.store import timeline as tl

log = logging.getLogger("cellule.declare")
MAX_NAME_TRIES = 30
CREATED_MARGIN = 300  # seconds: clocks differ between Slack and us
BOOKMARK = N_("Stakeholder announcement")
# The same declare by the same person within this time is taken for a repeat, not a new incident.
REPEAT_WINDOW = timedelta(minutes=5)


@dataclass
class DeclareRequest:
    user: str
    title: Texts
    priority: Priority = Priority.P3
    category: str = ""
    responsibility: Responsibility | None = None
    components: Texts = field(default_factory=dict)
    impact: Texts = field(default_factory=dict)
    impact_start: datetime | None = None
    private: bool = False
    key: str | None = None  # idempotency key: the same request twice resumes one incident


class AlreadyDeclared(Exception):
    """The person declared this a moment ago: point them to it rather than declare it twice."""

    def __init__(self, incident: Incident):
        super().__init__(incident.ref)
        self.incident = incident


class LeaseLost(Exception):
    """Another run holds the declare's steps now (ours expired while Slack was slow)."""


@dataclass
class SetupReport:
    incident: Incident
    problems: list[Problem] = field(default_factory=list)  # to tell the declarer
    channel_ok: bool = False
    busy: bool = False  # another run is doing the steps right now
    lease: datetime | None = None  # ours while we run the steps, renewed at each one


def request_key(user: str, text: str, nonce: str = "") -> str:
    """The same person typing the same declare gets the same key; `nonce` makes one on purpose anew."""
    return "cmd:" + hashlib.sha256(f"{user}\n{' '.join(text.split())}\n{nonce}".encode()).hexdigest()[:40]


def record(deps: Deps, req: DeclareRequest) -> tuple[Incident, bool]:
    """Create the incident (or find the one with the same key). Returns (incident, created).

    Raises AlreadyDeclared for a repeat of a declare that finished within REPEAT_WINDOW."""
    if not any(t.strip() for t in req.title.values()):
        raise UserError("missing_title")
    try:
        return _record(deps, req)
    except sa_exc.IntegrityError:
        # Another process inserted the same declare between our look-up and our insert.
        with deps.db.session() as s:
            existing = store.by_declare_key(session=s, key=req.key) if req.key else None
        if existing is None:
            raise
        return store.to_incident(existing), False


def _record(deps: Deps, req: DeclareRequest) -> tuple[Incident, bool]:
    now = deps.now()
    prefix = deps.settings.prefix

    def draft(number: int) -> transitions.Transition:
        incident = Incident(ref=f"{prefix}-{number}", number=number, title=req.title, priority=req.priority,
                            category=req.category, responsibility=req.responsibility, components=req.components,
                            impact=req.impact)
        return transitions.declare(incident, user=req.user, now=now, impact_start=req.impact_start)

    def stale(row) -> bool:  # finished long enough ago: the same words make a new incident
        return bool((row.setup or {}).get("done")) and bool(row.declared_at) and now - row.declared_at >= REPEAT_WINDOW

    incident, created = changes.create(deps.db, draft, prefix=prefix, first=deps.settings.first_number, now=now,
                                       declare_key=req.key, private=req.private, stale=stale)
    if not created and _finished(deps, incident.id):
        raise AlreadyDeclared(incident)  # the same declare again, a moment after it finished
    return incident, created


def _finished(deps: Deps, incident_id: int) -> bool:
    with deps.db.session() as s:
        row = store.get(session=s, incident_id=incident_id)
        return bool(row and (row.setup or {}).get("done"))


def setup(deps: Deps, incident_id: int, permissions: Permissions,
          progress: Callable[[Incident], None] | None = None) -> SetupReport:
    """Run the Slack steps not done yet. Never raises for Slack refusals: they are reported.

    Only one run at a time per incident, across processes (a lease in the database); another
    run finds `busy` and leaves the work to the one under way.
    """
    with deps.db.session() as s:
        lease = store.claim_setup(session=s, incident_id=incident_id, now=deps.now())
        row = store.get(session=s, incident_id=incident_id)
        incident, done, private = store.to_incident(row), dict(row.setup), row.is_private
    report = SetupReport(incident, lease=lease)
    if lease is None:
        report.busy = True
        return report
    try:
        return _steps(deps, incident_id, permissions, progress, report, done, private)
    except LeaseLost:  # we overran our lease and another run took over: leave the rest to it
        report.busy = True
        return report
    finally:
        with deps.db.session() as s:
            store.release_setup(session=s, incident_id=incident_id, lease=report.lease)


def _steps(deps: Deps, incident_id: int, permissions: Permissions, progress, report: SetupReport,
           done: dict, private: bool) -> SetupReport:
    incident = report.incident
    # A run that follows an interrupted one looks before each post, by the post's key: the earlier
    # run may have died between Slack's answer and our write.
    resumed = incident.declared_at.timestamp() - CREATED_MARGIN if (done or incident.channel_id) else None

    if not incident.channel_id:
        try:
            _create_channel(deps, incident, private)
        except Undelivered as e:
            report.problems.append(("channel_failed", {"code": e.code}))
            return report
    report.channel_ok = True
    if progress:
        progress(incident)

    # What people see, in three rounds of calls that do not depend on each other: the summary and
    # every announcement; then the invitations (after the summary, so it is the channel's first
    # message and Slack's "joined" lines come below it), the pin, the topic and the announcement's
    # link; then the bookmark to that link.
    messenger = deps.messenger
    entries = _entries(deps, incident_id)
    announced = dict(done.get("announced") or {})
    targets = [t for t in deps.settings.announce if t.channel not in announced]
    posts, notices = [], []
    if not done.get("summary"):
        notices.append(Summary(incident, entries, deps.langs))
        posts.append(Post(incident.channel_id, notices[-1], key=post_key(incident, "summary", incident.channel_id),
                          resumed=resumed))
    for target in targets:
        langs = [deps.catalogs.lang(c) for c in deps.settings.announce_languages(target)]
        notices.append(Announcement(incident, entries, langs, deps.langs))
        posts.append(Post(target.channel, notices[-1], key=post_key(incident, "announcement", target.channel),
                          resumed=resumed))
    for post, notice, ts in zip(posts, notices, messenger.publish_all(posts)):
        summary = isinstance(notice, Summary)
        if isinstance(ts, Undelivered):
            if summary:
                report.problems.append(ts.problem())
            else:
                code = "announce_not_in_channel" if ts.code in ("not_in_channel", "channel_not_found") else "slack_refused"
                report.problems.append((code, {"channel": f"<#{post.room}>", "method": ts.method, "code": ts.code}))
            continue
        languages = deps.settings.languages if summary else tuple(l.code for l in notice.langs)
        # The post and its step in one transaction: a run that dies in between leaves neither, and
        # the next run finds the post by its key and records both.
        record = partial(store.add_post, incident_id=incident_id, kind="summary" if summary else "announcement",
                         channel_id=post.room, ts=ts, languages=languages, shown=messenger.shown(notice))
        if summary:
            done["summary"] = ts  # posted: a failed pin must not post it a second time
            _mark(deps, report, "summary", ts, record)
        else:
            announced[post.room] = ts
            _mark(deps, report, "announced", announced, record)

    steps: dict[str, Callable[[], object]] = {}
    if not done.get("invited"):
        steps["invited"] = lambda: _invite(deps, incident, permissions)
    if done.get("summary") and not done.get("pinned"):  # the summary's ts (migration 0006 for older rows)
        steps["pinned"] = lambda: messenger.pin(incident.channel_id, done["summary"])
    if not done.get("topic"):
        steps["topic"] = lambda: messenger.set_topic(incident.channel_id, incident, deps.langs)
    if announced and not done.get("bookmark"):
        steps["link"] = lambda: messenger.link(*next(iter(announced.items())))
    finished = dict(zip(steps, messenger.at_once(list(steps.values()))))
    for step, value in finished.items():
        if isinstance(value, Undelivered):
            report.problems.append(value.problem())
        elif step == "invited":
            report.problems += value
            if not any(code == "slack_refused" for code, _ in value):  # else invite again on the next run
                _mark(deps, report, "invited")
        elif step != "link":
            _mark(deps, report, step, value if step == "topic" else True)
    link = finished.get("link")
    if isinstance(link, str):
        try:
            messenger.bookmark(incident.channel_id, across(deps.langs, lambda l: l._(BOOKMARK)), link,
                               resumed=resumed is not None)
            _mark(deps, report, "bookmark")
        except Undelivered as e:
            report.problems.append(e.problem())
    if not any(code in ("slack_refused",) for code, _ in report.problems):
        with deps.db.session() as s:
            row = store.get(session=s, incident_id=incident_id, lock=True)
            row.setup = {**row.setup, "done": True}  # the key stays: a repeat soon after is recognised
            s.add(row)
    return report


def _entries(deps: Deps, incident_id: int) -> list[Entry]:
    with deps.db.session() as s:
        return tl.entries(session=s, incident_id=incident_id, kinds=WINDOW_KINDS)


def _mark(deps: Deps, report: SetupReport, step: str, value=True, *with_it: Callable) -> None:
    """Record a finished step (and `with_it`, writes taking `session=`, in the same transaction), and
    extend our lease for the next one (Slack may be slow)."""
    incident_id = report.incident.id
    with deps.db.session() as s:
        for write in with_it:
            write(session=s)
        store.mark_setup(session=s, incident_id=incident_id, step=step, value=value)
        if report.lease is not None:
            report.lease = store.renew_setup(session=s, incident_id=incident_id, lease=report.lease, now=deps.now())
            if report.lease is None:
                raise LeaseLost(incident_id)


def _create_channel(deps: Deps, incident: Incident, private: bool) -> None:
    title = naming_title([incident.title.get(c, "") for c in deps.settings.languages])
    base = channel_name(deps.settings.prefix, incident.number, title)
    name, ours = base, None
    for n in range(2, MAX_NAME_TRIES + 2):
        try:
            channel = deps.messenger.open_room(name, private)
            break
        except Undelivered as e:
            if e.code != "name_taken":
                raise
            if ours is None or name not in ours:  # listed again: a lost answer may have made it ours
                ours = deps.messenger.rooms_we_made()
            channel = _left_behind(deps, incident, private, ours.get(name))
            if channel is not None:
                break
            name = with_suffix(base, n)
    else:
        raise Undelivered("name_taken", "open_room")
    with deps.db.session() as s:
        row = store.get(session=s, incident_id=incident.id, lock=True)
        row.channel_id, row.channel_name = channel.id, channel.name or name
        s.add(row)
    incident.channel_id, incident.channel_name = channel.id, channel.name or name


def _left_behind(deps: Deps, incident: Incident, private: bool, channel: Room | None) -> Room | None:
    """This channel of ours if it can only be this incident's, else None.

    Slack can create the channel and the answer still be lost (a server error that the client
    retries, a crash before our write): the name is then taken by our own channel. Taking it back,
    rather than making `-2`, is what lets an interrupted declare resume without a second channel.
    Names carry the incident's number; the channel must also be as private as asked, made after
    the declaration (not a leftover of a reset database reusing the number), and held by no
    incident. Someone else's channel is never taken.
    """
    if channel is None or channel.private != private:
        return None
    if incident.declared_at and channel.created < incident.declared_at.timestamp() - CREATED_MARGIN:
        return None
    with deps.db.session() as s:
        if store.by_channel(session=s, channel_id=channel.id) is not None:
            return None
    log.info("taking back channel %s, created earlier for this incident", channel.name)
    return channel


def _invite(deps: Deps, incident: Incident, permissions: Permissions) -> list[Problem]:
    problems: list[Problem] = []
    users, failed_groups = permissions.crisis_unit_users()
    for group in failed_groups:
        problems.append(("crisis_group_unknown", {"group": group}))
    try:
        bot_user = deps.messenger.bot_user()
    except Undelivered as e:  # setup reports Slack's refusals, it never raises them
        return problems + [e.problem()]
    wanted = list(dict.fromkeys(u for u in [incident.declared_by, *sorted(users)] if u and u != bot_user))
    if not wanted:
        return problems
    try:
        refused = deps.messenger.invite(incident.channel_id, wanted).refused
    except Undelivered as e:
        return problems + [e.problem()]
    return problems + [("crisis_user_unknown", {"user": user, "code": code}) for user, code in refused]
