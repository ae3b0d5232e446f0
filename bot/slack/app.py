"""The Bolt app, built by a factory from settings (no network at import)."""

from __future__ import annotations

import logging
from concurrent.futures import Executor, ThreadPoolExecutor

from slack_bolt import App

from bot.config import Settings
from bot.slack.edge import Edge, middleware
from bot.slack import deadline, journal
from bot.slack.listeners import register_listeners

log = logging.getLogger("cellule.app")

# Listeners only parse and acknowledge (the work goes to the service's pool), but Bolt's default
# pool of cpu+4 threads still queues acknowledgements under a burst: give it room.
LISTENER_THREADS = 32


def _bolt_logger() -> logging.Logger:
    """Bolt's logger, without its warning that the token is unused: we give it a ready client
    (our retry handlers) and it still reads SLACK_BOT_TOKEN from the environment."""
    logger = logging.getLogger("cellule.bolt")
    if not logger.filters:
        logger.addFilter(lambda record: "will be unused" not in record.getMessage())
    return logger


def build_app(settings: Settings, edge: Edge, executor: Executor | None = None) -> App:
    executor = executor or ThreadPoolExecutor(max_workers=LISTENER_THREADS, thread_name_prefix="bolt")
    app = App(
        # Named, or Bolt names the app after its caller's file through inspect.stack(), which reads
        # the source of every frame: 100 ms per app under pytest's deep stacks.
        name="cellule",
        signing_secret=settings.signing_secret or "socket-mode-has-no-signing-secret",
        client=edge.chat.client,
        # Acknowledge first and keep working in Bolt's thread pool: Slack gets its answer in time.
        process_before_response=False,
        logger=_bolt_logger(),
        listener_executor=executor,
    )
    app.use(middleware(edge))
    deadline.install(app)
    app.use(journal.middleware(edge))  # after the arrival stamp, before Bolt's acknowledgement
    register_listeners(app)

    @app.error
    def on_error(error, body, logger):  # one place for what a listener did not handle
        if isinstance(error, deadline.TooLate):  # Slack told the author it failed: nothing ran
            logger.warning("request dropped, %s (%s)", error, (body or {}).get("type"))
            return
        logger.error("listener failed: %s (%s)", type(error).__name__, (body or {}).get("type"), exc_info=error)

    return app
