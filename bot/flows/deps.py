"""What every flow needs, built once at start and passed in (no globals)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone

from bot.config import Settings
from bot.core.errors import Refusal
from bot.i18n import Catalogs, Lang
from bot.flows.ports import Messenger
from bot.store.db import Database


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class Deps:
    settings: Settings
    db: Database
    catalogs: Catalogs
    messenger: Messenger
    clock: Callable[[], datetime] = field(default=utcnow)
    # The outlets that show incidents beyond the crisis channel (the Home tab, the Statuspage mirror),
    # told after each change: listener(incident id or None for the component catalog, session). The
    # session is the change's last transaction when there is one (a listener reads in it and does
    # its slow work elsewhere), else None.
    listeners: list[Callable] = field(default_factory=list, repr=False)
    _locks: dict[int, threading.Lock] = field(default_factory=dict, repr=False)
    _locks_guard: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def now(self) -> datetime:
        return self.clock()

    def changed(self, incident_id: int | None, session=None) -> None:
        for listener in list(self.listeners):
            try:
                if session is None:
                    listener(incident_id, None)
                else:
                    with session.begin_nested():  # a failing listener is rolled back alone
                        listener(incident_id, session)
            except Exception:  # what only shows a change must not fail the change
                logging.getLogger("cellule.deps").warning("change listener failed", exc_info=True)

    def incident_lock(self, incident_id: int) -> threading.Lock:
        """One at a time per incident in this process, for work whose order Slack must see."""
        with self._locks_guard:
            return self._locks.setdefault(incident_id, threading.Lock())

    @property
    def langs(self) -> list[Lang]:
        return [self.catalogs.lang(code) for code in self.settings.languages]

    def langs_of(self, post) -> list[Lang]:
        """The languages a post was written in (a stakeholder channel's), else every configured one."""
        return [self.catalogs.lang(c) for c in post.languages.split(",") if c] or self.langs

    def lang_of(self, user: str | None) -> Lang:
        """The person's Slack language when we ship it, else the first configured one."""
        if user:
            code = self.messenger.language_of(user)
            if code in self.catalogs.languages:
                return self.catalogs.lang(code)
        return self.catalogs.lang(self.settings.languages[0])


UserError = Refusal  # a refusal or mistake to tell the person, in their language
