"""The example incident (TSR-2641, 4 Dec 2025) replayed through the bot's commands, in French and English.

The postmortem must contain the page's overview lines, root cause and actions table, with CET times
and figures (first impact 5 min, recurrence 19 min).
"""

from __future__ import annotations

import json

import pytest

from bot.core.impact import is_alert
from bot.playground import example
from bot.store import incidents as store
from bot.store import timeline as tl
from tests.e2e.harness import run_cli

FR_LINES = [
    "* **4 décembre 12h08 : début de l’incident.**",
    "* **4 décembre 12h13 :** remontées d’alertes et création d’une cellule de crise dédiée. Début des investigations.",
    "* **4 décembre 12h13 : fin de l’incident.**",
    "* **4 décembre 12h21 :** identification d’un serveur défectueux chez un prestataire externe.",
    "* **4 décembre 12h30 :** contact du prestataire externe.",
    "* **4 décembre 14h16 :** confirmation du prestataire externe que l’incident est bien chez eux.",
    "* **4 décembre 16h39 : résurgence de l’incident.**",
    "* **4 décembre 16h53 :** remontées d’alertes.",
    "* **4 décembre 16h54 :** nouveau contact du prestataire externe.",
    "* **4 décembre 16h56 :** le prestataire externe confirme l’incident et mène des actions pour stabiliser le serveur défaillant.",
    "* **4 décembre 16h58 : fin de l’incident.**",
]
EN_LINES = [
    "* **4 December 12:08pm: start of the incident.**",
    "* **4 December 12:13pm:** alerts raised and creation of a dedicated crisis unit. Start of investigations.",
    "* **4 December 12:13pm: end of the incident.**",
    "* **4 December 12:21pm:** identification of a faulty server at an external service provider.",
    "* **4 December 12:30pm:** contact with the external service provider.",
    "* **4 December 2:16pm:** confirmation from the external service provider that the incident is indeed on their side.",
    "* **4 December 4:39pm: recurrence of the incident.**",
    "* **4 December 4:53pm:** alerts raised.",
    "* **4 December 4:54pm:** renewed contact with the external service provider.",
    "* **4 December 4:56pm:** the external service provider confirms the incident and takes action to stabilise the failing server.",
    "* **4 December 4:58pm: end of the incident.**",
]


def replay(bot, style: str) -> str:
    """Type the page's moments the French way (`12h08`) or the English way (`12:08pm`)."""
    ch = None
    for step in example.steps(style):
        if step.clock:
            bot.clock.set(example.at(step.clock))
        if ch is None:  # the declaration, from the operations channel
            bot.command("UFR", step.text)
            ch = bot.incident_channel()
        else:
            bot.command("UFR", step.text, channel=ch)
    return ch


def _overview(markdown: str, heading: str) -> list[str]:
    after = markdown.split(heading, 1)[1].strip().splitlines()
    return [line for line in after[: next(i for i, l in enumerate(after) if l.startswith("**"))] if line.strip()]


@pytest.mark.parametrize("style", ["fr", "en"])
def test_example_page_replayed_gives_the_page_postmortem(bot, style):
    emu = bot.emu
    ch = replay(bot, style)
    errors = [t for t in bot.replies_to("UFR") if "could not" in t or "pas pu" in t or "future" in t]
    assert errors == []
    md_files = [f for f in emu.files if f.filename == "TSR-2641-postmortem.md"]
    assert len(md_files) == 1 and md_files[0].channels == [ch]
    markdown = md_files[0].content.decode()
    # The overview is exactly the page's: every line, in order, and nothing else.
    assert _overview(markdown, "**Synthèse de l’incident**") == FR_LINES
    assert _overview(markdown, "**Incident Overview**" if "**Incident Overview**" in markdown
                     else "**Incident Overview**") == EN_LINES
    assert markdown.index(FR_LINES[0]) < markdown.index("ENGLISH VERSION") < markdown.index(EN_LINES[0])
    assert "| **Symptômes** | **Actions** |" in markdown and "| **Symptoms** | **Actions** |" in markdown
    assert "Incident externe chez un prestataire." in markdown and "External incident at a service provider." in markdown
    assert "5 min" in markdown and "19 min" in markdown and "5m" in markdown and "19m" in markdown
    # The two "alerts raised" moments were typed with the alert mark: time to detect runs to the first.
    with bot.rt.deps.db.session() as s:
        entries = tl.entries(session=s, incident_id=store.by_ref(session=s, ref="TSR-2641").id)
    alerts = [e.at.astimezone(example.PARIS).strftime("%H:%M") for e in entries if is_alert(e)]
    assert alerts == ["12:13", "16:53"]
    # The canvas holds the same document.
    assert emu.canvas_markdown(ch).strip() == markdown.strip()
    # Stakeholders are told.
    assert any("postmortem" in m.get("text", "").lower() for m in emu.replies("CINCEN", emu.messages("CINCEN")[0]["ts"]))
    # Compiling again gives the same document and updates the canvas in place.
    bot.command("UFR", "postmortem", channel=ch)
    assert emu.canvas_markdown(ch).strip() == markdown.strip()
    assert sum(1 for c in emu.calls if c.method == "conversations.canvases.create") == 1
    assert sum(1 for c in emu.calls if c.method == "canvases.edit") == 1


def test_header_line_in_the_summary_matches_the_page(bot):
    replay(bot, "fr")
    blob = json.dumps(bot.posts(bot.incident_channel())[0]["blocks"], ensure_ascii=False)
    assert ("TSR-2641 - Début / Start : 04/12/2025 12h08 CET - Fin / End : 04/12/2025 16h58 CET - "
            "Catégorie / Category : Production Processing - Responsabilité / Responsibility : Externe / External - "
            "Priorité / Priority : P2") in blob


def test_cli_prints_the_same_postmortem_and_the_timeline(bot, database_url):
    emu = bot.emu
    replay(bot, "en")
    posted = next(f for f in emu.files if f.filename == "TSR-2641-postmortem.md").content.decode()
    env = {"DATABASE_URL": database_url, "INCIDENT_PREFIX": "TSR", "PATH": "/usr/bin:/bin"}
    out = run_cli("postmortem", "TSR-2641", env=env)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == posted.strip()
    fr_only = run_cli("postmortem", "tsr-2641", "--lang", "fr", env=env)
    assert FR_LINES[0] in fr_only.stdout and "ENGLISH VERSION" not in fr_only.stdout
    tl = run_cli("timeline", "TSR-2641", "--json", env=env)
    data = json.loads(tl.stdout)
    kinds = [e["kind"] for e in data["entries"]]
    assert kinds[0] == "impact_start" and "reopened" in kinds
    stamps = [e["at"] for e in data["entries"]]
    assert stamps == sorted(stamps)
    missing = run_cli("postmortem", "TSR-9", env=env)
    assert missing.returncode == 3 and "TSR-9" in missing.stderr
