"""The one-line header of status updates, in every language at once, as on the example page:

``TSR-2641 - Début / Start : 04/12/2025 12h08 CET - Fin / End : … - Priorité / Priority : P2``
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from bot.core.impact import impact_windows, incident_start
from bot.core.model import Entry, Incident
from bot.i18n import Lang, N_
from bot.render import colon

START = N_("Start")
END = N_("End")
CATEGORY = N_("Category")
RESPONSIBILITY = N_("Responsibility")
PRIORITY = N_("Priority")


def across(langs: Sequence[Lang], text: Callable[[Lang], str]) -> str:
    """The same thing said in each language, joined with " / " (and said once when they agree)."""
    said: list[str] = []
    for lang in langs:
        if (t := text(lang)) not in said:
            said.append(t)
    return " / ".join(said)


def header_line(incident: Incident, entries: Iterable[Entry], langs: Sequence[Lang]) -> str:
    """Labels in every language, values (times) in the first language's form.

    Start is the first impact start (or the declaration); End the end of the last window, left
    out while a window is open; category and responsibility are left out while unset.
    """
    if not langs:
        raise ValueError("at least one language is required")
    entries = list(entries)
    first = langs[0]
    windows = impact_windows(entries)
    start = incident_start(incident, entries)
    end = windows[-1].end if windows else None

    fields: list[tuple[str, str]] = []
    if start is not None:
        fields.append((START, first.datetime(start)))
    if end is not None:
        fields.append((END, first.datetime(end)))
    if incident.category.strip():
        fields.append((CATEGORY, incident.category.strip()))
    if incident.responsibility is not None:
        fields.append((RESPONSIBILITY, across(langs, lambda l: l.responsibility(incident.responsibility))))
    fields.append((PRIORITY, first.priority(incident.priority)))

    parts = [incident.ref]
    for label, value in fields:
        # The colon follows the first language's typography ("Début / Start : …" in French first).
        labels = across(langs, lambda l: l._(label))
        parts.append(f"{colon(first, labels)} {value}")
    return " - ".join(parts)
