"""The postmortem as HTML on the public page: it is written in Markdown (Slack's canvas, Statuspage's
postmortem body), and readers should see its headings, lists and tables, not its asterisks.

markdown-it-py, CommonMark with tables. Raw HTML is off, so what people typed (which the postmortem already
escapes as Markdown) stays text; its link check drops javascript:, data: and the like; images are off, so
the public page loads nothing from elsewhere. Headings start at h3, under the page's own h1 and h2."""

from __future__ import annotations

from markdown_it import MarkdownIt
from markupsafe import Markup

_md = MarkdownIt("commonmark", {"html": False}).enable("table").disable("image")
TOP_HEADING = 3


def to_html(markdown: str) -> Markup:
    tokens = _md.parse(markdown)
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(6, int(token.tag[1:]) + TOP_HEADING - 1)}"
    return Markup(_md.renderer.render(tokens, _md.options, {}))
