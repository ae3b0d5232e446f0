"""The incident lifecycle, written as a table of allowed transitions."""

from __future__ import annotations

from bot.core.model import Status

ORDER = (Status.INVESTIGATING, Status.IDENTIFIED, Status.MONITORING, Status.RESOLVED)

# An update may repeat the current status (a second "monitoring" post, as on the example page)
# or move forward, skipping steps. Going back is a reopen, which only a resolved incident allows.
ALLOWED: dict[Status, frozenset[Status]] = {
    Status.INVESTIGATING: frozenset(ORDER),
    Status.IDENTIFIED: frozenset(ORDER[1:]),
    Status.MONITORING: frozenset(ORDER[2:]),
    Status.RESOLVED: frozenset(),
}
REOPEN_FROM = frozenset({Status.RESOLVED})
REOPEN_TO = Status.INVESTIGATING


class TransitionRefused(Exception):
    """`code` names the reason; `allowed` lists what the incident may move to instead."""

    def __init__(self, code: str, current: Status, wanted: Status | None, allowed: tuple[Status, ...]):
        super().__init__(code)
        self.code = code
        self.current = current
        self.wanted = wanted
        self.allowed = allowed


def allowed_from(current: Status) -> tuple[Status, ...]:
    return tuple(s for s in ORDER if s in ALLOWED[current])


def check_update(current: Status, wanted: Status) -> None:
    if wanted in ALLOWED[current]:
        return
    code = "resolved_needs_reopen" if current is Status.RESOLVED else "backwards"
    raise TransitionRefused(code, current, wanted, allowed_from(current))


def check_reopen(current: Status) -> None:
    if current not in REOPEN_FROM:
        raise TransitionRefused("not_resolved", current, REOPEN_TO, allowed_from(current))
