"""DORA in Slack (REGULATION=dora): the classification form, `/incident classify` and `report`,
and the lines that show the reporting clock (pinned summary, `/incident status`, Home tab)."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta

from bot.core import dora
from bot.core.model import EntryKind, Incident
from bot.core.timeparse import TimeParseError, parse_when
from bot.flows import dora as flow
from bot.flows.deps import Deps, UserError
from bot.flows.messages import describe
from bot.i18n import N_, Lang
from bot.slack import render, views
from bot.slack.views import _option, _plain, _text_input
from bot.store import timeline as tl

CALLBACK = "dora_classify"
MAX_MEMBER_STATES = 30  # the EEA States where DORA applies

# (block, label, type): the figures of the criteria, Art. 1 to 7 of Delegated Regulation (EU) 2024/1772.
NUMBERS = (
    ("clients_affected", N_("Clients affected (Art. 1(1))"), int),
    ("clients_total", N_("All clients using the affected service"), int),
    ("counterparts_affected", N_("Financial counterparts affected (Art. 1(2))"), int),
    ("counterparts_total", N_("All financial counterparts of the affected service"), int),
    ("transactions_affected", N_("Transactions affected (Art. 1(4))"), int),
    ("transactions_daily", N_("Daily average number of transactions of the service"), float),
    ("value_affected", N_("Value of the transactions affected, EUR"), float),
    ("value_daily", N_("Daily average value of transactions of the service, EUR"), float),
    ("duration", N_("Duration of the incident, hours (Art. 3(a))"), timedelta),
    ("downtime", N_("Service downtime, hours (Art. 3(b))"), timedelta),
    ("member_states", N_("Member States where it had an impact (Art. 4)"), int),
    ("economic_eur", N_("Costs and losses, EUR (Art. 7)"), float),
)
# Affected can never be more than all; transactions may exceed one day's average (a long incident).
TOTALS = {"clients_affected": "clients_total", "counterparts_affected": "counterparts_total"}
CRITICAL = (("critical_functions", N_("ICT services or systems supporting critical or important functions (Art. 6(a))")),
            ("supervised_services", N_("Financial services that need authorisation, registration or supervision (Art. 6(b))")),
            ("malicious_access", N_("Successful, malicious and unauthorised access to our systems (Art. 6(c), 9(5)(b))")))
IMPACTS = (("relevant_clients", N_("Clients or counterparts identified as relevant were affected (Art. 1(3))")),
           ("reputational", N_("Reputational impact: media, repeated complaints, requirements missed or clients likely lost (Art. 2)")),
           ("data_losses", N_("Availability, authenticity, integrity or confidentiality of data hit (Art. 5)")))
THRESHOLDS = {
    dora.Threshold.CLIENTS: N_("clients, counterparts and transactions (Art. 9(1))"),
    dora.Threshold.REPUTATION: N_("reputational impact (Art. 9(2))"),
    dora.Threshold.DURATION: N_("duration and service downtime (Art. 9(3))"),
    dora.Threshold.GEOGRAPHY: N_("geographical spread (Art. 9(4))"),
    dora.Threshold.DATA: N_("data losses (Art. 9(5)(a))"),
    dora.Threshold.ECONOMIC: N_("economic impact (Art. 9(6))"),
    dora.Threshold.MALICIOUS_ACCESS: N_("malicious unauthorised access (Art. 9(5)(b))"),
}
RULES = {
    "8(1)(a)": N_("Art. 8(1)(a) of Regulation (EU) 2024/1772: critical services and a successful malicious access"),
    "8(1)(b)": N_("Art. 8(1)(b) of Regulation (EU) 2024/1772: critical services and two or more materiality thresholds"),
    "8(2)": N_("Art. 8(2) of Regulation (EU) 2024/1772: recurring incidents with the same apparent root cause, major together"),
    "no_critical_service": N_("Art. 8(1) of Regulation (EU) 2024/1772: no critical service affected (Art. 6)"),
    "below_thresholds": N_("Art. 8(1)(b) of Regulation (EU) 2024/1772: fewer than two materiality thresholds met"),
}
STAGES = {dora.Stage.INITIAL: N_("initial notification"), dora.Stage.INTERMEDIATE: N_("intermediate report"),
          dora.Stage.FINAL: N_("final report")}
# Words a person may type for each stage (each catalog lists its own, comma-separated).
STAGE_WORDS = {dora.Stage.INITIAL: N_("initial, first"), dora.Stage.INTERMEDIATE: N_("intermediate, interim"),
               dora.Stage.FINAL: N_("final, last")}
MEASURED_HINT = N_("Measured by Cellule: {what}. Correct it if you know better.")
MEASURED = {
    "duration": N_("from the first customer impact (else the declaration) to the resolution"),
    "duration_ongoing": N_("from the first customer impact (else the declaration) until now: it is still going on"),
    "downtime": N_("the customer-impact windows added up"),
    "aware_at": N_("the first alert, else the declaration"),
}
FORM_ERRORS = {
    "not_number": N_("“{given}” is not a number."),
    "not_whole": N_("“{given}” is not a whole number."),
    "negative": N_("This cannot be negative."),
    "over_total": N_("This is more than the total you gave ({total})."),
    "member_states": N_("Give a number from 0 to {most}."),
}


HELP = N_("DORA: `classify` — the classification form (Regulation (EU) 2024/1772) · "
          "`report initial|intermediate|final [time]` — a report submitted to the authority")


def help_lines(deps: Deps, lang: Lang) -> str:
    return "\n" + lang._(HELP) if deps.settings.dora else ""


def lang_stage(lang: Lang, stage: dora.Stage) -> str:
    return lang._(STAGES[stage])


# --- The form ------------------------------------------------------------------------------------

def _hours(td: timedelta | None) -> str | None:
    return None if td is None else f"{td.total_seconds() / 3600:.2f}".rstrip("0").rstrip(".")


def _local_input(deps: Deps, at: datetime) -> str:
    return at.astimezone(deps.settings.tz).strftime("%d/%m/%Y %H:%M")


def _checkboxes(block_id: str, label: str, options: list[tuple[str, str]], chosen: set[str]) -> dict:
    element = {"type": "checkboxes", "action_id": "value", "options": [_option(t, v) for v, t in options]}
    initial = [_option(t, v) for v, t in options if v in chosen]
    if initial:
        element["initial_options"] = initial
    return {"type": "input", "block_id": block_id, "optional": True, "label": _plain(label, 2000), "element": element}


def classify_form(deps: Deps, lang: Lang, incident: Incident) -> dict:
    """The criteria of 2024/1772, pre-filled from the latest classification, else from what Cellule measured."""
    measured = flow.measured(deps, incident)
    with deps.db.session() as s:
        previous = tl.entries(session=s, incident_id=incident.id, kinds={EntryKind.CLASSIFIED})
    last = previous[-1].data if previous else {}
    known = dora.criteria_from_data(last.get("criteria") or {}) if last else dora.Criteria(
        duration=measured.duration, downtime=measured.downtime)
    chosen = {name for name, _ in CRITICAL + IMPACTS if getattr(known, name)}
    blocks = [_checkboxes("critical", lang._("Critical services affected (Art. 6)"),
                          [(v, lang._(t)) for v, t in CRITICAL], chosen)]
    for name, label, kind in NUMBERS:
        value = getattr(known, name)
        initial = _hours(value) if kind is timedelta else (None if value is None else f"{value:g}")
        block = _text_input(name, lang._(label), initial=initial)
        if name in ("duration", "downtime") and not last and value is not None:
            what = "duration_ongoing" if name == "duration" and measured.ongoing else name
            block["hint"] = _plain(lang._(MEASURED_HINT, what=lang._(MEASURED[what])), 2000)
        blocks.append(block)
    blocks.append(_checkboxes("impacts", lang._("Other impacts"), [(v, lang._(t)) for v, t in IMPACTS], chosen))
    aware = datetime.fromisoformat(last["aware_at"]) if last.get("aware_at") else measured.aware_at
    aware_block = _text_input("aware_at", lang._("Became aware of the incident at"), optional=False,
                              initial=_local_input(deps, aware) if aware else None)
    if not last:
        aware_block["hint"] = _plain(lang._(MEASURED_HINT, what=lang._(MEASURED["aware_at"])), 2000)
    blocks.append(aware_block)
    blocks.append(_text_input("root_cause", lang._("Apparent root cause, for recurring incidents (Art. 8(2))"),
                              initial=last.get("root_cause") or None))
    meta = json.dumps({"incident": incident.id, "lang": lang.code})
    return {"type": "modal", "callback_id": CALLBACK, "title": _plain(lang._("DORA classification"), 24),
            "submit": _plain(lang._("Classify"), 24), "close": _plain(lang._("Cancel"), 24),
            "private_metadata": meta, "blocks": blocks}


def _number(raw: str, kind) -> tuple[object, tuple[str, dict] | None]:
    text = re.sub(r"[\s_\u202f\u00a0']", "", raw).replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        return None, ("not_number", {"given": raw})
    if value != value or value in (float("inf"), float("-inf")):
        return None, ("not_number", {"given": raw})
    if value < 0:
        return None, ("negative", {})
    if kind is int:
        if value != int(value):
            return None, ("not_whole", {"given": raw})
        return int(value), None
    if kind is timedelta:
        return timedelta(hours=value), None
    return value, None


def read_form(deps: Deps, lang: Lang, v: dict) -> tuple[dora.Criteria | None, datetime | None, str, dict[str, str]]:
    """(criteria, aware_at, root cause, errors by block) from a submitted form; nothing is guessed."""
    errors: dict[str, str] = {}
    values: dict[str, object] = {}
    for name, _label, kind in NUMBERS:
        raw = str(v.get(name) or "").strip()
        if not raw:
            continue
        value, problem = _number(raw, kind)
        if problem:
            errors[name] = lang._(FORM_ERRORS[problem[0]], **problem[1])
        else:
            values[name] = value
    for part, whole in TOTALS.items():
        if part in values and whole in values and values[part] > values[whole]:
            errors[part] = lang._(FORM_ERRORS["over_total"], total=v.get(whole))
    if values.get("member_states", 0) > MAX_MEMBER_STATES:
        errors["member_states"] = lang._(FORM_ERRORS["member_states"], most=MAX_MEMBER_STATES)
    for block in ("critical", "impacts"):
        for name in v.get(block) or []:
            values[name] = True
    aware = None
    try:
        aware = parse_when(str(v.get("aware_at") or ""), now=deps.now(), tz=deps.settings.tz)
    except TimeParseError as e:
        errors["aware_at"] = describe(lang, f"time_{e.code}", text=str(v.get("aware_at") or ""))
    if errors:
        return None, None, "", errors
    return dora.Criteria(**values), aware, str(v.get("root_cause") or ""), {}


# --- What people read ------------------------------------------------------------------------------

def result_text(deps: Deps, lang: Lang, incident: Incident, user: str, result: dora.Classification,
                before: dora.Clock | None, after: dora.Clock | None) -> str:
    now = deps.now()
    met = [lang._(THRESHOLDS[dora.Threshold(t)]) for t in result.met]
    why = lang._(RULES[result.rule])
    who = "<@" + user + ">"
    if result.major:
        text = lang._("{ref} is classified as a *major* ICT-related incident by {user}: {why}.",
                      ref=incident.ref, user=who, why=why)
    else:
        text = lang._("{ref} is classified as not major by {user}: {why}.", ref=incident.ref, user=who, why=why)
    if met:
        text += "\n" + lang._("Thresholds met: {list}.", list=lang.list(met))
    if before and before.major and not result.major:
        text += "\n" + lang._("The reporting clock is stopped: no report is due for {ref} any more.", ref=incident.ref)
    nxt = after.next_deadline if after and after.major else None
    if nxt:
        text += "\n" + deadline_line(lang, nxt, now)
    return text


def deadline_line(lang: Lang, d: dora.Deadline, now: datetime | None) -> str:
    stage = lang_stage(lang, d.stage)
    when = (lambda t: lang.time(t, now=now)) if now else lang.datetime
    if d.submitted_at:
        return lang._("DORA {stage}: submitted {time}.", stage=stage, time=when(d.submitted_at))
    line = lang._("DORA {stage}: due {time}.", stage=stage, time=when(d.due))
    if now and d.due <= now:
        line = lang._("DORA {stage}: was due {time}, not recorded as submitted.", stage=stage, time=when(d.due))
    if d.extended:
        line += " " + lang._("(Noon of the next working day: the time limit fell on a weekend day or a public "
                             "holiday, Art. 5(4) of Regulation (EU) 2025/301.)")
    return line


def clock_lines(lang: Lang, c: dora.Clock | None, now: datetime | None) -> list[str]:
    """The DORA lines of `/incident status`, the summary and the Home tab: classification and time limits."""
    if c is None:
        return []
    when = (lambda t: lang.time(t, now=now)) if now else lang.datetime
    if not c.major:
        line = lang._("DORA: not major (classified {time}).", time=when(c.classified_at))
        if c.stopped_at:
            line += " " + lang._("The reporting clock is stopped.")
        return [line]
    lines = [lang._("DORA: major incident (classified {time}).", time=when(c.major_since))]
    return lines + [deadline_line(lang, d, now) for d in c.deadlines]


def summary_blocks(langs, c: dora.Clock | None) -> list[dict]:
    """The pinned summary's DORA lines, in every language (full dates: the summary stays up for days)."""
    lines = ["\n".join(clock_lines(lang, c, None)) for lang in langs]
    lines = [l for l in lines if l]
    return [render.context_block(render.escape("\n".join(lines))[:2900])] if lines else []


