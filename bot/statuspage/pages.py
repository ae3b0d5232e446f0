"""The public page as HTML: Jinja2 templates (autoescaped), every word from the catalogs, every date,
time, zone and duration from Babel in the reader's language. No JavaScript."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from babel.dates import format_date, format_skeleton
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from bot.core.model import Status
from bot.core.publicpage import ComponentStatus, Indicator, PublicIncident, history, uptime
from bot.i18n import N_, Catalogs, Lang
from bot.i18n.vocabulary import COMPONENT_STATUS_NAMES
from bot.statuspage.markdown import to_html
from bot.statuspage.snapshot import PageSettings, Snapshot
from bot.statuspage.text import in_order, pick

TEMPLATES = Path(__file__).parent / "templates"

WORDS = {
    "components": N_("Components"),
    "active": N_("Active incidents"),
    "recent": N_("Recent incidents"),
    "no_incident": N_("No incident reported in the last 90 days."),
    "no_incident_ever": N_("No incident reported yet."),
    "incident_history": N_("Incident history"),
    "language": N_("Language"),
    "affected": N_("Affected components"),
    "timeline": N_("Update timeline"),
    "postmortem": N_("Postmortem"),
    "back": N_("All systems"),
    "atom": N_("Atom feed"),
    "rss": N_("RSS feed"),
    "today": N_("Today"),
    "history": N_("Last 90 days"),
    "not_found": N_("Page not found"),
    "not_found_text": N_("There is no public incident at this address."),
    "json": N_("JSON API"),
    "skip": N_("Skip to content"),
}
INDICATOR_TEXT = {
    Indicator.NONE: N_("All systems operational"),
    Indicator.MINOR: N_("Minor service disruption"),
    Indicator.MAJOR: N_("Partial system outage"),
    Indicator.CRITICAL: N_("Major system outage"),
}
IMPACT_TEXT = {
    Indicator.NONE: N_("a minor"), Indicator.MINOR: N_("a minor"),
    Indicator.MAJOR: N_("a major"), Indicator.CRITICAL: N_("a critical"),
}
POSTMORTEM_STATUS = N_("postmortem")
PAGE_TITLE = N_("{name} status")
HISTORY_TITLE = N_("{name} incident history")
INCIDENT_TITLE = N_("{name} incident")
RESOLVED_SUMMARY = N_("{name} experienced {impact} incident on {date} affecting {components}, lasting {duration}. "
                      "The incident has been resolved; the full update timeline is below.")
RESOLVED_SUMMARY_NONE = N_("{name} experienced {impact} incident on {date}, lasting {duration}. "
                           "The incident has been resolved; the full update timeline is below.")
ACTIVE_SUMMARY = N_("Since {time} ({duration}). This incident is ongoing; the latest update is first below.")
UPTIME = N_("{percent} % of days without an outage")
BAR_DAY = N_("{date}: {status}")


def _plain(text: str) -> str:
    return text.replace("\u00a0", " ").replace("\u202f", " ")


class Pages:
    def __init__(self, page: PageSettings, catalogs: Catalogs):
        self.page = page
        self.catalogs = catalogs
        self.env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                               undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)

    def lang(self, code: str) -> Lang:
        return self.catalogs.lang(code)

    # --- shared pieces ------------------------------------------------------------------------

    def _base(self, lang: Lang, path_of) -> dict:
        return {
            "lang": lang.code, "dir": "rtl" if lang.locale.character_order == "right-to-left" else "ltr",
            "page_name": self.page.name, "t": {k: lang._(v) for k, v in WORDS.items()},
            "languages": [{"code": c, "name": self.lang(c).locale.get_display_name(self.lang(c).locale) or c,
                           "href": path_of(c), "current": c == lang.code} for c in self.page.languages],
            "feed_atom": f"/status/{lang.code}/history.atom", "feed_rss": f"/status/{lang.code}/history.rss",
            "json_href": f"/api/v2/{lang.code}/summary.json", "home": f"/status/{lang.code}/",
            "history_href": f"/status/{lang.code}/history/",
        }

    def _status_name(self, lang: Lang, status) -> str:
        if status == "postmortem":
            return lang._(POSTMORTEM_STATUS)
        if isinstance(status, ComponentStatus):
            return lang._(COMPONENT_STATUS_NAMES[status])
        return lang.status(Status(status))

    def _when(self, lang: Lang, dt: datetime) -> str:
        return lang.datetime(dt)

    def _incident_row(self, lang: Lang, i: PublicIncident, now: datetime) -> dict:
        latest = i.updates[-1] if i.updates else None
        return {"ref": i.ref, "title": pick(i.title, lang.code, self.page.languages),
                "href": f"/status/{lang.code}/incidents/{i.ref}/", "impact": i.impact.value,
                "status": self._status_name(lang, i.shown_status()),
                "when": self._when(lang, i.started_at), "duration": lang.duration(i.duration(now)),
                "latest": pick(latest.texts, lang.code, self.page.languages) if latest else "",
                "latest_at": self._when(lang, latest.display_at) if latest else ""}

    # --- pages --------------------------------------------------------------------------------

    def index(self, snap: Snapshot, lang: Lang, now: datetime) -> str:
        today = now.astimezone(lang.tz).date()
        rows = []
        for c in snap.components:
            bars = history(c.key, snap.incidents, today=today, tz=lang.tz, now=now)
            status = snap.statuses[c.key]
            rows.append({
                "key": c.key, "name": pick(c.names, lang.code, self.page.languages), "status": status.value,
                "status_text": self._status_name(lang, status),
                "uptime": lang._(UPTIME, percent=_plain(f"{uptime(bars):.1f}".replace(".", lang.locale.number_symbols['latn']['decimal']))),
                "bars": [{"status": s.value, "title": lang._(BAR_DAY, date=_plain(format_date(d, "medium", locale=lang.locale)),
                                                                  status=self._status_name(lang, s))
                          + (f" ({', '.join(refs)})" if refs else "")} for d, s, refs in bars],
            })
        recent_from = now - timedelta(days=90)
        ctx = self._base(lang, lambda c: f"/status/{c}/")
        ctx.update(
            title=lang._(PAGE_TITLE, name=self.page.name), indicator=snap.indicator.value,
            indicator_text=lang._(INDICATOR_TEXT[snap.indicator]), components=rows,
            active=[self._incident_row(lang, i, now) for i in snap.unresolved],
            recent=[self._incident_row(lang, i, now) for i in snap.incidents
                    if not i.active and (i.resolved_at or i.started_at) >= recent_from],
            first_day=_plain(format_date(today - timedelta(days=89), "medium", locale=lang.locale)),
        )
        return self.env.get_template("index.html").render(ctx)

    def incident(self, snap: Snapshot, i: PublicIncident, lang: Lang, now: datetime) -> str:
        names = [pick(snap.all_components[k].names, lang.code, self.page.languages)
                 for k in i.components if k in snap.all_components]
        params = dict(name=self.page.name, impact=lang._(IMPACT_TEXT[i.impact]),
                      date=_plain(format_date(i.started_at.astimezone(lang.tz), "long", locale=lang.locale)),
                      components=lang.list(names), duration=lang.duration(i.duration(now)),
                      time=self._when(lang, i.started_at))
        if i.active:
            summary = lang._(ACTIVE_SUMMARY, **params)
        else:
            summary = lang._(RESOLVED_SUMMARY if names else RESOLVED_SUMMARY_NONE, **params)
        updates = [{"status": self._status_name(lang, u.status), "status_key": u.status.value,
                    "when": self._when(lang, u.display_at), "iso": u.display_at.isoformat(),
                    "texts": in_order(u.texts, lang.code, self.page.languages), "long": False} for u in i.updates]
        updates.reverse()  # newest first
        if i.postmortem and i.postmortem_at:
            updates.insert(0, {"status": self._status_name(lang, "postmortem"), "status_key": "postmortem",
                               "when": self._when(lang, i.postmortem_at), "iso": i.postmortem_at.isoformat(),
                               "texts": [(c, to_html(text)) for c, text in
                                         in_order(i.postmortem, lang.code, self.page.languages)],
                               "long": True})
        affected = [{"name": pick(snap.all_components[k].names, lang.code, self.page.languages),
                     "status": s.value, "status_text": self._status_name(lang, s)}
                    for k, s in i.components.items() if k in snap.all_components]
        ctx = self._base(lang, lambda c: f"/status/{c}/incidents/{i.ref}/")
        ctx.update(
            title=lang._(INCIDENT_TITLE, name=self.page.name), ref=i.ref, impact=i.impact.value,
            titles=in_order(i.title, lang.code, self.page.languages), summary=summary,
            status=self._status_name(lang, i.shown_status()), affected=affected, updates=updates,
        )
        return self.env.get_template("incident.html").render(ctx)

    def history(self, snap: Snapshot, lang: Lang, now: datetime) -> str:
        """Every public incident, newest first, under the month it started in (the front page shows
        90 days; Statuspage's history page is this)."""
        months: list[dict] = []
        for i in sorted(snap.incidents, key=lambda i: i.started_at, reverse=True):
            label = _plain(format_skeleton("yMMMM", i.started_at, tzinfo=lang.tz, locale=lang.locale))
            label = label[:1].upper() + label[1:]  # a heading: "Décembre 2025"
            if not months or months[-1]["label"] != label:
                months.append({"label": label, "incidents": []})
            months[-1]["incidents"].append(self._incident_row(lang, i, now))
        ctx = self._base(lang, lambda c: f"/status/{c}/history/")
        ctx.update(title=lang._(HISTORY_TITLE, name=self.page.name), months=months)
        return self.env.get_template("history.html").render(ctx)

    def not_found(self, lang: Lang) -> str:
        ctx = self._base(lang, lambda c: f"/status/{c}/")
        ctx.update(title=lang._(WORDS["not_found"]))
        return self.env.get_template("not_found.html").render(ctx)
