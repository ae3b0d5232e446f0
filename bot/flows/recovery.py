"""At start: finish declares that stopped half-way (bot restarted, Slack refused)."""

from __future__ import annotations

import functools
import logging
import math
import threading
from collections.abc import Callable

from bot.flows import declare
from bot.flows.deps import Deps
from bot.flows.incidents import Permissions
from bot.flows.ports import Plain, Undelivered
from bot.i18n import N_
from bot.store import incidents as store
from bot.store import process

log = logging.getLogger("cellule.recovery")
_running = threading.Lock()  # one resume at a time in this process
# A declare held by another run is looked at again once a dead holder's heartbeat would be stale,
# until its lease would have run out (a holder with no heartbeat: a process of an older version).
RETRY_AFTER = process.STALE.total_seconds() + process.HEARTBEAT
RETRIES = math.ceil((store.SETUP_LEASE.total_seconds() + 5) / RETRY_AFTER)


FINISHED = N_("The declare of {ref} was interrupted (the bot restarted); it is finished now: <#{channel}>")
STOPPED = N_("The declare of {ref} was interrupted (the bot restarted) and is not finished: "
             "press “Try again” on its message, or declare it again.")


def _tell_declarer(deps: Deps, report: declare.SetupReport) -> None:
    """The person who declared was told it was under way, by a reply that has expired since: a DM."""
    incident = report.incident
    if not incident.declared_by:
        return
    lang = deps.lang_of(incident.declared_by)
    done = report.channel_ok and not any(code == "slack_refused" for code, _ in report.problems)
    text = (lang._(FINISHED, ref=incident.ref, channel=incident.channel_id) if done
            else lang._(STOPPED, ref=incident.ref))
    try:
        deps.messenger.publish(incident.declared_by, Plain(text))
    except Undelivered:
        log.warning("could not tell the declarer of %s how the resumed declare ended", incident.ref)


def _later(seconds: float, fn: Callable[[], object]) -> None:
    timer = threading.Timer(seconds, fn)
    timer.daemon = True
    timer.start()


def resume_unfinished(deps: Deps, permissions: Permissions, retry: bool = True, retries: int = RETRIES,
                      schedule: Callable[[float, Callable[[], object]], None] = _later) -> int:
    """Run the missing steps of every unfinished declare; returns how many there were.

    A declare whose lease is still held (by a run under way, or by a process that died a moment ago
    and whose heartbeat is not stale yet) is tried again every `RETRY_AFTER` seconds while it is
    held, instead of being left for the next restart."""
    with _running:
        with deps.db.session() as s:
            pending = [r.id for r in store.unfinished_setups(session=s)]
        busy = 0
        for incident_id in pending:
            try:
                report = declare.setup(deps, incident_id, permissions)
                busy += report.busy
                if not report.busy:
                    _tell_declarer(deps, report)
            except Exception:
                log.warning("could not resume the setup of incident %s", incident_id, exc_info=True)
        if busy and retry and retries > 0:  # `schedule`: a timer (tests run it when they choose)
            schedule(RETRY_AFTER, functools.partial(resume_unfinished, deps, permissions,
                                                    retries=retries - 1, schedule=schedule))
        return len(pending)
