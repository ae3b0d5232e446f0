"""Finding the incident a command is about, and who may change it."""

from __future__ import annotations

import threading

from cachetools import TTLCache

from bot.core.model import Incident
from bot.flows.deps import Deps, UserError
from bot.flows.ports import Undelivered
from bot.store import incidents as store

GROUP_TTL = 300.0  # seconds a user group's member list is trusted


def by_id(deps: Deps, incident_id: int, read: bool = False) -> Incident | None:
    """`read`: before an acknowledgement, a read that no writer holds up."""
    with (deps.db.read() if read else deps.db.session()) as s:
        row = store.get(session=s, incident_id=incident_id)
    return store.to_incident(row) if row else None


def of_channel(deps: Deps, channel_id: str) -> int | None:
    """The id of the incident whose crisis channel this is, if any."""
    with deps.db.session() as s:
        row = store.by_channel(session=s, channel_id=channel_id)
    return row.id if row else None


def find(deps: Deps, *, channel_id: str | None, ref: str | None, command: str) -> Incident:
    with deps.db.session() as s:
        row = store.by_ref(session=s, ref=ref) if ref else store.by_channel(session=s, channel_id=channel_id or "")
    if row is None:
        if ref:
            raise UserError("unknown_ref", ref=ref)
        raise UserError("no_incident_here", command=command, prefix=deps.settings.prefix)
    return store.to_incident(row)


class Permissions:
    """CONTRACT: when CRISIS_UNIT is set, only it, the declarer and the roles may change an incident."""

    def __init__(self, deps: Deps):
        self.deps = deps
        # Member lists of CRISIS_UNIT's user groups, trusted for GROUP_TTL (cachetools is not thread-safe).
        self._groups: TTLCache[str, set[str]] = TTLCache(maxsize=256, ttl=GROUP_TTL)
        self._lock = threading.Lock()

    def crisis_unit_users(self) -> tuple[set[str], list[str]]:
        """Users of CRISIS_UNIT with groups expanded; also the groups Slack would not list."""
        users, failed = set(), []
        for member in self.deps.settings.crisis_unit:
            if member.startswith("S"):
                try:
                    users |= self._group(member)
                except Undelivered:
                    failed.append(member)
            else:
                users.add(member)
        return users, failed

    def _group(self, group: str) -> set[str]:
        with self._lock:
            cached = self._groups.get(group)
        if cached is not None:
            return cached
        members = set(self.deps.messenger.group_members(group))
        with self._lock:
            self._groups[group] = members
        return members

    def may_change(self, user: str, incident: Incident | None) -> bool:
        if not self.deps.settings.crisis_unit:
            return True
        if incident is not None and (user == incident.declared_by or user in incident.roles.values()):
            return True
        return user in self.crisis_unit_users()[0]

    def may_read(self, user: str, incident: Incident) -> bool:
        """Anyone may read an incident (status, timeline), except one with a private channel."""
        return not incident.private or self.may_change(user, incident)

    def known(self, user: str, incident: Incident | None) -> bool | None:
        """`may_change` without asking Slack: None when a user group's members are not cached."""
        if not self.deps.settings.crisis_unit:
            return True
        if incident is not None and (user == incident.declared_by or user in incident.roles.values()):
            return True
        if user in self.deps.settings.crisis_unit:
            return True
        groups = [g for g in self.deps.settings.crisis_unit if g.startswith("S")]
        with self._lock:
            fresh = [self._groups.get(g) for g in groups]
        if any(members is None for members in fresh):
            return None
        return any(user in members for members in fresh)

    def check(self, user: str, incident: Incident | None) -> None:
        if not self.may_change(user, incident):
            if incident is None:
                raise UserError("not_allowed_declare")
            raise UserError("not_allowed", ref=incident.ref)
