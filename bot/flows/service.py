"""The flows put together for the listeners: one object built at start, passed to `register(app, service)`."""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Executor, ThreadPoolExecutor
import unicodedata
from collections.abc import Callable

from bot.core.bilingual import split_texts
from bot.core.commands import FIELDS, CommandError, parse_priority
from bot.core.model import EntryKind, Incident, Responsibility, Status, Texts
from bot.flows import declare as declaring
from bot.flows import updates
from bot.flows.deps import Deps, UserError
from bot.flows.incidents import Permissions
from bot.flows.messages import describe
from bot.i18n import N_, Lang
from bot.slack import render, views
from bot.store import incidents as store
from bot.store import timeline as tl

log = logging.getLogger("cellule.service")

# Words a person may type for each status, besides its name: each language's catalog lists its own
# (comma-separated), apart from the status names shown to readers.
STATUS_WORDS = {
    Status.INVESTIGATING: N_("investigating, investigation"),
    Status.IDENTIFIED: N_("identified, found"),
    Status.MONITORING: N_("monitoring, watching"),
    Status.RESOLVED: N_("resolved, fixed"),
}
FIELD_LABELS = {
    "components": N_("services affected"),
    "impact": N_("client impact"),
    "context": N_("context"),
    "cause": N_("root cause"),
    "actions": N_("actions"),
}
WORK_THREADS = 16  # flows after the acknowledgement; each mostly waits on Slack

KIND_LABELS = {
    EntryKind.DECLARED: N_("Incident declared"),
    EntryKind.STATUS: N_("Status update"),
    EntryKind.FIELD: N_("Field changed"),
    EntryKind.ROLE: N_("Role assigned"),
    EntryKind.MESSAGE: N_("Message"),
    EntryKind.EVENT: N_("Key moment"),
    EntryKind.IMPACT_START: N_("Customer impact starts"),
    EntryKind.IMPACT_END: N_("Customer impact ends"),
    EntryKind.REOPENED: N_("Incident reopened"),
    EntryKind.ACTION: N_("Action added"),
    EntryKind.POSTMORTEM: N_("Postmortem published"),
}
RESOLVED_TEXT = N_("This incident has been resolved.")
REOPENED_TEXT = N_("The incident is back: investigations resume.")


