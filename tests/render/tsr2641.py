"""Incident TSR-2641 of the example page (/work/shared/examples/dalenys-tsr-2641.txt), built by hand."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from bot.core.model import Action, Entry, EntryKind, Incident, Priority, Responsibility, Status

PARIS = ZoneInfo("Europe/Paris")
K = EntryKind


def at(hhmm: str, day: int = 4) -> datetime:
    h, m = map(int, hhmm.split(":"))
    return datetime(2025, 12, day, h, m, tzinfo=PARIS).astimezone(timezone.utc)


def event(hhmm: str, fr: str, en: str, **data) -> Entry:
    return Entry(K.EVENT, at(hhmm), texts={"fr": fr, "en": en}, key=True, data=data)


def tsr_2641_entries() -> list[Entry]:
    return [
        Entry(K.IMPACT_START, at("12:08")),
        Entry(K.DECLARED, at("12:13"), data={"alert": True, "priority": "P2"}),
        Entry(K.IMPACT_END, at("12:13")),
        event("12:21", "identification d’un serveur défectueux chez un prestataire externe.",
              "identification of a faulty server at an external service provider."),
        event("12:30", "contact du prestataire externe.", "contact with the external service provider."),
        event("14:16", "confirmation du prestataire externe que l’incident est bien chez eux.",
              "confirmation from the external service provider that the incident is indeed on their side."),
        Entry(K.REOPENED, at("16:39")),
        event("16:53", "remontées d’alertes.", "alerts raised.", alert=True),
        event("16:54", "nouveau contact du prestataire externe.", "renewed contact with the external service provider."),
        event("16:56",
              "le prestataire externe confirme l’incident et mène des actions pour stabiliser le serveur défaillant.",
              "the external service provider confirms the incident and takes action to stabilise the failing server."),
        Entry(K.IMPACT_END, at("16:58")),
        # Not key moments: they must stay out of the overview.
        Entry(K.MESSAGE, at("13:00"), text="anyone on it?"),
        Entry(K.STATUS, at("12:34"), texts={"fr": "…", "en": "…"}, data={"from": "investigating", "to": "monitoring"}),
    ]


def tsr_2641() -> Incident:
    return Incident(
        ref="TSR-2641",
        number=2641,
        title={"fr": "Perturbations plateforme de paiement", "en": "Payment platform disruptions"},
        priority=Priority.P2,
        status=Status.RESOLVED,
        declared_at=at("12:13"),
        resolved_at=at("17:08"),
        category="Production Processing",
        responsibility=Responsibility.EXTERNAL,
        components={"fr": "Paiements en magasin CB2A et e-commerce.",
                    "en": "In-store CB2A payments and e-commerce payments."},
        impact={"fr": "Impossibilité d’effectuer des paiements pour les porteurs.",
                "en": "Cardholders were unable to make payments."},
        cause={"fr": "Incident externe chez un prestataire.", "en": "External incident at a service provider."},
        context={"fr": "N/A", "en": "N/A"},
    )


def tsr_2641_actions() -> list[Action]:
    return [Action(
        symptom={"fr": "Délai de détection de l’origine de l’incident externe pouvant être amélioré.",
                 "en": "The time taken to detect the source of the external incident could be improved."},
        action={"fr": "Ajout d’un système de suivi pour que les opérations puissent être mieux tracées "
                      "et pour détecter plus rapidement un incident externe.",
                "en": "Addition of a tracking system so that operations can be better traced "
                      "and to enable faster external incident detection."},
    )]