# --- Commands ---------------------------------------------------------------------------------------

def _check_on(deps: Deps) -> None:
    if not deps.settings.dora:
        raise UserError("dora_off")


def classify_command(c, incident: Incident) -> None:
    """`/incident classify`: the form (the result comes when it is submitted)."""
    _check_on(c.deps)
    c.open_form(classify_form(c.deps, c.lang, incident))


def parse_stage(deps: Deps, word: str) -> dora.Stage:
    from bot.i18n.vocabulary import fold

    wanted = fold(word)
    for stage, msgid in STAGE_WORDS.items():
        words = {stage.value}
        for l in deps.langs:
            words |= {fold(w) for w in l._(msgid).split(",")}
        if wanted in words:
            return stage
    raise UserError("dora_stage", given=word)


def report_command(c, incident: Incident) -> None:
    """`/incident report initial|intermediate|final [<time>]`: a report submitted to the authority."""
    from bot.core.commands import first_word

    _check_on(c.deps)
    word, rest = first_word(c.rest)
    if not word:
        raise UserError("dora_stage", given="")
    stage = parse_stage(c.deps, word)
    at = parse_when(rest, now=c.now(), tz=c.deps.settings.tz) if rest.strip() else None
    after = flow.record_report(c.deps, incident.id, user=c.user, stage=stage, at=at)
    c.reply(report_text(c.lang, incident, stage, after, c.now()))


def report_text(lang: Lang, incident: Incident, stage: dora.Stage, after: dora.Clock, now: datetime) -> str:
    submitted = next(t for s, t in reversed(after.reports) if s is stage)
    text = lang._("{stage} of {ref} recorded as submitted {time}.", stage=lang_stage(lang, stage).capitalize(),
                  ref=incident.ref, time=lang.time(submitted, now=now))
    nxt = after.next_deadline
    return text + "\n" + (deadline_line(lang, nxt, now) if nxt else
                           lang._("Every report of {ref} is recorded.", ref=incident.ref))

