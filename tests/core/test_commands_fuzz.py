"""Whatever people type after `/incident`, the parsers answer with a result or their documented error.

Property tests over `bot.core.commands`, and the declare path as the command listener runs it
(parse → split_priority → split_texts → channel_name), with prefixes an operator might configure.
"""

from __future__ import annotations

import re
from collections import Counter

from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.core.bilingual import BilingualError, split_texts
from bot.core.channel_name import MAX_LENGTH, channel_name, is_valid_channel_name, with_suffix
from bot.core.commands import (
    GLOBAL,
    SUBCOMMANDS,
    CommandError,
    parse,
    parse_mention,
    parse_priority,
    split_action,
    split_priority,
)
from bot.core.model import Priority

# Pieces people really type, mixed with anything at all.
PIECES = st.sampled_from([
    "declare", "UPDATE", "resolve", "set", "P1", "P9", "p2", "P02", "P", "TSR-2641", "tsr-7", "TSR-", "INC-1",
    "FR", "EN", "FR:", "=>", "<@U123ABC>", "<@W1|alex>", "<@u1>", "<#C1>", "🔥", "é", " ", "  ", "\n", "\t",
    "\u00a0", "\u2028", ":", "-", "٣", "1" * 30,
])
TYPED = st.lists(st.text(max_size=8) | PIECES, max_size=12).map("".join)
PREFIXES = st.sampled_from(["TSR", "INC", "SEC-OPS", "A", "ops", "Éq", "X.Y"]) | st.text(min_size=1, max_size=6)
LANGUAGES = st.sampled_from([["fr", "en"], ["en", "fr"], ["fr"], ["fr", "en", "de"]])


@settings(max_examples=400)
@given(text=TYPED, prefix=PREFIXES)
@example(text="declare TSR-2641 Panne", prefix="TSR")  # declare takes no reference: the title starts there
@example(text="List inc-3", prefix="INC")
def test_parse_always_gives_a_known_subcommand(text: str, prefix: str) -> None:
    parsed = parse(text, prefix)
    assert parsed.name in SUBCOMMANDS
    assert parsed.rest == parsed.rest.strip()
    words = text.split(None, 1)
    if not words or words[0].lower() not in SUBCOMMANDS:
        assert parsed.name == "help" and parsed.ref is None
        return
    assert parsed.name == words[0].lower()
    if parsed.ref is not None:
        assert parsed.name not in GLOBAL
        assert parsed.ref == parsed.ref.upper()
        assert re.fullmatch(rf"{re.escape(prefix.upper())}-\d+", parsed.ref)
        assert parsed.ref.lower() in text.lower()


@given(name=st.sampled_from(sorted(set(SUBCOMMANDS) - GLOBAL)), number=st.integers(0, 10**6),
       rest=TYPED, prefix=st.sampled_from(["TSR", "INC", "SEC-OPS"]))
def test_a_reference_after_the_subcommand_is_found(name: str, number: int, rest: str, prefix: str) -> None:
    parsed = parse(f"{name} {prefix.lower()}-{number} {rest}", prefix)
    assert (parsed.name, parsed.ref) == (name, f"{prefix}-{number}")
    assert parsed.rest == rest.strip()


@settings(max_examples=400)
@given(rest=TYPED)
@example(rest="P9 Panne")
@example(rest="p0")
@example(rest="P" + "9" * 5000)  # longer than Python's int() digit limit
def test_split_priority_takes_only_a_leading_p_number(rest: str) -> None:
    try:
        priority, title = split_priority(rest)
    except CommandError as e:
        assert e.code == "unknown_priority"
        assert re.match(r"[Pp]\d+$", e.params["given"])
        return
    if priority is None:
        assert title == rest
    else:
        assert isinstance(priority, Priority)
        assert title == title.strip()
        assert rest.split()[0].lower().lstrip("p").lstrip("0") in ("", priority.value[1:])


def test_a_newline_after_the_priority_separates_it_from_the_title() -> None:
    assert split_priority("P1\nPanne réseau") == (Priority.P1, "Panne réseau")
    assert parse("update TSR-2641\nmonitoring", "TSR").ref == "TSR-2641"


