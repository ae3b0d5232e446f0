"""The postmortem's Markdown as the public page shows it."""

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
