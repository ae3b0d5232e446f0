"""Forms open first: the modal is opened right after the acknowledgement, filled in after.

A form needs Slack's `trigger_id`, which expires 3 seconds after the click. Looking up the
person's language, checking their rights and reading the incident can take longer than that when
Slack or the database is slow, or the work pool is busy. So whatever opens a form — a command, a
button in a message, the Home tab or a reminder — goes through `open_now` in its listener's thread,
right after the acknowledgement (nothing is queued ahead of it): a placeholder modal opens, and
the work fills it in with `views.update` (`show`) — or, when the request is refused or there is
nothing left to fill in, turns it into the explanation (`answering`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from bot.core import commands as cmd
from bot.i18n import N_, Lang
from bot.slack.chat import Chat, ChatError
from bot.slack.edge import responder

log = logging.getLogger("cellule.forms")

LOADING = N_("Opening the form…")
TITLE = N_("Incident")
CLOSE = N_("Close")
NOTHING_LEFT = N_("There is nothing to fill in here any more.")


def opens_a_form(text: str, settings) -> bool:
    """`declare` with no title, `update [status]` with no text, `classify` (DORA on): what the command
    handler opens a form for. From the text and the settings only: nothing to look up."""
    parsed = cmd.parse(text, settings.prefix)
    if parsed.name == "classify":
        return settings.dora
    if parsed.name == "declare":
        return not parsed.rest.strip()
    if parsed.name == "update":
        return not cmd.first_word(parsed.rest)[1].strip()
    return False


def _notice(langs: list[Lang], text: str) -> dict:
    from bot.slack.views import _plain

    title = " / ".join(dict.fromkeys(l._(TITLE) for l in langs))
    return {"type": "modal", "title": _plain(title, 24), "close": _plain(langs[0]._(CLOSE), 24),
            "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text[:3000] or "…"}}]}


def open_first(chat: Chat, trigger_id: str, langs: list[Lang]) -> dict | None:
    """Open the placeholder; returns what the work needs to fill it in (None if Slack refused)."""
    text = "\n".join(dict.fromkeys(l._(LOADING) for l in langs))
    try:
        view = chat.open_view(trigger_id, _notice(langs, text))
    except ChatError as e:
        log.warning("could not open a form: %s", e.code)
        return None
    return {"id": view["id"], "hash": view.get("hash"), "filled": False}


def open_now(chat: Chat, payload: dict, langs: list[Lang]) -> dict:
    """In the listener's thread, right after `ack()`: open the placeholder with the payload's
    trigger_id; returns the payload carrying it (`opened_view`) for the work to fill in."""
    return {**payload, "opened_view": open_first(chat, payload.get("trigger_id") or "", langs)}


def show(chat: Chat, command: dict, view: dict) -> None:
    """Show the form: in the placeholder opened first, else (no placeholder) open it now."""
    opened = command.get("opened_view")
    if opened is None:
        chat.open_view(command["trigger_id"], view)
        return
    chat.update_view(opened["id"], view)
    opened["filled"] = True


@contextmanager
def answering(chat: Chat, payload: dict, lang: Lang, respond: Callable) -> Iterator[Callable[..., None]]:
    """`say` for the work of a payload that may carry a placeholder: the ephemeral answer, and, if
    the work did not fill the placeholder in, the last thing said shown in it when the work ends."""
    said: list[str] = []
    answer = responder(respond)

    def say(reply, *args, **kwargs) -> None:
        said.append(getattr(reply, "text", reply))
        answer(reply, *args, **kwargs)

    try:
        yield say
    finally:
        settle(chat, payload, lang, said[-1] if said else None)


def settle(chat: Chat, command: dict, lang: Lang, text: str | None) -> None:
    """A placeholder the work did not fill (a refusal, an error) shows why instead of loading forever."""
    opened = command.get("opened_view")
    if opened is None or opened["filled"]:
        return
    try:
        chat.update_view(opened["id"], _notice([lang], text or lang._(NOTHING_LEFT)))
    except ChatError:
        log.warning("could not close a placeholder form", exc_info=True)