def fold(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", word.lower()) if not unicodedata.combining(c)).strip()


class Service:
    def __init__(self, deps: Deps, work: Executor | None = None):
        self.deps = deps
        self.permissions = Permissions(deps)
        self.channel_incidents: dict[str, int] = {}
        self._resume_lock = threading.Lock()
        # Work done after the acknowledgement runs here, not in Bolt's listener threads: a slow
        # declare must never keep the next command waiting for a thread to acknowledge it.
        self.work = work or ThreadPoolExecutor(max_workers=WORK_THREADS, thread_name_prefix="cellule-work")

    def later(self, fn: Callable, *args) -> None:
        def run():
            try:
                fn(*args)
            except Exception:  # the flows reply to people themselves; this is the last resort
                log.exception("background work failed")

        self.work.submit(run)

    # Replies ---------------------------------------------------------------------------------

    def failure_code(self) -> str:
        return "internal" if self.deps.db.ping() else "database_down"

    def tell_problems(self, problems: list[tuple[str, dict]], lang: Lang, reply: Callable) -> None:
        lines = list(dict.fromkeys(describe(lang, code, **params) for code, params in problems))
        if lines:
            reply("\n".join(f"• {line}" for line in lines))

    def field_label(self, lang: Lang, name: str) -> str:
        return lang._(FIELD_LABELS.get(name, name))

    def parse_status(self, word: str, lang: Lang) -> Status:
        wanted = fold(word)
        for status, msgid in STATUS_WORDS.items():
            words = {fold(status.value)}
            for l in self.deps.langs:
                words |= {fold(w) for w in l._(msgid).split(",")}
                words.add(fold(l.status(status)))
            if wanted in words:
                return status
        raise UserError("unknown_status", given=word, statuses=[s for s in Status])

    def default_texts(self, msgid: str) -> Texts:
        """A ready-made statement in every language, for commands typed without text."""
        return {l.code: l._(msgid) for l in self.deps.langs}

    # Declare ----------------------------------------------------------------------------------

    def declare(self, req: declaring.DeclareRequest, lang: Lang, reply: Callable) -> Incident:
        incident, created = declaring.record(self.deps, req)
        reply(lang._("Declaring {ref}: opening the crisis channel…", ref=incident.ref))
        return self.finish_setup(incident.id, lang, reply)

    def finish_setup(self, incident_id: int, lang: Lang, reply: Callable) -> Incident:
        report = declaring.setup(self.deps, incident_id, self.permissions)
        incident = report.incident
        if report.busy:
            reply(lang._("{ref} is being set up right now; its channel appears in a moment.", ref=incident.ref),
                  replace=True)
            return incident
        if report.channel_ok:
            reply(lang._("{ref} is declared: <#{channel}>", ref=incident.ref, channel=incident.channel_id), replace=True)
        else:
            blocks = render.sections(describe(lang, "channel_failed", **report.problems[0][1])) + [
                views.button_row("retry_setup", lang._("Try again"), str(incident_id))]
            reply(describe(lang, "channel_failed", **report.problems[0][1]), blocks=blocks, replace=True)
            return incident
        rest = [p for p in report.problems if p[0] != "channel_failed"]
        if rest:
            text = lang._("Some steps need you:") + "\n" + "\n".join(
                f"• {line}" for line in dict.fromkeys(describe(lang, c, **p) for c, p in rest))
            blocks = render.sections(text) + [views.button_row("retry_setup", lang._("Try again"), str(incident_id))]
            reply(text, blocks=blocks)
        return incident

    def resume_unfinished(self, retry: bool = True) -> int:
        """At start: finish declares that stopped half-way (bot restarted, Slack refused).

        A declare whose lease is still held (this bot crashed a moment ago) is tried again once
        the lease has run out, instead of being left for the next restart."""
        with self._resume_lock:
            with self.deps.db.session() as s:
                pending = [r.id for r in store.unfinished_setups(session=s)]
            busy = 0
            for incident_id in pending:
                try:
                    busy += declaring.setup(self.deps, incident_id, self.permissions).busy
                except Exception:
                    log.warning("could not resume the setup of incident %s", incident_id, exc_info=True)
            if busy and retry:
                timer = threading.Timer(store.SETUP_LEASE.total_seconds() + 5,
                                        self.resume_unfinished, kwargs={"retry": False})
                timer.daemon = True
                timer.start()
            return len(pending)

    # Updates ------------------------------------------------------------------------------------

    def update(self, incident: Incident, *, user: str, status: Status, texts: Texts, lang: Lang, reply: Callable,
               reopen_at=None) -> updates.Outcome:
        out = updates.post_update(self.deps, incident.id, user=user, status=status, texts=texts, reopen_at=reopen_at)
        shown = lang.status(status)
        if not out.channels:
            msg = lang._("Update recorded: {ref} is “{status}” (it has no channel to post in yet).",
                         ref=incident.ref, status=shown)
        elif out.posted == out.channels:
            msg = lang._("Update posted: {ref} is “{status}”.", ref=incident.ref, status=shown)
        elif out.posted:
            msg = lang._("Update posted in {posted} of {channels} channels: {ref} is “{status}”.",
                         posted=out.posted, channels=out.channels, ref=incident.ref, status=shown)
        else:
            msg = lang._("Update recorded ({ref} is “{status}”) but not posted: Slack refused every post. "
                         "Nothing is lost; post it again once Slack answers.", ref=incident.ref, status=shown)
        if out.missing:
            missing = lang.list([lang.locale.languages.get(code, code) for code in out.missing])
            note = lang._("No text yet in: {languages}. The posts say “translation to come”; add it with the button.",
                          languages=missing)
            blocks = render.sections(f"{msg}\n{note}") + [
                views.button_row("add_translation", lang._("Add translation"), f"{incident.id}:{out.entry_id}")]
            reply(f"{msg}\n{note}", blocks=blocks)
        else:
            reply(msg)
        self.tell_problems(out.problems, lang, reply)
        return out

    def set_field(self, incident: Incident, *, user: str, name: str, value: str, lang: Lang, reply: Callable) -> None:
        if name not in FIELDS:
            raise UserError("unknown_field", given=name, fields=", ".join(FIELDS))
        if not value:
            raise UserError("empty_value", field=name)
        parsed: object
        if name == "priority":
            parsed = parse_priority(value)
        elif name == "responsibility":
            parsed = self.parse_responsibility(value)
        elif name == "category":
            parsed = value
        else:
            parsed = split_texts(value, self.deps.settings.languages)
        out = updates.set_field(self.deps, incident.id, user=user, name=name, value=parsed)
        reply(lang._("{ref}: {field} updated.", ref=incident.ref, field=name))
        self.tell_problems(out.problems, lang, reply)

    def parse_responsibility(self, value: str) -> Responsibility:
        wanted = fold(value)
        for r in Responsibility:
            if wanted in {fold(r.value)} | {fold(l.responsibility(r)) for l in self.deps.langs}:
                return r
        raise CommandError("unknown_responsibility", given=value)

    def windows(self, incident: Incident) -> list:
        from bot.core.impact import WINDOW_KINDS, impact_windows

        with self.deps.db.session() as s:
            return impact_windows(tl.entries(session=s, incident_id=incident.id, kinds=WINDOW_KINDS))

    # Read-only answers ---------------------------------------------------------------------------

    def list_text(self, lang: Lang, user: str) -> str:
        with self.deps.db.session() as s:
            rows = [r for r in store.open_incidents(session=s)
                    if self.permissions.may_read(user, store.to_incident(r))]
        if not rows:
            return lang._("No open incident.")
        lines = [lang._("Open incidents:")]
        for row in rows:
            i = store.to_incident(row)
            title = i.title.get(lang.code) or render.title_of(i, self.deps.langs)
            where = f"<#{i.channel_id}>" if i.channel_id else "—"
            lines.append(f"• *{i.ref}* {render.escape(title)} · {lang.status(i.status)} · {i.priority.value} · {where}")
        return "\n".join(lines)

    def status_text(self, incident: Incident, lang: Lang) -> str:
        from bot.core.impact import WINDOW_KINDS
        from bot.render.header import header_line

        with self.deps.db.session() as s:
            entries = tl.entries(session=s, incident_id=incident.id, kinds=WINDOW_KINDS)

        title = incident.title.get(lang.code) or render.title_of(incident, self.deps.langs)
        lines = [f"*{incident.ref}* {render.escape(title)}",
                 f"{lang.status(incident.status)} · {incident.priority.value}",
                 render.escape(header_line(incident, entries, [lang]))]
        roles = render.roles_line(incident, [lang])
        if roles:
            lines.append(roles)
        return "\n".join(lines)

    def timeline_text(self, incident: Incident, lang: Lang) -> str:
        with self.deps.db.session() as s:
            entries = tl.entries(session=s, incident_id=incident.id)
        lines = []
        for e in entries[-40:]:
            text = e.texts.get(lang.code) or e.text or lang._(KIND_LABELS.get(e.kind, KIND_LABELS[EntryKind.EVENT]))
            lines.append(f"{lang.time(e.at, now=self.deps.now())} · {render.escape(text)[:200]}")
        return "\n".join(lines) or "—"
