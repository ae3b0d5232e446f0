"""Escaping typed text: it shows as typed and never turns into Markdown structure."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, strategies as st

from bot.render.markdown import Markdown, cell, escape, item, table

# Anything people could type, with the characters Markdown cares about made frequent.
typed = st.text(
    alphabet=st.one_of(st.sampled_from("*_|#`<>[]()!\\&;=+-~. 0123456789\n\r\t"), st.characters()),
    max_size=60,
)


def unescape(markdown: str) -> str:
    """What a CommonMark reader shows for our escaped text (the only constructs we emit)."""
    out, i = [], 0
    while i < len(markdown):
        if markdown.startswith("<br>", i):
            out.append("\n"); i += 4
        elif markdown.startswith("&lt;", i):
            out.append("<"); i += 4
        elif markdown[i] == "\\" and i + 1 < len(markdown):
            out.append(markdown[i + 1]); i += 2
        else:
            out.append(markdown[i]); i += 1
    return "".join(out)


def row_cells(line: str) -> list[str]:
    """Split a table row on the pipes that are not escaped."""
    cells, current, i = [], "", 0
    while i < len(line):
        if line[i] == "\\":
            current += line[i:i + 2]; i += 2
        elif line[i] == "|":
            cells.append(current); current = ""; i += 1
        else:
            current += line[i]; i += 1
    cells.append(current)
    assert cells[0] == "" and cells[-1] == "", line
    return [c.strip() for c in cells[1:-1]]


@pytest.mark.parametrize(
    "typed, shown",
    [
        ("# not a heading", r"\# not a heading"),
        ("> not a quote", r"\> not a quote"),
        ("- not a bullet", r"\- not a bullet"),
        ("+ not a bullet", r"\+ not a bullet"),
        ("* not a bullet", r"\* not a bullet"),
        ("1. not a list", r"1\. not a list"),
        ("2) not a list", r"2\) not a list"),
        ("title\n===", "title\n\\==="),
        ("title\n---", "title\n\\---"),
        ("snake_case and *stars*", r"snake\_case and \*stars\*"),
        ("a | b", r"a \| b"),
        ("`code` [link](x) ~~gone~~", r"\`code\` \[link\](x) \~\~gone\~\~"),
        ("<script>", "&lt;script>"),
        ("&amp; stays typed, R&D too", r"\&amp; stays typed, R&D too"),
        ("    indented code", "indented code"),
        ("back\\slash", "back\\\\slash"),
        ("Incident externe chez un prestataire.", "Incident externe chez un prestataire."),
        ("l’incident, 12h08 – 12h13 (CET).", "l’incident, 12h08 – 12h13 (CET)."),
    ],
)
def test_escape(typed, shown):
    assert escape(typed) == shown


def test_markdown_is_not_escaped_twice():
    assert escape(Markdown("_to be completed_")) == "_to be completed_"


def test_cell_keeps_one_line():
    assert cell("first\n\n  second|third\r\nfourth") == r"first<br>second\|third<br>fourth"


def test_item_keeps_later_lines_inside_the_bullet():
    assert item("one\n\ntwo") == "* one\n  two"


@given(typed)
def test_escaped_lines_never_start_structure(text):
    for line in escape(text).splitlines():
        assert not re.match(r"[ \t]|[#>+\-=*_]|\d+[.)]", line), line


@given(typed)
def test_escaped_text_reads_back_as_typed(text):
    lines = [line.lstrip() for line in text.strip().splitlines()]
    assert unescape(escape(text)) == "\n".join(lines)


@given(st.lists(st.lists(typed, min_size=2, max_size=2), max_size=5), typed, typed)
def test_table_keeps_its_shape_whatever_the_cells_hold(rows, left, right):
    lines = table([left, right], rows).split("\n")
    assert len(lines) == 2 + len(rows)
    assert all(len(row_cells(line)) == 2 for line in lines)
    assert row_cells(lines[1]) == ["---", "---"]
    for line, row in zip(lines[2:], rows):
        shown = [unescape(c) for c in row_cells(line)]
        typed_lines = ["\n".join(l.strip() for l in c.splitlines() if l.strip()) for c in row]
        assert shown == [t or "" for t in typed_lines]


def test_short_rows_are_padded_and_long_rows_refused():
    assert table(["a", "b"], [["x"]]).split("\n")[2] == "| x |   |"
    with pytest.raises(ValueError):
        table(["a", "b"], [["x", "y", "z"]])
