import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.bilingual import BilingualError, missing_languages, split_texts

FR_EN = ("fr", "en")

# The example incident page's first update, as posted.
EXAMPLE_FR = (
    "Nous avons rencontré des difficultés sur la plateforme de paiement entre 12h08 et 12h13. "
    "L'incident est terminé, nous continuons de monitorer."
)
EXAMPLE_EN = (
    "We have identified ongoing difficulties on the payment platform between 12.08 and 12.13 CET. "
    "The incident is over, monitoring is still is in progress."
)
EXAMPLE_HEADER = (
    "TSR-2641 - Début / Start : 04/12/2025 12h08 CET - Fin / End : 04/12/2025 12h13 CET - "
    "Catégorie / Category : Production Processing - Responsabilité / Responsibility : Externe / External - "
    "Priorité / Priority : P2"
)


def test_example_update_splits_exactly() -> None:
    assert split_texts(f"FR {EXAMPLE_FR} EN {EXAMPLE_EN}", FR_EN) == {"fr": EXAMPLE_FR, "en": EXAMPLE_EN}


def test_example_second_update_keeps_its_header_with_the_first_language() -> None:
    fr = "L’origine exacte est liée à un prestataire externe et reste en cours d’analyse."
    en = "The exact origin, linked to an external provider, is still under analysis."
    assert split_texts(f"{EXAMPLE_HEADER} FR {fr} EN {en}", FR_EN) == {"fr": f"{EXAMPLE_HEADER} {fr}", "en": en}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Panne réseau", {"fr": "Panne réseau"}),
        ("  Panne réseau \n", {"fr": "Panne réseau"}),
        ("Panne EN Network outage", {"fr": "Panne", "en": "Network outage"}),
        ("EN Network outage FR Panne", {"fr": "Panne", "en": "Network outage"}),
        ("EN Network outage", {"en": "Network outage"}),
        ("FR: Panne EN: Outage", {"fr": "Panne", "en": "Outage"}),
        ("FR : Panne EN :\nOutage", {"fr": "Panne", "en": "Outage"}),
        ("FR:Panne EN:Outage", {"fr": "Panne", "en": "Outage"}),
        ("FR\u00a0: Panne EN Outage", {"fr": "Panne", "en": "Outage"}),
        ("FR Panne\nsur deux lignes\nEN Outage", {"fr": "Panne\nsur deux lignes", "en": "Outage"}),
        # Not codes: lower case, inside a word, after punctuation, or not a configured language.
        ("Il est en panne en ce moment", {"fr": "Il est en panne en ce moment"}),
        ("FR Service ENcore lent EN Still slow", {"fr": "Service ENcore lent", "en": "Still slow"}),
        ("FR Voir (EN) ou FR/EN EN See", {"fr": "Voir (EN) ou FR/EN", "en": "See"}),
        ("FR Panne DE Störung", {"fr": "Panne DE Störung"}),
        ("EN :) all good", {"en": ":) all good"}),
        # Empty parts are absent.
        ("FR EN Outage", {"en": "Outage"}),
        ("FR Panne EN", {"fr": "Panne"}),
        ("FR EN", {}),
        ("", {}),
    ],
)
def test_splits_by_upper_case_codes(text: str, expected: dict[str, str]) -> None:
    assert split_texts(text, FR_EN) == expected


def test_keys_follow_the_configured_order() -> None:
    assert list(split_texts("EN Outage DE Störung FR Panne", ("fr", "en", "de"))) == ["fr", "en", "de"]


def test_other_configured_languages_count() -> None:
    assert split_texts("EN Outage DE Störung", ("en", "de")) == {"en": "Outage", "de": "Störung"}


@pytest.mark.parametrize("text", ["FR Panne FR Encore", "FR Panne EN Outage EN Again", "EN a EN"])
def test_a_code_given_twice_is_refused(text: str) -> None:
    with pytest.raises(BilingualError) as caught:
        split_texts(text, FR_EN)
    assert caught.value.code == "duplicate_language"
    assert caught.value.params["lang"] in FR_EN


def test_missing_languages_in_configured_order() -> None:
    assert missing_languages({"en": "Outage"}, ("fr", "en", "de")) == ["fr", "de"]
    assert missing_languages({"fr": "Panne", "en": "  "}, FR_EN) == ["en"]
    assert missing_languages({"fr": "Panne", "en": "Outage"}, FR_EN) == []


def _some_of(languages: list[str]) -> st.SearchStrategy[list[str]]:
    """A non-empty selection, in any order."""
    return st.permutations(languages).flatmap(lambda langs: st.integers(1, len(langs)).map(lambda n: langs[:n]))


LANGUAGE_SETS = _some_of(["fr", "en", "de"])
ANY_TEXT = st.lists(st.text(max_size=5) | st.sampled_from(["FR", "EN", "DE", "fr", ":", " ", "\n"])).map("".join)


@given(text=ANY_TEXT, languages=LANGUAGE_SETS)
def test_never_crashes(text: str, languages: list[str]) -> None:
    try:
        texts = split_texts(text, languages)
    except BilingualError as error:
        assert error.code == "duplicate_language"
        return
    assert set(texts) <= set(languages)
    assert all(value and value == value.strip() for value in texts.values())


def _has_code(text: str, languages: list[str]) -> bool:
    codes = [lang.upper() for lang in languages]
    return any(word == code or word.startswith(code + ":") for word in text.split() for code in codes)


@given(data=st.data(), languages=LANGUAGE_SETS)
def test_joined_texts_split_back(data: st.DataObject, languages: list[str]) -> None:
    written = data.draw(_some_of(languages))
    # A text opening with ":" after "FR " would read as the "FR :" form.
    plain = st.text(min_size=1).filter(
        lambda t: t.strip() and not t.strip().startswith(":") and not _has_code(t, languages)
    )
    texts = {lang: data.draw(plain) for lang in written}
    joined = " ".join(f"{lang.upper()} {text}" for lang, text in texts.items())
    assert split_texts(joined, languages) == {lang: texts[lang].strip() for lang in languages if lang in texts}


@given(text=st.text(), languages=LANGUAGE_SETS)
def test_text_without_codes_is_the_first_language(text: str, languages: list[str]) -> None:
    if _has_code(text, languages):
        return
    expected = {languages[0]: text.strip()} if text.strip() else {}
    assert split_texts(text, languages) == expected
