"""The example incident (TSR-2641, 4 December 2025) as the commands people typed, moment by moment.

Shared by the playground, which replays it on start, and by the end-to-end test that checks the
postmortem it gives. The first step declares (outside the crisis channel); every later step runs
inside the crisis channel the declaration opened.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")
PREFIX = "TSR"
FIRST_NUMBER = 2641


@dataclass(frozen=True)
class Step:
    clock: str | None  # "HH:MM" (Paris, 4 Dec 2025) the bot's clock is set to before the command
    text: str  # what follows `/incident`


def at(hhmm: str) -> datetime:
    h, m = map(int, hhmm.split(":"))
    return datetime(2025, 12, 4, h, m, tzinfo=PARIS)


def steps(style: str = "fr") -> list[Step]:
    """The page's moments typed the French way (`12h08`) or the English way (`12:08pm`)."""
    t = (lambda fr, en: fr) if style == "fr" else (lambda fr, en: en)
    return [
        Step("12:13", "declare P2 FR Perturbations plateforme de paiement EN Payment platform disruptions"),
        # The public status page: its component, what the incident affects there, and publishing it.
        Step(None, "component add ecommerce FR Processing e-commerce EN E-commerce processing"),
        Step(None, "affects ecommerce"),
        Step(None, f"impact start {t('12h08', '12:08pm')}"),
        Step(None, f"event {t('12h13', '12:13pm')} 🚨 FR remontées d’alertes et création d’une cellule de crise dédiée. "
             "Début des investigations. EN alerts raised and creation of a dedicated crisis unit. Start of investigations."),
        Step(None, f"impact end {t('12h13', '12:13pm')}"),
        Step("12:34", f"event {t('12h21', '12:21pm')} FR identification d’un serveur défectueux chez un prestataire "
             "externe. EN identification of a faulty server at an external service provider."),
        Step(None, f"event {t('4 décembre 12h30', 'Dec 4 12:30pm')} FR contact du prestataire externe. "
             "EN contact with the external service provider."),
        Step(None, "publish"),  # the page's first update, at 11:34 UTC
        Step(None, "update monitoring FR Nous avons rencontré des difficultés sur la plateforme de paiement entre 12h08 "
             "et 12h13. L'incident est terminé, nous continuons de monitorer. EN We have identified ongoing difficulties "
             "on the payment platform between 12.08 and 12.13 CET. The incident is over, monitoring is still is in progress."),
        Step("14:28", "set responsibility externe"),
        Step(None, "set category Production Processing"),
        Step(None, "update monitoring FR L’origine exacte est liée à un prestataire externe et reste en cours "
             "d’analyse. Nous continuons de monitorer le service. EN The exact origin, linked to an external provider, "
             "is still under analysis. We continue to monitor the service."),
        Step("16:08", f"event {t('14h16', '2:16pm')} FR confirmation du prestataire externe que l’incident est bien chez "
             "eux. EN confirmation from the external service provider that the incident is indeed on their side."),
        Step(None, "resolve"),
        Step("16:59", f"reopen {t('16h39', '4:39pm')}"),
        Step(None, f"event {t('16h53', '4:53pm')} 🚨 FR remontées d’alertes. EN alerts raised."),
        Step(None, f"event {t('16h54', '4:54pm')} FR nouveau contact du prestataire externe. "
             "EN renewed contact with the external service provider."),
        Step(None, f"event {t('16h56', '4:56pm')} FR le prestataire externe confirme l’incident et mène des actions pour "
             "stabiliser le serveur défaillant. EN the external service provider confirms the incident and takes action "
             "to stabilise the failing server."),
        Step(None, f"impact end {t('16h58', '4:58pm')}"),
        Step(None, "set components FR Paiements en magasin CB2A et e-commerce. EN In-store CB2A payments and "
             "e-commerce payments."),
        Step(None, "set impact FR Impossibilité d’effectuer des paiements pour les porteurs. EN Cardholders were "
             "unable to make payments."),
        Step(None, "set context FR N/A EN N/A"),
        Step(None, "set cause FR Incident externe chez un prestataire. EN External incident at a service provider."),
        Step(None, "action FR Délai de détection de l’origine de l’incident externe pouvant être amélioré. EN The time "
             "taken to detect the source of the external incident could be improved. => FR Ajout d’un système de suivi "
             "pour que les opérations puissent être mieux tracées et pour détecter plus rapidement un incident externe. "
             "EN Addition of a tracking system so that operations can be better traced and to enable faster external "
             "incident detection."),
        Step("17:30", "resolve"),
        Step(None, "postmortem"),
        Step(None, "publish postmortem"),
    ]
