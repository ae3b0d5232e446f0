"""Assemble the bot from settings: database, catalogs, Slack client, flows, Bolt app."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import datetime

from slack_bolt import App

from bot.config import Settings
from bot.flows.deps import Deps, utcnow
from bot.flows.service import Service
from bot.i18n import Catalogs
from bot.slack.app import build_app
from bot.slack.chat import Chat
from bot.slack.client import make_client
from bot.store.db import Database


@dataclass
class Runtime:
    settings: Settings
    deps: Deps
    service: Service
    app: App

    def wsgi(self):
        from bot.server import make_wsgi

        return make_wsgi(self.app, self.deps.db)


def catalogs_for(settings: Settings) -> Catalogs:
    return Catalogs(languages=settings.languages, timezone=settings.timezone, extra_dirs=settings.extra_locale_dirs)


def build(settings: Settings, *, clock: Callable[[], datetime] = utcnow, executor: Executor | None = None,
          work_executor: Executor | None = None) -> Runtime:
    """`executor` runs Bolt's listeners, `work_executor` what they hand over after acknowledging;
    tests pass one counting pool for both, so they can wait until the bot is idle."""
    db = Database(settings.database_url)
    chat = Chat(make_client(settings))
    deps = Deps(settings=settings, db=db, catalogs=catalogs_for(settings), chat=chat, clock=clock)
    service = Service(deps, work=work_executor or executor)
    return Runtime(settings, deps, service, build_app(settings, service, executor))
