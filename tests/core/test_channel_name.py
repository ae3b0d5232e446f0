import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.channel_name import MAX_LENGTH, channel_name, is_valid_channel_name, slug, with_suffix


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        (
            "Perturbations plateforme de paiement / Payment platform disruptions",
            "tsr-2641-perturbations-plateforme-de-paiement-payment-platform-disruptions",
        ),
        ("Panne réseau", "tsr-2641-panne-reseau"),
        ("Cœur de réseau : Œuvre, straße, Ærø", "tsr-2641-coeur-de-reseau-oeuvre-strasse-aero"),
        ("  --Déjà   vu !!  ", "tsr-2641-deja-vu"),
        ("CB2A hors service (100 %)", "tsr-2641-cb2a-hors-service-100"),
        ("Paiement 🔥 Paris", "tsr-2641-paiement-paris"),
        ("Ошибка оплаты Paris", "tsr-2641-paris"),
        ("snake_case_title", "tsr-2641-snake-case-title"),
        ("🔥🔥🔥", "tsr-2641"),
        ("東京", "tsr-2641"),
        ("", "tsr-2641"),
        ("---", "tsr-2641"),
    ],
)
def test_names_fold_accents_and_drop_the_rest(title: str, expected: str) -> None:
    assert channel_name("TSR", 2641, title) == expected


def test_long_french_title_is_cut_between_words() -> None:
    title = (
        "Indisponibilité totale du réseau de paiement en magasin et en ligne "
        "pour l’ensemble des commerçants européens"
    )
    name = channel_name("TSR", 2641, title)
    assert len(name) <= MAX_LENGTH
    assert name == "tsr-2641-indisponibilite-totale-du-reseau-de-paiement-en-magasin-et-en-ligne"
    assert f"tsr-2641-{slug(title)}".startswith(name + "-")


def test_one_very_long_word_is_cut_inside() -> None:
    name = channel_name("TSR", 2641, "a" * 200)
    assert name == "tsr-2641-" + "a" * (MAX_LENGTH - len("tsr-2641-"))


def test_cut_never_ends_with_a_hyphen() -> None:
    # The 80th character falls on a hyphen.
    title = "a" * (MAX_LENGTH - len("tsr-2641-") - 1) + " bcd"
    name = channel_name("TSR", 2641, title)
    assert name == "tsr-2641-" + "a" * (MAX_LENGTH - len("tsr-2641-") - 1)


def test_suffixes_for_collisions() -> None:
    assert with_suffix("tsr-2641-panne-reseau", 2) == "tsr-2641-panne-reseau-2"
    assert with_suffix("tsr-2641", 3) == "tsr-2641-3"


def test_suffix_on_a_full_name_cuts_the_slug_between_words() -> None:
    name = channel_name("TSR", 2641, "Indisponibilité totale du réseau de paiement en magasin et en ligne ok partout")
    assert name == "tsr-2641-indisponibilite-totale-du-reseau-de-paiement-en-magasin-et-en-ligne-ok"
    assert len(name) + len("-12") > MAX_LENGTH  # no room left as it is
    assert with_suffix(name, 12) == "tsr-2641-indisponibilite-totale-du-reseau-de-paiement-en-magasin-et-en-ligne-12"


@pytest.mark.parametrize(
    ("name", "valid"),
    [
        ("tsr-2641-panne", True),
        ("a", True),
        ("snake_case", True),
        ("x" * 80, True),
        ("x" * 81, False),
        ("", False),
        ("Upper", False),
        ("with space", False),
        ("réseau", False),
        ("dot.name", False),
        ("ends-with-newline\n", False),
    ],
)
def test_slack_rule(name: str, valid: bool) -> None:
    assert is_valid_channel_name(name) is valid


PREFIXES = st.from_regex(r"[A-Z]{1,10}", fullmatch=True)
NUMBERS = st.integers(min_value=0, max_value=10**9)
# Arbitrary text rarely makes titles long enough to be cut; words do.
WORDS = st.sampled_from(["réseau", "Paiement", "de", "a", "x" * 30, "y" * 75, "🔥", "Œuvre", "-", "_", "2641"])
TITLES = st.text() | st.lists(WORDS, max_size=40).map(" ".join)


@given(prefix=PREFIXES, number=NUMBERS, title=TITLES)
def test_any_title_gives_a_valid_name(prefix: str, number: int, title: str) -> None:
    name = channel_name(prefix, number, title)
    head = f"{prefix.lower()}-{number}"
    assert is_valid_channel_name(name)
    assert name == head or name.startswith(head + "-")
    assert "--" not in name and not name.endswith("-")


@given(prefix=PREFIXES, number=NUMBERS, title=TITLES)
def test_suffixes_are_valid_and_distinct(prefix: str, number: int, title: str) -> None:
    name = channel_name(prefix, number, title)
    suffixed = [with_suffix(name, n) for n in range(2, 21)]
    assert all(is_valid_channel_name(s) for s in suffixed)
    assert len(set(suffixed) | {name}) == len(suffixed) + 1
