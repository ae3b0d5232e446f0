"""At start: finish declares that stopped half-way (bot restarted, Slack refused)."""

from __future__ import annotations

import logging
import threading

from bot.flows import declare
from bot.flows.deps import Deps
from bot.flows.incidents import Permissions
from bot.store import incidents as store

log = logging.getLogger("cellule.recovery")
_running = threading.Lock()  # one resume at a time in this process


def resume_unfinished(deps: Deps, permissions: Permissions, retry: bool = True) -> int:
    """Run the missing steps of every unfinished declare; returns how many there were.

    A declare whose lease is still held (this bot crashed a moment ago) is tried again once the
    lease has run out, instead of being left for the next restart."""
    with _running:
        with deps.db.session() as s:
            pending = [r.id for r in store.unfinished_setups(session=s)]
        busy = 0
        for incident_id in pending:
            try:
                busy += declare.setup(deps, incident_id, permissions).busy
            except Exception:
                log.warning("could not resume the setup of incident %s", incident_id, exc_info=True)
        if busy and retry:
            timer = threading.Timer(store.SETUP_LEASE.total_seconds() + 5, resume_unfinished,
                                    args=(deps, permissions), kwargs={"retry": False})
            timer.daemon = True
            timer.start()
        return len(pending)