@given(word=TYPED)
def test_parse_priority_gives_p1_to_p4_or_says_which_word(word: str) -> None:
    try:
        assert parse_priority(word) in set(Priority)
    except CommandError as e:
        assert e.code == "unknown_priority" and e.params["given"] == word.strip()


@settings(max_examples=400)
@given(rest=TYPED)
def test_split_action_needs_both_sides(rest: str) -> None:
    try:
        symptom, action = split_action(rest)
    except CommandError as e:
        assert e.code == "action_syntax"
        return
    assert symptom and action and symptom == symptom.strip() and action == action.strip()
    assert "=>" not in symptom
    assert rest.strip().startswith(symptom) and rest.strip().endswith(action)


@given(word=TYPED)
@example(word="<@U1>x")
@example(word="<@u1>")
@example(word="<@Uabc>")
def test_parse_mention_gives_a_user_id_or_asks_for_a_mention(word: str) -> None:
    try:
        user = parse_mention(word)
    except CommandError as e:
        assert e.code == "need_mention"
        return
    assert re.fullmatch(r"[UW][A-Z0-9]+", user)
    assert word.strip().startswith(f"<@{user}")


@given(user=st.from_regex(r"[UW][A-Z0-9]{1,12}", fullmatch=True), label=st.text().filter(lambda t: ">" not in t))
def test_a_slack_mention_gives_its_user(user: str, label: str) -> None:
    assert parse_mention(f" <@{user}> ") == user
    assert parse_mention(f"<@{user}|{label}>") == user


@settings(max_examples=400)
@given(text=TYPED, languages=LANGUAGES)
@example(text="FR un FR deux", languages=["fr", "en"])
def test_split_texts_keeps_every_word_or_refuses_a_repeated_code(text: str, languages: list[str]) -> None:
    codes = [w.rstrip(":") for w in text.split() if w.rstrip(":") in {l.upper() for l in languages}]
    try:
        texts = split_texts(text, languages)
    except BilingualError as e:
        assert e.code == "duplicate_language" and e.params["lang"] in languages
        return
    assert len(codes) == len(set(codes)), "a code written twice must be refused"
    assert list(texts) == [l for l in languages if l in texts]
    assert all(v and v == v.strip() for v in texts.values())
    # Nothing typed is lost or made up: only the codes' letters and their colons go (spaces aside).
    typed = Counter("".join(text.split()))
    kept = Counter("".join("".join(v.split()) for v in texts.values()))
    assert not kept - typed
    assert set(typed - kept) <= set("".join(l.upper() for l in languages) + ":")


@settings(max_examples=400)
@given(text=TYPED, prefix=PREFIXES, number=st.integers(1, 10**7), languages=LANGUAGES)
@example(text="P2 " + "Très longue panne " * 10, prefix="TSR", number=2641, languages=["fr", "en"])
@example(text="FR FR", prefix="TSR", number=1, languages=["fr", "en"])  # a code twice, no priority
def test_the_declare_path_gives_a_valid_channel_or_a_documented_refusal(text, prefix, number, languages) -> None:
    """What the command listener does with `/incident declare …`, minus Slack and the database."""
    parsed = parse(f"declare {text}", prefix)
    assert parsed.name == "declare" and parsed.ref is None
    try:
        _priority, title_text = split_priority(parsed.rest)
        title = split_texts(title_text, languages)
    except BilingualError as e:  # before CommandError: it is one kind of refused command
        assert e.code == "duplicate_language"
        return
    except CommandError as e:
        assert e.code == "unknown_priority"
        return
    first = next((t for t in title.values() if t), "")
    name = channel_name(prefix, number, first)
    assert is_valid_channel_name(name) and len(name) <= MAX_LENGTH
    assert "--" not in name and not name.endswith("-")
    assert str(number) in name
    for n in (2, 3, 10, 99):
        suffixed = with_suffix(name, n)
        assert is_valid_channel_name(suffixed) and suffixed.endswith(f"-{n}") and suffixed != name
