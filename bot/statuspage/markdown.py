"""The postmortem as HTML on the public page: it is written in Markdown (Slack's canvas, Statuspage's
postmortem body), and readers should see its headings, lists and tables, not its asterisks.

markdown-it-py, CommonMark with tables. Raw HTML is off, so what people typed (which the postmortem already
escapes as Markdown) stays text; links and images are off too: the bot's postmortem holds none, so any
would be typed text that slipped through, and the public page must neither send readers nor load anything
elsewhere. Headings start at h3, under the page's own h1 and h2. A table cell's line breaks are `<br>` in
the Markdown (`bot.render.markdown.cell`; typed `<` is always `&lt;` there): they stay line breaks here."""

from __future__ import annotations

from markdown_it import MarkdownIt
from markupsafe import Markup

_md = MarkdownIt("commonmark", {"html": False}).enable("table").disable(["image", "link", "autolink"])
TOP_HEADING = 3
_BREAK = "\ue000"  # a private-use character through the parser: the worst a typed one gives is a line break


def to_html(markdown: str) -> Markup:
    tokens = _md.parse(markdown.replace("<br>", _BREAK))
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(6, int(token.tag[1:]) + TOP_HEADING - 1)}"
    return Markup(_md.renderer.render(tokens, _md.options, {}).replace(_BREAK, "<br>"))
