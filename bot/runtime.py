"""The composition root: the one place that wires adapters into the use cases and the Bolt app."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import datetime

from slack_bolt import App

from bot.config import Settings
from bot.flows.deps import Deps, utcnow
from bot.flows.reminders import Scheduler
from bot.flows.incidents import Permissions
from bot.i18n import Catalogs
from bot.slack.app import build_app
from bot.slack.chat import Chat
from bot.slack.client import Sleep, make_client
from bot.slack.edge import Edge
from bot.slack.limits import Limiter
from bot.slack.messenger import SlackMessenger
from bot.store.db import Database
from bot.store.process import Heartbeat


@dataclass
class Runtime:
    settings: Settings
    deps: Deps
    edge: Edge
    app: App
    scheduler: Scheduler | None = None  # started by `serve`; tests call its tick()
    site: object | None = None  # the public status page (STATUS_PAGE=on)
    mirror: object | None = None  # the Atlassian Statuspage mirror (STATUSPAGE_API_KEY + STATUSPAGE_PAGE_ID)
    heartbeat: Heartbeat | None = None  # started by `serve`: says this process is alive (its leases too)

    @property
    def chat(self) -> Chat:
        return self.edge.chat

    @property
    def permissions(self) -> Permissions:
        return self.edge.permissions

    def wsgi(self):
        from bot.server import make_wsgi

        return make_wsgi(self.app, self.deps.db, site=self.site, signing_secret=self.settings.signing_secret,
                         metrics_on=self.settings.metrics)


def catalogs_for(settings: Settings) -> Catalogs:
    return Catalogs(languages=settings.languages, timezone=settings.timezone, extra_dirs=settings.extra_locale_dirs)


def build(settings: Settings, *, clock: Callable[[], datetime] = utcnow, sleep: Sleep = time.sleep,
          executor: Executor | None = None, work_executor: Executor | None = None, limiter: Limiter | None = None,
          slack_width: int | None = None) -> Runtime:
    """`executor` runs Bolt's listeners, `work_executor` what they hand over after acknowledging;
    tests pass one counting pool for both, so they can wait until the bot is idle. `sleep` makes
    every wait between two tries of a Slack call (tests pass one that records and returns), and the
    rate limiter's waits unless `limiter` is given (tests give one on their own clock: nobody really
    sleeps); `slack_width` how many calls of one batch go to Slack at once (1: one after another)."""
    db = Database(settings.database_url)
    if limiter is None and settings.rate_limits:
        limiter = Limiter(time.monotonic, sleep)
    chat = Chat(make_client(settings, sleep), sleep, limiter=limiter)
    messenger = SlackMessenger(chat, **({"width": slack_width} if slack_width else {}))
    deps = Deps(settings=settings, db=db, catalogs=catalogs_for(settings), messenger=messenger, clock=clock)
    work = work_executor or executor
    edge = Edge(deps, Permissions(deps), chat, **({"work": work} if work else {}))
    from bot.slack import home, reminders
    from bot.statuspage.mirror import attach

    deps.listeners.append(home.on_change(chat, deps, edge.permissions, edge.later))
    scheduler = Scheduler(deps, functools.partial(reminders.send, chat))
    return Runtime(settings, deps, edge, build_app(settings, edge, executor), scheduler,
                   site=public_site(deps), mirror=attach(deps), heartbeat=Heartbeat(db))


def public_site(deps: Deps):
    """The public status page, when STATUS_PAGE=on."""
    if not deps.settings.status_page:
        return None
    from bot.statuspage.site import Site
    from bot.statuspage.snapshot import PageSettings

    return Site(PageSettings.from_settings(deps.settings), deps.db, deps.catalogs, clock=deps.clock)
