"""The data fields of the DORA reports, filled from what the incident records (pure).

Field numbers and names are those of Annex I of Commission Implementing Regulation (EU) 2025/302
where we have them (1.1 to 1.15, 2.1 to 2.10, 3.1 to 3.7); the other fields of the intermediate
and final reports are named by the points of Articles 3 and 4 of Delegated Regulation (EU)
2025/301 that require them. A value is given only when the incident records it; every other
field is listed as to fill. Nothing is guessed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.core.dora import Clock, Criteria, Stage


@dataclass(frozen=True)
class Field:
    number: str  # "2.2", or "Art. 3(e)" when we do not have the Annex I number
    name: str
    value: Any = None  # None: to fill by the financial entity
    source: str = ""  # where Cellule took it from

    @property
    def to_fill(self) -> bool:
        return self.value is None or self.value == "" or self.value == []


@dataclass
class Facts:
    ref: str
    title: str  # in the authority's language
    description: str  # client impact / context, in the authority's language
    cause: str
    components: str
    clock: Clock | None
    criteria: Criteria | None
    alert_at: datetime | None = None  # the first alert mark
    occurred_at: datetime | None = None  # the first customer-impact start
    recovered_at: datetime | None = None  # the end of the last impact window, when all are closed
    resolved_at: datetime | None = None
    actions: list[str] = field(default_factory=list)


def _pct(part: float | None, whole: float | None) -> float | None:
    return round(100 * part / whole, 2) if part is not None and whole else None


GENERAL = [("1.2", "Name of the entity submitting the report"),
           ("1.3", "Identification code of the entity submitting the report"),
           ("1.4", "Type of financial entity affected"), ("1.5", "Name of the financial entity affected"),
           ("1.6", "LEI code of the financial entity affected"), ("1.7", "Primary contact person name"),
           ("1.8", "Primary contact person email"), ("1.9", "Primary contact person telephone"),
           ("1.10", "Second contact person name"), ("1.11", "Second contact person email"),
           ("1.12", "Second contact person telephone"), ("1.13", "Name of the ultimate parent undertaking"),
           ("1.14", "LEI code of the ultimate parent undertaking")]


def fields_for(stage: Stage, f: Facts) -> list[Field]:
    """The fields a `stage` report asks for (Art. 2, 3 or 4 of 2025/301 with Art. 1's general ones)."""
    c, k = f.criteria, f.clock
    out = [Field("1.1", "Type of submission", stage.value, "the report being prepared")]
    out += [Field(n, name) for n, name in GENERAL]
    out.append(Field("1.15", "Reporting currency", "EUR" if c and (c.economic_eur is not None or c.value_affected
                                                                    is not None) else None,
                     "amounts are entered in EUR in the classification form"))
    if stage is Stage.INITIAL:
        out += [
            Field("2.1", "Incident reference code assigned by the financial entity", f.ref, "the incident"),
            Field("2.2", "Date and time of detection of the major ICT-related incident",
                  k.aware_at if k else None, "the first alert, else the declaration (as confirmed in the form)"),
            Field("2.3", "Date and time of classification of the ICT-related incident as major",
                  k.major_since if k and k.major else None, "/incident classify"),
            Field("2.4", "Description of the major ICT-related incident",
                  "\n".join(p for p in (f.title, f.description) if p) or None, "title and client impact"),
            Field("2.5", "Classification criteria that triggered the incident report",
                  list(k.met) if k and k.met else None, "/incident classify"),
            Field("2.6", "Materiality thresholds for the classification criterion 'Geographical spread'",
                  c.member_states if c and c.member_states is not None else None,
                  "Member States with an impact, from the form"),
            Field("2.7", "Discovery of the major ICT-related incident",
                  f"alert at {f.alert_at.isoformat()}" if f.alert_at else None, "the alert mark in the timeline"),
            Field("2.8", "Indication whether the major ICT-related incident originates from a third-party "
                         "provider or another financial entity"),
            Field("2.9", "Activation of business continuity plan, if activated"),
            Field("2.10", "Other relevant information"),
        ]
    elif stage is Stage.INTERMEDIATE:
        out += [
            Field("3.1", "Incident reference code provided by the competent authority"),
            Field("3.2", "Date and time of occurrence of the major ICT-related incident", f.occurred_at,
                  "the first customer-impact start"),
            Field("3.3", "Date and time when services, activities or operations have been recovered",
                  f.recovered_at, "the end of the last customer-impact window"),
            Field("3.4", "Number of clients affected", c.clients_affected if c else None, "/incident classify"),
            Field("3.5", "Percentage of clients affected", _pct(c.clients_affected, c.clients_total) if c else None,
                  "clients affected / all clients of the service"),
            Field("3.6", "Number of financial counterparts affected", c.counterparts_affected if c else None,
                  "/incident classify"),
            Field("3.7", "Percentage of financial counterparts affected",
                  _pct(c.counterparts_affected, c.counterparts_total) if c else None,
                  "counterparts affected / all counterparts of the service"),
            Field("Art. 3(d)", "How the classification criteria of Articles 1 to 8 of 2024/1772 are fulfilled",
                  list(k.met) if k and k.met else None, "/incident classify"),
            Field("Art. 3(e)", "Type of the ICT-related incident"),
            Field("Art. 3(f)", "Threats and techniques used by the threat actor, where applicable"),
            Field("Art. 3(g)", "Affected functional areas and business processes", f.components or None,
                  "services affected"),
            Field("Art. 3(h)", "Affected infrastructure components supporting business processes"),
            Field("Art. 3(i)", "Impact on the financial interest of clients"),
            Field("Art. 3(j)", "Reporting of the incident to other authorities"),
            Field("Art. 3(k)", "Temporary actions or measures taken or planned to recover",
                  f.actions or None, "the postmortem's actions"),
            Field("Art. 3(l)", "Indicators of compromise, where applicable"),
        ]
    else:
        out += [
            Field("Art. 4(a)", "Root causes of the incident", f.cause or None, "the root cause field"),
            Field("Art. 4(b)", "Date and time when the incident was resolved", f.resolved_at, "resolution"),
            Field("Art. 4(b)", "Date and time when the root cause was addressed"),
            Field("Art. 4(c)", "Information on the incident resolution"),
            Field("Art. 4(d)", "Information relevant for resolution authorities, where applicable"),
            Field("Art. 4(e)", "Direct and indirect costs and losses, and financial recoveries",
                  c.economic_eur if c and c.economic_eur is not None else None, "costs and losses, from the form"),
            Field("Art. 4(f)", "Recurring incidents, where applicable",
                  "recurring incidents (Art. 8(2) of 2024/1772)" if k and k.rule == "8(2)" else None,
                  "/incident classify"),
        ]
    return out
