"""The postmortem Markdown, checked against the example page (TSR-2641)."""

from __future__ import annotations

import re

import pytest
from tsr2641 import at, tsr_2641_entries

from bot.core.model import Action, Entry, EntryKind, Incident
from bot.core.postmortem import compile_postmortem
from bot.render.postmortem import render_postmortem

HINT = "`python -m bot timeline TSR-2641`"

# The page's English overview, with its two typos fixed ("4:39 pm", "4:58pm :").
ENGLISH_OVERVIEW = """\
* **4 December 12:08pm: start of the incident.**
* **4 December 12:13pm:** alerts raised and creation of a dedicated crisis unit. Start of investigations.
* **4 December 12:13pm: end of the incident.**
* **4 December 12:21pm:** identification of a faulty server at an external service provider.
* **4 December 12:30pm:** contact with the external service provider.
* **4 December 2:16pm:** confirmation from the external service provider that the incident is indeed on their side.
* **4 December 4:39pm: recurrence of the incident.**
* **4 December 4:53pm:** alerts raised.
* **4 December 4:54pm:** renewed contact with the external service provider.
* **4 December 4:56pm:** the external service provider confirms the incident and takes action to stabilise the failing server.
* **4 December 4:58pm: end of the incident.**"""

ENGLISH_ACTIONS = """\
| **Symptoms** | **Actions** |
| --- | --- |
| The time taken to detect the source of the external incident could be improved. | Addition of a tracking system so that operations can be better traced and to enable faster external incident detection. |"""

FRENCH_OVERVIEW = """\
* **4 décembre 12h08 : début de l’incident.**
* **4 décembre 12h13 :** remontées d’alertes et création d’une cellule de crise dédiée. Début des investigations.
* **4 décembre 12h13 : fin de l’incident.**
* **4 décembre 12h21 :** identification d’un serveur défectueux chez un prestataire externe.
* **4 décembre 12h30 :** contact du prestataire externe.
* **4 décembre 14h16 :** confirmation du prestataire externe que l’incident est bien chez eux.
* **4 décembre 16h39 : résurgence de l’incident.**
* **4 décembre 16h53 :** remontées d’alertes.
* **4 décembre 16h54 :** nouveau contact du prestataire externe.
* **4 décembre 16h56 :** le prestataire externe confirme l’incident et mène des actions pour stabiliser le serveur défaillant.
* **4 décembre 16h58 : fin de l’incident.**"""

FRENCH_ACTIONS = """\
| **Symptômes** | **Actions** |
| --- | --- |
| Délai de détection de l’origine de l’incident externe pouvant être amélioré. | Ajout d’un système de suivi pour que les opérations puissent être mieux tracées et pour détecter plus rapidement un incident externe. |"""


def render(incident, entries, actions, now, langs, hint=HINT) -> str:
    pm = compile_postmortem(incident, entries, actions, now=now)
    return render_postmortem(pm, langs, timeline_hint=hint)


def paragraphs(markdown: str) -> list[str]:
    return markdown.strip().split("\n\n")


def test_english_section_reproduces_the_page(incident, entries, actions, now, en):
    assert paragraphs(render(incident, entries, actions, now, [en])) == [
        "# Post Mortem",
        "**Incident reference** TSR-2641",
        "**Title** Payment platform disruptions",
        "**Services affected by the incident** In-store CB2A payments and e-commerce payments.",
        "**Client impact** Cardholders were unable to make payments.",
        "**Incident Overview**",
        ENGLISH_OVERVIEW,
        "**Context** N/A",
        "**Root cause** External incident at a service provider.",
        "**Responsibility** External",
        "**Actions to be taken**",
        ENGLISH_ACTIONS,
        "**Key figures**",
        "* Impact from 4 December 12:08pm to 4 December 12:13pm: 5m\n"
        "* Impact from 4 December 4:39pm to 4 December 4:58pm: 19m\n"
        "* Total client impact: 24m\n"
        "* Time to detect: 5m\n"
        "* Time to resolve: 5h\n"  # 12:08 -> resolved 17:08
        "* Whole duration: 5h",
        "Full timeline: `python -m bot timeline TSR-2641`",
    ]


def test_one_language_has_no_version_line_nor_separator(incident, entries, actions, now, en):
    text = render(incident, entries, actions, now, [en])
    assert "version below" not in text and "VERSION" not in text


def test_without_hint_no_timeline_line(incident, entries, actions, now, en):
    assert "Full timeline" not in render(incident, entries, actions, now, [en], hint=None)


def test_rendering_is_deterministic(incident, entries, actions, now, en):
    assert render(incident, entries, actions, now, [en]) == render(incident, entries, actions, now, [en])


def test_missing_fields_are_visibly_to_be_completed(now, en):
    bare = Incident(ref="INC-7", number=7, title={"en": "x"}, declared_at=at("12:00"))
    text = render(bare, [Entry(EntryKind.DECLARED, at("12:00"))], [], now, [en], hint=None)
    for label in ("Services affected by the incident", "Client impact", "Context", "Root cause"):
        assert f"**{label}** _to be completed_" in text
    assert "**Actions to be taken**\n\n_to be completed_" in text
    assert "* No client impact recorded." in text
    assert "**Responsibility**" not in text  # shown only once known


