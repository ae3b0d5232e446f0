"""What the benchmarks serve: the bot, or the minimal Bolt app that only acknowledges.

Both sit on the same stack: waitress with the settings of `bot.server.serve_http`, Bolt's
WSGI adapter, the same `App` options and Web API client. Only the listeners differ, so the
ratio between them is the cost of the bot's own work.
"""

from __future__ import annotations

import logging
import os
from concurrent.futures import Executor

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

from bot.config import Settings
from bot.slack.edge import WORK_THREADS
from bot.slack.app import LISTENER_THREADS
from bot.emulator.server import Server
from bot.server import MAX_BODY
from bot.slack.client import make_client

# Keep in step with bot.server.serve_http (threads, body limit, ident).
WAITRESS = {"threads": 16, "max_request_body_size": MAX_BODY, "ident": "cellule"}
# The serving bot's pools (bot.slack.app, bot.slack.edge): the minimal app gets the same listener pool.
BOLT_POOL = LISTENER_THREADS
WORK_POOL = WORK_THREADS


def minimal_app(settings: Settings, executor: Executor | None = None) -> App:
    """Same App options as bot.slack.app.build_app; listeners that only acknowledge."""
    extra = {"listener_executor": executor} if executor is not None else {}
    app = App(
        token=settings.bot_token,
        signing_secret=settings.signing_secret,
        client=make_client(settings),
        process_before_response=False,
        logger=logging.getLogger("cellule.bolt"),
        **extra,
    )
    app.command("/incident")(lambda ack: ack())
    app.event("message")(lambda: None)  # events are acknowledged by Bolt itself
    return app


def minimal_wsgi(app: App):
    return SlackRequestHandler(app, path="/slack/events")


class Served:
    """A WSGI app on waitress in a background thread of this process."""

    def __init__(self, wsgi):
        self.server = Server(wsgi, "127.0.0.1", 0, **WAITRESS)
        self.url = f"http://127.0.0.1:{self.server.port}/slack/events"

    def close(self) -> None:
        self.server.stop()


def main() -> None:
    """`python bench/stack.py`: serve the minimal app as its own process, configured like `bot serve`."""
    from waitress import serve

    settings = Settings.from_env(os.environ)
    serve(minimal_wsgi(minimal_app(settings)), host=settings.host, port=settings.port, **WAITRESS)


if __name__ == "__main__":
    main()
