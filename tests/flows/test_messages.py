"""Every refusal the core can raise reads as a whole sentence in each shipped language."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.core import commands, impact
from bot.core.bilingual import split_texts
from bot.core.model import Entry, EntryKind
from bot.core.timeparse import parse_when
from bot.flows.messages import REFUSALS, describe, explain
from bot.i18n import Catalogs

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2025, 12, 4, 17, 0, tzinfo=timezone.utc)
T = datetime(2025, 12, 4, 11, 8, tzinfo=timezone.utc)


def _raised(fn):
    try:
        fn()
    except REFUSALS as e:
        return e
    raise AssertionError("no refusal raised")


def _entries(*pairs):
    return [Entry(kind=k, at=at, key=True) for k, at in pairs]


OPEN = _entries((EntryKind.IMPACT_START, T))
CLOSED = _entries((EntryKind.IMPACT_START, T), (EntryKind.IMPACT_END, T + timedelta(minutes=5)))

CASES = {
    "impact already open": lambda: impact.check_impact_start(OPEN, T + timedelta(minutes=1)),
    "impact none open": lambda: impact.check_impact_end([], T),
    "impact end before start": lambda: impact.check_impact_end(OPEN, T - timedelta(minutes=1)),
    "impact overlap": lambda: impact.check_impact_start(CLOSED, T + timedelta(minutes=2)),
    "time unreadable": lambda: parse_when("n'importe quoi", now=NOW, tz=PARIS),
    "time future": lambda: parse_when("31/12/2099 10h", now=NOW, tz=PARIS),
    "time invalid date": lambda: parse_when("31/02/2025 10h00", now=NOW, tz=PARIS),
    "time no time": lambda: parse_when("4 décembre", now=NOW, tz=PARIS),
    "unknown priority": lambda: commands.split_priority("P7 Panne"),
    "need mention": lambda: commands.parse_mention("alex"),
    "action syntax": lambda: commands.split_action("no arrow here"),
    "duplicate language": lambda: split_texts("FR un FR deux", ("fr", "en")),
}


@pytest.fixture(scope="module")
def langs():
    cats = Catalogs(languages=("fr", "en"), timezone="Europe/Paris")
    return [cats.lang("fr"), cats.lang("en")]


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_refusal_is_a_specific_translated_sentence(case, langs):
    error = _raised(CASES[case])
    fr, en = (explain(lang, error) for lang in langs)
    internal = {describe(lang, "internal") for lang in langs}
    for text in (fr, en):
        assert text not in internal, f"{case}: fell back to the generic message"
        assert "{" not in text and "}" not in text, text
    assert fr != en, f"{case}: the French text is not translated"


def test_times_in_refusals_are_local(langs):
    error = _raised(CASES["impact already open"])
    assert "12h08 CET" in explain(langs[0], error)
    assert "12:08 CET" in explain(langs[1], error)
