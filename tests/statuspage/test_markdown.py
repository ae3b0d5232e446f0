"""The postmortem's Markdown as the public page shows it."""

import re

from hypothesis import given, settings, strategies as st
from markdown_it import MarkdownIt

from bot.core.publicpage import public_markdown
from bot.render.markdown import escape, table
from bot.statuspage.markdown import to_html

POSTMORTEM = """# Post Mortem

**Référence incident** TSR-2641

* **4 décembre 12h08 : début de l’incident.**

| **Symptômes** | **Actions** |
| --- | --- |
| Délai de détection | Ajout d’un suivi |
"""


def test_headings_lists_and_tables_become_html_under_the_pages_own_headings():
    html = to_html(POSTMORTEM)
    assert "<h3>Post Mortem</h3>" in html and "<h1>" not in html
    assert "<strong>Référence incident</strong> TSR-2641" in html
    assert "<li><strong>4 décembre 12h08 : début de l’incident.</strong></li>" in html
    assert "<th><strong>Symptômes</strong></th>" in html and "<td>Ajout d’un suivi</td>" in html
    assert "**" not in html and "| ---" not in html


def test_typed_html_stays_text_and_no_script_link_or_outside_image_gets_through():
    html = to_html("<script>alert(1)</script> <img src=x onerror=alert(1)> [x](javascript:alert(1)) "
                   "[d](data:text/html;base64,PHNjcmlwdD4=) ![pixel](https://tracker.example/p.png)")
    assert "<script" not in html and "<img" not in html and "&lt;script&gt;" in html
    assert 'href="javascript' not in html and 'href="data' not in html
    assert 'src="https://tracker.example' not in html


def test_escaped_markdown_stays_as_typed():
    assert to_html(r"\*\*md\*\* \_it\_") == "<p>**md** _it_</p>\n"


# Anything people could type, with what Markdown and Slack mentions are made of made frequent.
typed = st.lists(st.one_of(st.sampled_from([*"*_|#`<>[]()!\\&;:=+-~. 0U1@\n", "#U1", "@U1", "<@U1>", "http://x"]),
                           st.characters()), max_size=40).map("".join)
_STRUCTURE = re.compile(r"<(?!/?p>|br>)[a-z/][^>]*>")  # any tag but a paragraph or a line break


@settings(max_examples=300)
@given(typed)
def test_typed_text_never_becomes_structure_on_the_page_even_after_mentions_are_cut(text):
    for markdown in (escape(text), public_markdown(escape(text))):
        assert not _STRUCTURE.search(to_html(markdown)), markdown


@settings(max_examples=300)
@given(typed)
def test_cutting_mentions_never_unescapes_a_link_for_a_renderer_that_shows_links(text):
    # Statuspage renders the postmortem it is sent (bot.statuspage.mirror) with links on.
    assert "<a " not in MarkdownIt("commonmark").render(public_markdown(escape(text)))


def test_a_mention_cut_at_a_line_start_leaves_the_next_bracket_escaped():
    # Found by an attack: `#` starting a line is escaped as `\#`; cutting `#U1` alone left `\\[`.
    typed = "#U1[Reset your password here\n#U1](https://evil.example/login)"
    shown = public_markdown(escape(typed))
    assert "<a " not in MarkdownIt("commonmark").render(shown)
    assert "[Reset your password here" in to_html(shown) and "evil.example/login" in to_html(shown)


def test_a_typed_delimiter_row_makes_no_table():
    # Found by an attack: a typed line starting with `:---` under one holding a pipe made a table.
    assert "<table>" not in to_html(escape("payments | refunds\n:---\nmore text"))
    assert to_html(escape(":fire: au démarrage")) == "<p>:fire: au démarrage</p>\n"  # an emoji stays as typed


def test_a_line_break_in_a_table_cell_stays_a_line_break_and_a_typed_br_stays_text():
    html = to_html(table(["Symptômes", "Actions"], [["lent\nseconde ligne", "<br> tapé"]]))
    assert "<td>lent<br>seconde ligne</td>" in html and "<td>&lt;br&gt; tapé</td>" in html
