"""compile_postmortem: key moments, missing fields, determinism."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from bot.core.model import Action, Entry, EntryKind, Incident, Responsibility
from bot.core.postmortem import Moment, compile_postmortem

K = EntryKind
PARIS = ZoneInfo("Europe/Paris")


def at(hhmm: str) -> datetime:
    h, m = map(int, hhmm.split(":"))
    return datetime(2025, 12, 4, h, m, tzinfo=PARIS).astimezone(timezone.utc)


NOW = at("23:00")


def texts(en: str) -> dict[str, str]:
    return {"fr": f"fr: {en}", "en": en}


def entries() -> list[Entry]:
    """Recorded out of time order on purpose, with non-key chatter mixed in."""
    return [
        Entry(K.IMPACT_START, at("12:08")),
        Entry(K.DECLARED, at("12:13"), data={"alert": True}),
        Entry(K.IMPACT_END, at("12:13")),
        Entry(K.EVENT, at("12:30"), texts=texts("contact with the provider."), key=True),
        Entry(K.EVENT, at("12:21"), texts=texts("faulty server found."), key=True),
        Entry(K.MESSAGE, at("12:25"), text="is anyone on it?"),
        Entry(K.MESSAGE, at("12:26"), text="provider called back", key=True),
        Entry(K.MESSAGE, at("12:27"), text="", key=True, data={"files": ["graph.png"]}),
        Entry(K.STATUS, at("12:34"), texts=texts("monitoring."), data={"from": "investigating", "to": "monitoring"}),
        Entry(K.FIELD, at("12:40"), data={"field": "cause", "old": None, "new": "x"}),
        Entry(K.REOPENED, at("16:39")),
        Entry(K.IMPACT_END, at("16:58")),
    ]


def incident(**fields) -> Incident:
    return Incident(ref="TSR-2641", number=2641, title=texts("Payment disruptions"),
                    declared_at=at("12:13"), resolved_at=at("17:08"), **fields)


def test_overview_holds_key_moments_in_time_order():
    pm = compile_postmortem(incident(), entries(), [], now=NOW)
    assert pm.overview == [
        Moment(at("12:08"), K.IMPACT_START, bold=True),
        Moment(at("12:13"), K.DECLARED, alert=True),
        Moment(at("12:13"), K.IMPACT_END, bold=True),  # same minute as the declaration: given order
        Moment(at("12:21"), K.EVENT, texts=texts("faulty server found.")),
        Moment(at("12:26"), K.MESSAGE, text="provider called back"),
        Moment(at("12:30"), K.EVENT, texts=texts("contact with the provider.")),
        Moment(at("16:39"), K.REOPENED, bold=True),
        Moment(at("16:58"), K.IMPACT_END, bold=True),
    ]


def test_ties_keep_the_given_order():
    swapped = entries()
    swapped[1], swapped[2] = swapped[2], swapped[1]
    kinds = [m.kind for m in compile_postmortem(incident(), swapped, [], now=NOW).overview[:3]]
    assert kinds == [K.IMPACT_START, K.IMPACT_END, K.DECLARED]


def test_a_key_status_update_joins_the_overview_with_its_texts():
    marked = entries()
    marked[8].key = True
    pm = compile_postmortem(incident(), marked, [], now=NOW)
    assert Moment(at("12:34"), K.STATUS, texts=texts("monitoring.")) in pm.overview


def test_fields_and_figures_are_carried():
    action = Action(symptom=texts("slow detection"), action=texts("tracking"), owner="U1")
    pm = compile_postmortem(
        incident(components=texts("Payments"), impact=texts("No payments"), cause=texts("Provider"),
                 context=texts("N/A"), responsibility=Responsibility.EXTERNAL),
        entries(), [action], now=NOW,
    )
    assert (pm.ref, pm.components, pm.cause, pm.responsibility) == (
        "TSR-2641", texts("Payments"), texts("Provider"), Responsibility.EXTERNAL)
    assert pm.actions == [action]
    assert pm.missing == []
    assert pm.figures.impacts == (timedelta(minutes=5), timedelta(minutes=19))


def test_missing_lists_the_empty_fields_in_a_stable_order():
    pm = compile_postmortem(incident(cause=texts("Provider"), impact={"fr": "  ", "en": ""}), entries(), [], now=NOW)
    assert pm.missing == ["components", "impact", "context", "actions"]


def test_same_input_same_output():
    one = compile_postmortem(incident(), entries(), [], now=NOW)
    two = compile_postmortem(incident(), entries(), [], now=NOW)
    assert one == two


def test_compiling_does_not_share_the_incident_texts():
    inc = incident(cause=texts("Provider"))
    pm = compile_postmortem(inc, entries(), [], now=NOW)
    inc.cause["en"] = "changed later"
    assert pm.cause["en"] == "Provider"


def test_chat_text_reads_as_people_see_it():
    from bot.core.postmortem import plain_chat

    text = "Checkout &amp; refunds down, asked <@UFR|camille> in <#C1|ops>, see <https://status.example|status> <!here> &lt;3"
    assert plain_chat(text) == "Checkout & refunds down, asked @camille in #ops, see status (https://status.example) @here <3"
    assert plain_chat("<@UFR> <https://x.example>") == "@UFR https://x.example"
