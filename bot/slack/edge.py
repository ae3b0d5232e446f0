"""What the listeners share, handed to them in Bolt's `context` (no globals): the use cases'
dependencies, who may do what, and the pool that does the work after the acknowledgement."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass, field

from bot.flows.deps import Deps
from bot.flows.held import Held
from bot.flows.incidents import Permissions
from bot.slack.chat import Chat
from bot.slack.presenters import Reply

log = logging.getLogger("cellule.edge")
WORK_THREADS = 16  # work after the acknowledgement; each mostly waits on Slack


@dataclass
class Edge:
    deps: Deps
    permissions: Permissions
    chat: Chat  # for what only Slack has: forms (views.open) and DMs to a form's author
    # Work done after the acknowledgement runs here, not in Bolt's listener threads: a slow
    # declare must never keep the next command waiting for a thread to acknowledge it.
    work: Executor = field(default_factory=lambda: ThreadPoolExecutor(WORK_THREADS, thread_name_prefix="cellule-work"))
    channel_incidents: dict[str, int] = field(default_factory=dict)  # a channel never changes incident
    held: Held = field(init=False)  # events the database could not take yet

    def __post_init__(self) -> None:
        self.held = Held(self.deps, journal=self.deps.settings.event_journal)

    def later(self, fn: Callable, *args) -> None:
        def run():
            try:
                fn(*args)
            except Exception:  # the listeners reply to people themselves; this is the last resort
                log.exception("background work failed")

        self.work.submit(run)


def middleware(edge: Edge) -> Callable:
    """Bolt global middleware: every listener finds the edge in `context["edge"]` (no I/O here,
    so nothing delays the acknowledgement)."""

    def put_edge(context, next):  # noqa: A002 - Bolt injects by parameter name
        context["edge"] = edge
        next()

    return put_edge


def responder(respond: Callable) -> Callable[..., None]:
    """`say(reply)` or `say(text, blocks, replace)`: an ephemeral answer through the response_url."""

    def say(reply: Reply | str, blocks: list | None = None, replace: bool = False) -> None:
        if isinstance(reply, str):
            reply = Reply(reply, blocks, replace)
        payload = {"text": reply.text, "response_type": "ephemeral", "replace_original": reply.replace}
        if reply.blocks:
            payload["blocks"] = reply.blocks
        respond(**payload)

    return say
