"""Markdown for text people typed: whatever they type, it stays their text and never becomes structure.

`escape` keeps line breaks; `cell` is for table cells, where a line break would end the row.
Text that is already Markdown (our own labels, italics) is wrapped in `Markdown` so `table`
leaves it alone.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

# Characters that start emphasis, code, links, HTML, tables or strikethrough anywhere in a line.
_INLINE = re.compile(r"([\\`*_\[\]|~])")
# Entities such as &amp; or &#42; would be decoded; an escaped & keeps them as typed.
_ENTITY = re.compile(r"&(?=#?\w+;)")
# What makes a line a heading, quote, list item, rule, setext underline or a table's delimiter row
# (`:---`, not an emoji's `:fire:`) when it starts one.
_LINE_START = re.compile(r"^([#>+\-=]|:(?=-))")
_ORDERED = re.compile(r"^(\d+)([.)])")


class Markdown(str):
    """A string that is Markdown already and must not be escaped again."""


def _escape_line(line: str) -> str:
    # Leading spaces could make an indented code block; the indentation is not worth that.
    line = _INLINE.sub(r"\\\1", line.lstrip())
    line = _ENTITY.sub(r"\\&", line).replace("<", "&lt;")
    # "1." becomes "1\." so an ordered-list marker stays text; other markers get a backslash.
    if _ORDERED.match(line):
        return _ORDERED.sub(r"\1\\\2", line, count=1)
    return _LINE_START.sub(r"\\\1", line)


def escape(text: str) -> str:
    """Typed text as Markdown that shows exactly that text; line breaks are kept."""
    if isinstance(text, Markdown):
        return text
    return "\n".join(_escape_line(line) for line in text.strip().splitlines())


def cell(text: str) -> str:
    """A table cell: escaped, and line breaks as <br> so the row stays one line."""
    lines = [line for line in escape(text).splitlines() if line.strip()]
    return "<br>".join(line.strip() for line in lines)


def bold(markdown: str) -> str:
    return f"**{markdown}**" if markdown else ""


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A GitHub-flavoured table with a bold header; cells are typed text or `Markdown`.

    Every row gets exactly ``len(header)`` cells (missing ones empty, extra ones refused), so the
    table keeps its shape whatever the cells contain.
    """
    width = len(header)

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(cells) + " |"

    out = [line([bold(cell(h)) for h in header]), line(["---"] * width)]
    for row in rows:
        if len(row) > width:
            raise ValueError(f"row has {len(row)} cells, the table {width} columns")
        cells = [cell(c) or " " for c in row] + [" "] * (width - len(row))
        out.append(line(cells))
    return "\n".join(out)


def item(markdown: str) -> str:
    """A bullet; later lines are indented so they stay inside it, blank lines are dropped."""
    lines = [line for line in markdown.splitlines() if line.strip()]
    return "* " + "\n  ".join(lines)