def test_owner_is_appended_to_the_action(incident, entries, now, en):
    action = Action(symptom={"en": "slow"}, action={"en": "faster"}, owner="Alice")
    assert "| slow | faster (owner: Alice) |" in render(incident, entries, [action], now, [en])


def test_text_missing_in_a_language_falls_back_marked(incident, entries, actions, now, en):
    incident.cause = {"fr": "Incident externe chez un prestataire."}
    text = render(incident, entries, actions, now, [en])
    assert "**Root cause** Incident externe chez un prestataire. (not yet translated)" in text


def test_open_window_is_counted_to_now(incident, en):
    text = render(incident, tsr_2641_entries()[:8], [], at("16:50"), [en])
    assert "* Impact since 4 December 4:39pm (ongoing): 11m" in text
    assert "Whole duration" not in text


def test_hostile_text_stays_text(incident, entries, now, en):
    incident.cause = {"en": "# Heading?\n| a | b |\n* bullet\n---"}
    action = Action(symptom={"en": "a | b\n| c |"}, action={"en": "<b>*x*</b>"})
    entries.append(Entry(EntryKind.EVENT, at("15:00"), texts={"en": "two\n\n# lines"}, key=True))
    text = render(incident, entries, [action], now, [en])
    headings = [line for line in text.splitlines() if line.startswith("#")]
    assert headings == ["# Post Mortem"]
    assert "**Root cause** \\# Heading?\n\\| a \\| b \\|\n\\* bullet\n\\---" in text
    assert "| a \\| b<br>\\| c \\| | &lt;b>\\*x\\*&lt;/b> |" in text
    assert "* **4 December 3:00pm:** two\n  \\# lines" in text
    rows = [line for line in text.splitlines() if line.startswith("| ")]
    assert len(rows) == 3


# --- both languages ---------------------------------------------------------------------------------


@pytest.fixture
def fr_en(catalogs):
    return [catalogs.lang("fr"), catalogs.lang("en")]


def test_bilingual_layout(incident, entries, actions, now, fr_en):
    text = render(incident, entries, actions, now, fr_en)
    first, rest = text.split("\n\n==============ENGLISH VERSION==============\n\n")
    assert first.startswith("# _English version below_\n\n# Post Mortem\n\n**Référence incident** TSR-2641\n\n"
                             "**Titre** Perturbations plateforme de paiement\n\n")
    assert FRENCH_OVERVIEW in first and FRENCH_ACTIONS in first
    assert "**Service concerné** Paiements en magasin CB2A et e-commerce." in first
    assert "**Impact client** Impossibilité d’effectuer des paiements pour les porteurs." in first
    assert "**Synthèse de l’incident**" in first and "**Actions à entreprendre**" in first
    assert rest == render(incident, entries, actions, now, fr_en[1:])


def test_separator_counts_one_per_extra_language(incident, entries, actions, now, fr_en):
    text = render(incident, entries, actions, now, fr_en)
    assert len(re.findall(r"^={14}.+ VERSION={14}$", text, flags=re.M)) == 1
    assert text.count("# Post Mortem") == 2


def test_a_declaration_without_alert_says_so(incident, now, en):
    declared = [Entry(EntryKind.DECLARED, at("12:13"))]
    text = render(incident, declared, [], now, [en])
    assert "* **4 December 12:13pm:** creation of a dedicated crisis unit. Start of investigations." in text


def test_each_section_names_the_incident_by_its_title(incident, entries, actions, now, fr_en):
    """A `<REF>-postmortem.md` read on its own says which incident it is (issue 14)."""
    text = render(incident, entries, actions, now, fr_en)
    first, rest = text.split("==============ENGLISH VERSION==============")
    assert "**Titre** Perturbations plateforme de paiement" in first
    assert "**Title** Payment platform disruptions" in rest


def test_moments_spanning_two_years_show_the_year(incident, entries, now, en):
    """An event of December 2025 on an incident of November 2026 cannot read as the same year (issue 14)."""
    from dataclasses import replace
    from datetime import timedelta

    year = timedelta(days=361)
    moved = replace(incident, declared_at=incident.declared_at + year,
                    resolved_at=incident.resolved_at and incident.resolved_at + year)
    later = [Entry(e.kind, e.at + timedelta(days=361), texts=e.texts, text=e.text, key=e.key, data=e.data)
             for e in entries]
    early = Entry(EntryKind.EVENT, at("12:08"), texts={"en": "an old event"}, key=True)
    text = render(moved, [early, *later], [], now + year, [en])
    assert "* **4 December 2025 12:08pm:** an old event" in text
    assert "* **30 November 2026 12:08pm: start of the incident.**" in text
    assert "2025" not in render(incident, entries, [], now, [en])
