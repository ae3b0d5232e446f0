"""Block Kit and mrkdwn for what the bot posts. People's text is escaped so it cannot ping or link."""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.core.model import Entry, Incident, Role, Status, Texts
from bot.i18n import N_, Lang
from bot.render import colon
from bot.render.header import across, header_line

SECTION_LIMIT = 3000
HEADER_LIMIT = 150
TOPIC_LIMIT = 250

STATUS_EMOJI = {
    Status.INVESTIGATING: ":mag:",
    Status.IDENTIFIED: ":bulb:",
    Status.MONITORING: ":eyes:",
    Status.RESOLVED: ":white_check_mark:",
}
TRANSLATION_TO_COME = N_("translation to come")
# Pinned-summary labels: markers stay outside f-strings, where extraction does not look.
CLIENT_IMPACT = N_("Client impact")
SERVICES_AFFECTED = N_("Services affected")


_TOKEN = re.compile(r"<([^<>\n]{1,500})>")
_PERSON_OR_CHANNEL = re.compile(r"[@#](?:[UW][A-Z0-9]+|C[A-Z0-9]+)")
_URL = re.compile(r"https?://[^\s|<>]+")


def _plain(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _token(inner: str) -> str:
    """One `<…>` of Slack markup in people's text, made harmless but still useful."""
    target, _, label = inner.partition("|")
    if _PERSON_OR_CHANNEL.fullmatch(target):  # naming a person or a channel pings no crowd
        return f"<{target}|{_plain(label)}>" if label else f"<{target}>"
    if target.startswith("!"):  # @here, @channel, @everyone, user groups: shown, never broadcast
        return _plain("@" + (label or target[1:].split("^")[0]).lstrip("@"))
    if _URL.fullmatch(target):  # a link shows its own address, so its label cannot disguise it
        link = f"<{_plain(target)}>"
        return f"{_plain(label)} ({link})" if label and label != target else link
    return _plain(f"<{inner}>")


def escape(text: str) -> str:
    """People's text for mrkdwn: Slack's three control characters escaped, so `<!channel>` cannot
    ping and `<http://…|bank>` cannot hide where it goes; mentions of a person stay mentions."""
    out, pos = [], 0
    for m in _TOKEN.finditer(text):
        out.append(_plain(text[pos:m.start()]))
        out.append(_token(m.group(1)))
        pos = m.end()
    out.append(_plain(text[pos:]))
    return "".join(out)


def cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def joined(langs: Sequence[Lang], msgid: str, **params) -> str:
    """One label in every language, as on the example page: `Début / Start`."""
    return across(langs, lambda lang: lang._(msgid, **params))


def title_of(incident: Incident, langs: Sequence[Lang]) -> str:
    parts = [incident.title[l.code] for l in langs if incident.title.get(l.code)]
    return " / ".join(dict.fromkeys(parts or [t for t in incident.title.values() if t]))


def multilingual(texts: Texts, langs: Sequence[Lang], all_langs: Sequence[Lang]) -> str:
    """`*FR* texte…` then `*EN* text…`; a missing language says so in every language, never vanishes."""
    lines = []
    for lang in langs:
        text = texts.get(lang.code, "").strip()
        code = lang.code.upper()
        if text:
            lines.append(f"*{code}* {escape(text)}" if len(langs) > 1 else escape(text))
        else:
            lines.append(f"*{code}* _{joined(langs, TRANSLATION_TO_COME)}_")
    return "\n".join(lines)


def sections(text: str) -> list[dict]:
    """Mrkdwn sections within Slack's 3,000-character limit, split on line ends where possible."""
    out, chunk = [], ""
    for line in text.split("\n"):
        while len(line) > SECTION_LIMIT:
            if chunk:
                out.append(chunk)
                chunk = ""
            out.append(line[:SECTION_LIMIT])
            line = line[SECTION_LIMIT:]
        candidate = f"{chunk}\n{line}" if chunk else line
        if len(candidate) > SECTION_LIMIT:
            out.append(chunk)
            chunk = line
        else:
            chunk = candidate
    if chunk:
        out.append(chunk)
    return [{"type": "section", "text": {"type": "mrkdwn", "text": c}} for c in out]


def header_block(text: str) -> dict:
    return {"type": "header", "text": {"type": "plain_text", "text": cut(text, HEADER_LIMIT), "emoji": True}}


def context_block(text: str) -> dict:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": cut(text, SECTION_LIMIT)}]}


def status_label(status: Status, langs: Sequence[Lang]) -> str:
    return f"{STATUS_EMOJI[status]} " + across(langs, lambda lang: lang.status(status))


def roles_line(incident: Incident, langs: Sequence[Lang]) -> str:
    parts = []
    for role in Role:
        user = incident.roles.get(role)
        if user:
            label = across(langs, lambda lang: lang.role(role))
            parts.append(f"{colon(langs[0], label)} <@{user}>")
    return " · ".join(parts)


def summary(incident: Incident, entries: list[Entry], langs: Sequence[Lang]) -> tuple[str, list[dict]]:
    """The pinned summary at the top of the crisis channel, edited in place on every change."""
    title = title_of(incident, langs)
    head = f"{incident.ref} · {title}"
    blocks = [header_block(head)]
    blocks += sections(f"*{status_label(incident.status, langs)}* · {incident.priority.value}")
    blocks += sections(escape(header_line(incident, entries, list(langs))))
    if incident.impact:
        blocks += sections(f"*{joined(langs, CLIENT_IMPACT)}*\n" + multilingual(incident.impact, langs, langs))
    if incident.components:
        blocks += sections(f"*{joined(langs, SERVICES_AFFECTED)}*\n" + multilingual(incident.components, langs, langs))
    roles = roles_line(incident, langs)
    if roles:
        blocks.append(context_block(roles))
    return cut(escape(f"{head} — " + across(langs, lambda l: l.status(incident.status))), 3000), blocks


def announcement(incident: Incident, entries: list[Entry], langs: Sequence[Lang], all_langs: Sequence[Lang]) -> tuple[str, list[dict]]:
    """Stakeholder announcement in that channel's language(s)."""
    title = title_of(incident, langs)
    head = f"{STATUS_EMOJI[incident.status]} {incident.ref} · {title}"
    blocks = [header_block(head)]
    blocks += sections(escape(header_line(incident, entries, list(langs))))
    blocks += sections(f"*{status_label(incident.status, langs)}*")
    if incident.impact:
        blocks += sections(multilingual(incident.impact, langs, all_langs))
    if incident.channel_id:
        blocks.append(context_block(joined(langs, N_("Follow or join the crisis channel: {channel}"),
                                           channel=f"<#{incident.channel_id}>")))
    return cut(escape(f"{incident.ref} — {title}"), 3000), blocks


def update(incident: Incident, status: Status, texts: Texts, langs: Sequence[Lang], all_langs: Sequence[Lang],
           *, header: str | None = None) -> tuple[str, list[dict]]:
    """A status update: status in every language, then each language's text."""
    blocks = [header_block(f"{incident.ref} · " + status_label(status, langs).split(" ", 1)[1])]
    if header:
        blocks += sections(escape(header))
    blocks += sections(multilingual(texts, langs, all_langs))
    said = " ".join(t for l in langs if (t := texts.get(l.code, "").strip()))
    fallback = colon(langs[0], f"{incident.ref} {langs[0].status(status)}") + f" {said}"
    return cut(escape(fallback), 3000), blocks


def key_moment(notice) -> tuple[str, list[dict]]:
    """A key moment echoed in the crisis channel: its time in every language, then its text."""
    when = " / ".join(dict.fromkeys(l.time(notice.at, now=notice.now) for l in notice.langs))
    body = multilingual(notice.texts, notice.langs, notice.langs)
    return f"{notice.icon} {when} — {escape(notice.text)}", sections(f"{notice.icon} *{when}*\n{body}")


def topic(incident: Incident, langs: Sequence[Lang]) -> str:
    lang = langs[0]
    parts = [incident.ref, incident.priority.value, lang.status(incident.status)]
    commander = incident.roles.get(Role.COMMANDER)
    if commander:
        parts.append(f"{lang.role(Role.COMMANDER)} <@{commander}>")
    return cut(" · ".join(parts), TOPIC_LIMIT)
