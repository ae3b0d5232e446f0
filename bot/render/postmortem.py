"""The postmortem as Markdown: one section per language, laid out like the example page."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta

from bot.core.impact import Figures
from bot.core.model import Action, EntryKind, Texts
from bot.core.postmortem import Moment, Postmortem, plain_chat
from bot.i18n import Lang, N_
from bot.render import colon
from bot.render.markdown import Markdown, bold, escape, item, table

TO_BE_COMPLETED = N_("to be completed")
NOT_TRANSLATED = N_("(not yet translated)")

# Sentences for the moments that carry no text of their own.
MOMENT_SENTENCES = {
    EntryKind.IMPACT_START: N_("start of the incident."),
    EntryKind.IMPACT_END: N_("end of the incident."),
    EntryKind.REOPENED: N_("recurrence of the incident."),
}
DECLARED = N_("creation of a dedicated crisis unit. Start of investigations.")
DECLARED_ON_ALERT = N_("alerts raised and creation of a dedicated crisis unit. Start of investigations.")


def in_language(texts: Texts, lang: Lang, langs: Sequence[Lang]) -> str | None:
    """The text in `lang`; else another language's, marked, so nothing is silently dropped."""
    if (own := texts.get(lang.code, "").strip()):
        return escape(plain_chat(own))
    others = [l.code for l in langs] + list(texts)
    for code in others:
        if (text := texts.get(code, "").strip()):
            return f"{escape(plain_chat(text))} {lang._(NOT_TRANSLATED)}"
    return None


def to_be_completed(lang: Lang) -> str:
    return f"_{lang._(TO_BE_COMPLETED)}_"


def field(lang: Lang, label: str, value: str | None) -> str:
    """``**Label** value`` as on the page; an empty value is shown as still to be completed."""
    return f"{bold(lang._(label))} {value or to_be_completed(lang)}"


def overview_line(m: Moment, lang: Lang, langs: Sequence[Lang], year: bool = False) -> str:
    when = colon(lang, lang.moment(m.at, year))
    if m.bold:
        return item(bold(f"{when} {lang._(MOMENT_SENTENCES[m.kind])}"))
    if m.kind is EntryKind.DECLARED:
        text = lang._(DECLARED_ON_ALERT if m.alert else DECLARED)
    else:
        text = in_language(m.texts, lang, langs) if m.texts else escape(m.text)
    return item(f"{bold(when)} {text}")


def actions_table(actions: Sequence[Action], lang: Lang, langs: Sequence[Lang]) -> str:
    def cell(texts: Texts) -> Markdown:
        return Markdown(in_language(texts, lang, langs) or to_be_completed(lang))

    rows = []
    for a in actions:
        action = cell(a.action)
        if a.owner:
            action = Markdown(lang._("{action} (owner: {owner})", action=action, owner=escape(a.owner)))
        rows.append([cell(a.symptom), action])
    return table([lang._("Symptoms"), lang._("Actions")], rows)


def figure_lines(f: Figures, lang: Lang, year: bool = False) -> list[str]:
    def line(label: str, td: timedelta | None) -> list[str]:
        return [item(f"{colon(lang, label)} {lang.duration(td)}")] if td is not None else []

    lines: list[str] = []
    for window, length in zip(f.windows, f.impacts):
        start = lang.moment(window.start, year)
        if window.end is None:
            label = lang._("Impact since {start} (ongoing)", start=start)
        else:
            label = lang._("Impact from {start} to {end}", start=start, end=lang.moment(window.end, year))
        lines += line(label, length)
    if not f.windows:
        lines.append(item(lang._("No client impact recorded.")))
    elif len(f.windows) > 1:
        lines += line(lang._("Total client impact"), f.total_impact)
    lines += line(lang._("Time to detect"), f.time_to_detect)
    lines += line(lang._("Time to resolve"), f.time_to_resolve)
    lines += line(lang._("Whole duration"), f.duration)
    return lines


Hint = str | Callable[[Lang], str] | None


def section(pm: Postmortem, lang: Lang, langs: Sequence[Lang], timeline_hint: Hint) -> list[str]:
    """One language's postmortem, as paragraphs (joined with blank lines by the caller)."""

    def texts(t: Texts) -> str | None:
        return in_language(t, lang, langs)

    # Moments spanning more than one year show it, or an old date would read as this year's.
    year = len(lang.years([m.at for m in pm.overview] + [w.start for w in pm.figures.windows])) > 1
    overview = [overview_line(m, lang, langs, year) for m in pm.overview]
    paragraphs = [
        "# " + lang._("Post Mortem"),
        field(lang, N_("Incident reference"), escape(pm.ref)),
        field(lang, N_("Title"), texts(pm.title)),
        field(lang, N_("Services affected by the incident"), texts(pm.components)),
        field(lang, N_("Client impact"), texts(pm.impact)),
        bold(lang._("Incident Overview")),
        "\n".join(overview) or to_be_completed(lang),
        field(lang, N_("Context"), texts(pm.context)),
        field(lang, N_("Root cause"), texts(pm.cause)),
    ]
    if pm.responsibility is not None:
        paragraphs.append(field(lang, N_("Responsibility"), lang.responsibility(pm.responsibility)))
    paragraphs.append(bold(lang._("Actions to be taken")))
    paragraphs.append(actions_table(pm.actions, lang, langs) if pm.actions else to_be_completed(lang))
    paragraphs += [bold(lang._("Key figures")), "\n".join(figure_lines(pm.figures, lang, year))]
    hint = timeline_hint(lang) if callable(timeline_hint) else timeline_hint
    if hint:
        where = colon(lang, lang._("Full timeline"))
        paragraphs.append(f"{where} {hint}")
    return paragraphs


def language_name(lang: Lang) -> str:
    """The language's own name for itself, from CLDR: English, français, Deutsch."""
    return lang.locale.get_language_name(lang.locale) or lang.code


def version_below(lang: Lang) -> str:
    # Translators: the first line of a postmortem, telling readers of this language to scroll down
    return lang._("{language} version below", language=language_name(lang))


def separator(lang: Lang) -> str:
    # Translators: the line between two languages of a postmortem; {language} is upper case
    title = lang._("{language} VERSION", language=language_name(lang).upper())
    return f"{'=' * 14}{title}{'=' * 14}"


def render_postmortem(pm: Postmortem, langs: Sequence[Lang], *, timeline_hint: Hint) -> str:
    """Markdown of the postmortem, one section per language in the given order.

    With several languages the document opens with a line telling readers of the others, each in
    its own language, that their version is below (``# _English version below_``), and sections
    are separated by ``==============ENGLISH VERSION==============``. `timeline_hint` is Markdown
    written by the caller (where to find the full timeline), not typed text, and is not escaped;
    give a function of the language so each section says it in its own language.
    """
    if not langs:
        raise ValueError("at least one language is required")
    paragraphs: list[str] = []
    if len(langs) > 1:
        paragraphs.append("# _" + " / ".join(version_below(l) for l in langs[1:]) + "_")
    for i, lang in enumerate(langs):
        if i:
            paragraphs.append(separator(lang))
        paragraphs += section(pm, lang, langs, timeline_hint)
    return "\n\n".join(paragraphs) + "\n"
