"""Turning incidents into text people read: Markdown postmortem, header line.

Everything here takes `Lang` objects (bot.i18n) and the pure values of bot.core; nothing reads a
clock, the database or Slack.
"""

from __future__ import annotations

from bot.i18n import Lang, N_

# Translators: a label followed by its value, or an overview time followed by what happened.
# French puts a space before the colon: "{label} :"
LABEL = N_("{label}:")


def colon(lang: Lang, label: str) -> str:
    """``label:`` in English, ``label :`` in French — the colon's typography belongs to the language."""
    return lang._(LABEL, label=label)
