"""Every refusal and mistake the bot can tell a person, as catalog strings keyed by a stable code."""

from __future__ import annotations

from datetime import datetime

from bot.core.errors import Refusal
from bot.core.impact import ImpactError
from bot.core.model import Status
from bot.core.publicpage import PublicPageError
from bot.core.timeparse import TimeParseError
from bot.flows.dora import MESSAGES as DORA_MESSAGES
from bot.i18n import N_, Lang

MESSAGES: dict[str, str] = {
    # command syntax
    "unknown_priority": N_("Unknown priority “{given}”: use P1, P2, P3 or P4."),
    "missing_title": N_("Give the incident a title: `/incident declare P2 FR Titre… EN Title…`."),
    "title_unusable": N_("The title needs letters or digits; emoji alone cannot name a channel."),
    "need_mention": N_("Name the person with an @mention, e.g. `/incident role commander @alex`."),
    "unknown_user": N_("There is no Slack user {user} in this workspace (or the account is deactivated); nothing was changed."),
    "unknown_role": N_("Unknown role “{given}”: use commander, comms or scribe."),
    "unknown_field": N_("Unknown field “{given}”. Fields: {fields}."),
    "unknown_status": N_("Unknown status “{given}”. Statuses: {statuses}."),
    "unknown_responsibility": N_("Responsibility is internal or external, not “{given}”."),
    "empty_value": N_("Give a value: `/incident set {field} …`."),
    "action_syntax": N_("Write the action as `/incident action <symptom> => <action>`; in two languages, either "
                        "`FR <symptôme> EN <symptom> => FR <action> EN <action>` or "
                        "`FR <symptôme> => <action> EN <symptom> => <action>`."),
    "update_text": N_("Write the update in at least one language."),
    "event_text": N_("Say what happened: `/incident event 12h13 Alerts raised`."),
    "impact_syntax": N_("Use `/incident impact start [time]`, `/incident impact end [time]`, or `/incident impact 12h08 - 12h13` for a window after the fact."),
    "duplicate_language": N_("The language code {lang} appears twice in your text."),
    # which incident
    "no_incident_here": N_("This is not a crisis channel. Name the incident: `/incident {command} {prefix}-123 …`."),
    "unknown_ref": N_("There is no incident {ref}."),
    "not_allowed_declare": N_("Only the crisis unit can declare an incident; ask one of its members."),
    "not_allowed": N_("Only the crisis unit, the declarer and the incident's roles can change {ref}. You can still read it with `/incident status`."),
    # times
    "time_unreadable": N_("I could not read the time “{text}”. Try 12h08, 16:39 CET, 04/12/2025 12h08 or yesterday 23:10."),
    "time_future": N_("{text} is in the future; timeline entries record what already happened."),
    "time_no_time": N_("Add a time of day to “{text}”, e.g. 4 Dec 12:08."),
    "time_invalid_date": N_("“{text}” is not a real date."),
    "time_unknown_zone": N_("I do not know the time zone “{zone}” in “{text}”. Use an abbreviation such as CET, CEST, UTC, GMT, PST or EST, a name such as Europe/Paris, or an offset such as +01:00."),
    "time_zone_mismatch": N_("{zone} is not in force on that date in {region} (it is {expected} then), so “{text}” is ambiguous. Write {expected}, or give an offset such as +01:00."),
    "time_long_before": N_("“{text}” falls on {day}, long before this incident was declared ({declared}). If that is "
                           "right, type the date with its year, e.g. 04/12/2025 12h08."),
    # impact windows
    "impact_already_open": N_("Customer impact is already running since {since}. End it first with `/incident impact end`."),
    "impact_none_open": N_("There is no customer impact running; start one with `/incident impact start`."),
    "impact_end_before_start": N_("The impact cannot end before it started ({start})."),
    "impact_overlap": N_("That time falls inside another impact window ({start} – {end})."),
    # lifecycle
    "transition_backwards": N_("{ref} is already “{current}”; it can move to: {allowed}."),
    "transition_resolved_needs_reopen": N_("{ref} is resolved. Use `/incident reopen` if the incident is back."),
    "transition_update_too_early": N_("An update of {ref} cannot be dated before the incident was declared or last "
                                      "reopened."),
    "transition_not_resolved": N_("{ref} is not resolved, so it cannot be reopened; it is “{current}”."),
    "already_resolved": N_("{ref} is already resolved."),
    # Slack problems
    "slack_unreachable": N_("Slack did not answer; what you asked is recorded and I will finish it as soon as Slack is back."),
    "slack_refused": N_("Slack refused “{method}” ({code}). What was already recorded is kept."),
    "database_down": N_("The incident database is not answering right now; nothing was changed. Try again in a minute."),
    "channel_failed": N_("The incident is recorded, but Slack refused to create its channel ({code}). Press “Try again” or run the same command again: it will not create a second incident."),
    "announce_not_in_channel": N_("I could not post in {channel}: invite @Cellule to {channel} (`/invite @Cellule`), then press “Try again”."),
    "crisis_group_unknown": N_("The user group {group} in CRISIS_UNIT could not be read; check the ID."),
    "crisis_user_unknown": N_("{user} from CRISIS_UNIT could not be invited ({code}); check the ID in CRISIS_UNIT."),
    # the public status page
    "public_component_key": N_("“{given}” is not a component key: use lower-case letters, digits, - or _ (e.g. api, e-commerce)."),
    "public_component_names": N_("Name the component in each language: `/incident component add {key} FR Paiements EN Payments`."),
    "public_component_unknown": N_("There is no component “{given}”; see `/incident component list`."),
    "public_component_status": N_("Unknown component status “{given}”: use degraded_performance, partial_outage, major_outage or under_maintenance."),
    "public_not_allowed": N_("Only the crisis unit can change the status page's components; ask one of its members."),
    "public_private": N_("A private incident is never shown on the public status page."),
    "public_postmortem_unpublished": N_("The postmortem of {ref} is ready for the status page; it shows once you run `/incident publish`."),
    "component_syntax": N_("Use `/incident component add <key> FR <nom> EN <name>`, `component list` or `component remove <key>`."),
    "internal": N_("Something went wrong on my side; nothing already recorded is lost. Please try again."),
}
MESSAGES.update(DORA_MESSAGES)


def describe(lang: Lang, code: str, /, **params) -> str:
    msgid = MESSAGES.get(code, MESSAGES["internal"])
    # Statuses and lists of them are shown in the reader's language.
    for k, v in list(params.items()):
        if isinstance(v, Status):
            params[k] = lang.status(v)
        elif isinstance(v, (list, tuple)):
            params[k] = lang.list([lang.status(x) if isinstance(x, Status) else str(x) for x in v]) if v else "-"
    try:
        return lang._(msgid, **params)
    except (KeyError, IndexError):  # a parameter missing: still say something true
        return lang._(MESSAGES["internal"])


# Every exception that is a refusal to explain, never a failure to log.
REFUSALS = (Refusal,)
# Each kind's codes live under a prefix in MESSAGES (TimeParseError "future" -> "time_future").
_PREFIX = {TimeParseError: "time_", ImpactError: "impact_", PublicPageError: "public_"}


def explain(lang: Lang, error: Exception) -> str:
    """The refusal in the reader's language, with times shown in the incident's zone."""
    params = {k: lang.time(v) if isinstance(v, datetime) else ("…" if v is None else v)
              for k, v in getattr(error, "params", {}).items()}
    params.setdefault("text", "")
    return describe(lang, _PREFIX.get(type(error), "") + error.code, **params)
