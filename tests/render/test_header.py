"""The bilingual header line of status updates, as on the example page."""

from __future__ import annotations

from tsr2641 import at, tsr_2641_entries

from bot.core.model import Entry, EntryKind
from bot.render.header import header_line

PAGE = (
    "TSR-2641 - Début / Start : 04/12/2025 12h08 CET - Fin / End : 04/12/2025 12h13 CET"
    " - Catégorie / Category : Production Processing - Responsabilité / Responsibility : Externe / External"
    " - Priorité / Priority : P2"
)


def before_recurrence() -> list[Entry]:
    """The timeline as it stood when the page's header was posted (13:28 UTC)."""
    return [e for e in tsr_2641_entries() if e.at <= at("14:28")]


def test_english_alone(incident, en):
    assert header_line(incident, before_recurrence(), [en]) == (
        "TSR-2641 - Start: 04/12/2025 12:08 CET - End: 04/12/2025 12:13 CET"
        " - Category: Production Processing - Responsibility: External - Priority: P2"
    )


def test_end_is_the_end_of_the_last_window(incident, entries, en):
    assert "End: 04/12/2025 16:58 CET" in header_line(incident, entries, [en])


def test_no_end_while_impact_goes_on(incident, en):
    line = header_line(incident, tsr_2641_entries()[:8], [en])  # reopened at 16:39, not over
    assert "Start: 04/12/2025 12:08 CET" in line and "End" not in line


def test_without_impact_the_declaration_starts_it(incident, en):
    line = header_line(incident, [Entry(EntryKind.DECLARED, at("12:13"))], [en])
    assert line.startswith("TSR-2641 - Start: 04/12/2025 12:13 CET - Category:")


def test_unset_category_and_responsibility_are_left_out(incident, entries, en):
    incident.category, incident.responsibility = "  ", None
    line = header_line(incident, entries, [en])
    assert "Category" not in line and "Responsibility" not in line
    assert line.endswith("End: 04/12/2025 16:58 CET - Priority: P2")


def test_summer_time_shows_cest(incident, en):
    june = [Entry(EntryKind.IMPACT_START, at("12:08").replace(month=6))]  # 11:08 UTC
    assert "Start: 04/06/2025 13:08 CEST" in header_line(incident, june, [en])


def test_the_page_header_in_french_and_english(incident, catalogs):
    fr, en = catalogs.lang("fr"), catalogs.lang("en")
    assert header_line(incident, before_recurrence(), [fr, en]) == PAGE
