"""`/incident action …` read in both natural bilingual forms (issue 14)."""

from __future__ import annotations

import pytest

from bot.core.commands import CommandError, split_action_texts

LANGS = ("fr", "en")


@pytest.mark.parametrize("text", [
    "FR Lent EN Slow => FR Accélérer EN Speed up",
    "FR Lent => Accélérer EN Slow => Speed up",
])
def test_both_forms_give_the_same_row(text):
    assert split_action_texts(text, LANGS) == ({"fr": "Lent", "en": "Slow"}, {"fr": "Accélérer", "en": "Speed up"})


def test_uncoded_text_is_the_first_language():
    assert split_action_texts("Lent => Accélérer", LANGS) == ({"fr": "Lent"}, {"fr": "Accélérer"})


@pytest.mark.parametrize("text", ["no arrow", "FR a => b EN c => d => e", "=> b", "a =>", "FR a => b EN => d"])
def test_what_cannot_be_read_is_refused(text):
    with pytest.raises(CommandError) as e:
        split_action_texts(text, LANGS)
    assert e.value.code == "action_syntax"
