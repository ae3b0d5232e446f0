"""`python -m bot` / `cellule`: serve, db upgrade, postmortem, timeline, dora."""

from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import re
import sys
import threading

from sqlalchemy import exc as sa_exc

from bot.config import ConfigError, Settings

log = logging.getLogger("cellule")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line and status 2, as the contract says
        self.exit(2, f"cellule: {message}\n")


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="cellule", description="Cellule: incident response in Slack.")
    sub = p.add_subparsers(dest="command")
    sub.add_parser("serve", help="apply migrations, then serve Slack (HTTP, or Socket Mode with SLACK_APP_TOKEN)")
    sub.add_parser("playground", help="a local Slack emulator with the bot, in the browser")
    db = sub.add_parser("db", help="database tasks")
    db.add_argument("action", choices=["upgrade"])
    pm = sub.add_parser("postmortem", help="print the postmortem of an incident as Markdown")
    pm.add_argument("ref")
    pm.add_argument("--lang", help="one language (default: every configured language)")
    tl = sub.add_parser("timeline", help="print the timeline of an incident")
    tl.add_argument("ref")
    tl.add_argument("--json", action="store_true", help="machine-readable output")
    dr = sub.add_parser("dora", help="the DORA classification, deadlines and report fields of an incident")
    dr.add_argument("ref")
    dr.add_argument("--json", action="store_true", help="machine-readable output")
    sp = sub.add_parser("status-page", help="the public status page")
    sp.add_argument("action", choices=["export"])
    sp.add_argument("dir", help="folder to write the pages, feeds and JSON into")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "INFO").upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)  # its start-up chatter is not news
    try:
        settings = Settings.from_env(os.environ)
        require_catalogs(settings)
        command = args.command
        if command is None:
            if settings.bot_token:
                command = "serve"
            else:
                command = "playground"
        if command == "serve":
            return serve(settings)
        if command == "playground":
            return playground(settings)
        if command == "db":
            return db_upgrade(settings.database_url)
        if command == "postmortem":
            return print_postmortem(settings, args.ref, args.lang)
        if command == "timeline":
            return print_timeline(settings, args.ref, args.json)
        if command == "dora":
            return print_dora(_offline_deps(settings), args.ref, args.json)
        if command == "status-page":
            return export_status_page(settings, args.dir)
    except ConfigError as e:
        print(f"cellule: {e}", file=sys.stderr)
        return 2
    except (sa_exc.ArgumentError, sa_exc.NoSuchModuleError, ImportError) as e:
        print(f"cellule: DATABASE_URL is not a database Cellule can use ({e}); "
              "use sqlite:///… or postgresql+psycopg://…", file=sys.stderr)
        return 2
    except sa_exc.OperationalError as e:
        print(f"cellule: the database at DATABASE_URL does not answer ({str(e.orig).strip().splitlines()[0]})",
              file=sys.stderr)
        return 1
    return 2


def require_catalogs(settings: Settings) -> None:
    """Each language needs a catalog, shipped or in CELLULE_LOCALE_DIRS; say how to add one."""
    from bot.i18n.catalogs import missing_catalogs  # Babel, imported only here

    languages, locale_dirs = settings.languages, settings.extra_locale_dirs
    missing = missing_catalogs(languages, locale_dirs)
    if not missing:
        return
    code = missing[0]
    where = f"CELLULE_LOCALE_DIRS ({':'.join(locale_dirs)})" if locale_dirs else "CELLULE_LOCALE_DIRS (not set)"
    raise ConfigError(
        f"INCIDENT_LANGUAGES: no catalog for {code!r} in the shipped languages nor in {where}; "
        f"add it with `CELLULE_LOCALE_DIRS=/path/to/locales python -m bot.i18n init {code}`, translate "
        f"/path/to/locales/{code}/LC_MESSAGES/messages.po, and start with that CELLULE_LOCALE_DIRS"
    )


# Exit statuses (README, docs/CONTRACT.md): 0 done, 1 the database or Slack does not answer,
# 2 bad arguments or configuration, 3 no such incident.
NO_SUCH_INCIDENT = 3


def db_upgrade(url: str) -> int:
    """Apply the migrations and say what was done: created, migrated, or already up to date."""
    from bot.store.migrate import current_revision, upgrade

    _check_sqlite_folder(url)
    before = current_revision(url)
    upgrade(url)
    after = current_revision(url)
    if before is None:
        print(f"database created (revision {after})")
    elif before != after:
        print(f"database migrated from revision {before} to {after}")
    else:
        print(f"database already up to date (revision {after})")
    return 0


def _check_sqlite_folder(url: str) -> None:
    if url.startswith("sqlite:///") and ":memory:" not in url:
        folder = os.path.dirname(os.path.abspath(url[len("sqlite:///"):].split("?")[0]))
        if not os.path.isdir(folder):
            raise ConfigError(f"DATABASE_URL: the folder {folder} does not exist")


def serve(settings: Settings) -> int:
    settings.require_slack()
    _check_sqlite_folder(settings.database_url)
    from slack_bolt.error import BoltError
    from slack_sdk.errors import SlackApiError

    from bot import runtime
    from bot.server import serve_http, serve_socket_mode
    from bot.store.migrate import upgrade

    if not settings.socket_mode and not _port_free(settings.host, settings.port):
        print(f"cellule: cannot listen on {settings.host}:{settings.port}: the port is in use "
              "(another cellule running?); set PORT", file=sys.stderr)
        return 1
    upgrade(settings.database_url)
    try:
        rt = runtime.build(settings)  # Bolt checks the token with auth.test here
    except SlackApiError as e:  # Slack answered, and refused the token
        raise ConfigError(f"SLACK_BOT_TOKEN was refused by Slack ({e.response.get('error', 'error')})") from None
    except BoltError as e:  # Bolt's own check of the token (auth.test) said no
        code = re.search(r"'error': '([a-z_]+)'", str(e))
        raise ConfigError(f"SLACK_BOT_TOKEN was refused by Slack ({code.group(1) if code else e})") from None
    except OSError:
        print(f"cellule: Slack does not answer at SLACK_API_URL ({settings.api_url}); try again later",
              file=sys.stderr)
        return 1
    # What start-up loaded (modules, catalogs, the app) lives as long as the process: keep it out of
    # the collector's full passes, whose pauses would otherwise delay acknowledgements.
    gc.collect()
    gc.freeze()
    rt.heartbeat.start()  # before any lease is taken: a lease of a process that stops beating is taken over
    # Finish declares interrupted by a stop, and fetch back what was said meanwhile, without delaying start.
    threading.Thread(target=_recover, args=(rt,), name="recover", daemon=True).start()
    rt.scheduler.start()  # reminders that fell due while every process was down go out now, once
    if rt.mirror is not None:  # catches up with Statuspage at start, then after every public change
        rt.mirror.start()
        rt.mirror.kick()
    try:
        if settings.socket_mode:
            serve_socket_mode(rt.app, settings.app_token)
        else:
            serve_http(rt.wsgi(), settings.host, settings.port)
    finally:  # serving ended (the server was stopped): so does the background work
        rt.scheduler.stop()
        if rt.mirror is not None:
            rt.mirror.stop()
        rt.heartbeat.stop()
    return 0


def _port_free(host: str, port: int) -> bool:
    import socket

    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as waitress binds
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def _recover(rt) -> None:
    from bot.flows import recovery
    from bot.flows.held import backfill_open
    from bot.slack import inbox
    from bot.slack.listeners import events

    try:
        # Events a dead process wrote to its journal and never recorded, in order, before the backfill.
        rt.edge.held.adopt(events.recorder(rt.edge))
        inbox.replay(rt.edge)  # declares acknowledged by a process that died before writing them
        recovery.resume_unfinished(rt.deps, rt.permissions)
        backfill_open(rt.deps)
    except Exception:
        log.warning("recovery at start did not finish", exc_info=True)


def playground(settings: Settings) -> int:
    from bot.playground.app import main as run_playground

    if not settings.bot_token:
        print("cellule: SLACK_BOT_TOKEN is not set, so this is the local playground (no Slack)", file=sys.stderr, flush=True)
    # The playground ignores Slack's settings and DATABASE_URL: it has its own emulator and database.
    return run_playground(os.environ)


def _offline_deps(settings: Settings):
    """Store and catalogs only: the CLI reads, it never calls Slack, migrates or creates anything."""
    from bot.flows.deps import Deps
    from bot.runtime import catalogs_for
    from bot.store.db import Database
    from bot.store.migrate import is_current

    url = settings.database_url
    if url.startswith("sqlite:///") and ":memory:" not in url:
        path = url[len("sqlite:///"):].split("?")[0]
        if not os.path.exists(path):
            raise ConfigError(f"DATABASE_URL: no database file at {path}; the playground's example incident lives "
                              "in its own database: DATABASE_URL=sqlite:///playground-data/playground-3000.db "
                              "(the playground's PORT in the name)")
    db = Database(url)
    if not is_current(db.engine):
        raise ConfigError("DATABASE_URL: this database is not migrated to this version of Cellule "
                          "(run `python -m bot db upgrade`)")
    return Deps(settings=settings, db=db, catalogs=catalogs_for(settings), messenger=None)


def print_postmortem(settings: Settings, ref: str, lang: str | None) -> int:
    from bot.flows.postmortem import compile_markdown

    if lang and lang not in settings.languages:
        raise ConfigError(f"--lang {lang}: not one of INCIDENT_LANGUAGES ({','.join(settings.languages)})")
    deps = _offline_deps(settings)
    langs = [deps.catalogs.lang(lang)] if lang else None
    try:
        markdown, _ = compile_markdown(deps, ref.upper(), langs)
    except LookupError:
        print(f"cellule: no incident {ref.upper()}", file=sys.stderr)
        return NO_SUCH_INCIDENT
    sys.stdout.write(markdown if markdown.endswith("\n") else markdown + "\n")
    return 0


def print_timeline(settings: Settings, ref: str, as_json: bool) -> int:
    from bot.core.impact import is_alert
    from bot.store import incidents as store
    from bot.store import timeline as tl

    deps = _offline_deps(settings)
    with deps.db.session() as s:
        row = store.by_ref(session=s, ref=ref)
        if row is None:
            print(f"cellule: no incident {ref.upper()}", file=sys.stderr)
            return NO_SUCH_INCIDENT
        entries = tl.entries(session=s, incident_id=row.id)
    lang = deps.langs[0]
    if as_json:
        out = [{"at": e.at.isoformat(), "kind": e.kind.value, "author": e.author, "key": e.key,
                "text": e.text, "texts": e.texts, "data": e.data, "ts": e.ts} for e in entries]
        json.dump({"ref": row.ref, "entries": out}, sys.stdout, ensure_ascii=False, indent=2, default=str)
        sys.stdout.write("\n")
        return 0
    for e in entries:
        text = " / ".join(e.texts[c] for c in settings.languages if e.texts.get(c)) or e.text
        mark = "!" if is_alert(e) else "*" if e.key else " "  # ! the alert (time to detect), * key
        sys.stdout.write(f"{lang.datetime(e.at)} {mark} {e.kind.value:<12} {e.author or '-':<12} {text}\n")
    return 0


def print_dora(deps, ref: str, as_json: bool) -> int:
    """The classification, the time limits and each report's data fields (2025/302), filled from the
    incident where it records them; the rest listed as to fill. In the authority's language."""
    from datetime import datetime

    from bot.core.dora import Stage
    from bot.core.dora_report import fields_for
    from bot.flows import dora
    from bot.slack.dora_ui import RULES, THRESHOLDS, clock_lines, lang_stage
    from bot.store import incidents as store

    with deps.db.session() as s:
        row = store.by_ref(session=s, ref=ref)
        incident = store.to_incident(row) if row else None
    if incident is None:
        print(f"cellule: no incident {ref.upper()}", file=sys.stderr)
        return NO_SUCH_INCIDENT
    lang = deps.catalogs.lang(deps.settings.dora_language or deps.settings.languages[0])
    facts = dora.report_facts(deps, incident)
    clock = facts.clock
    stages = {st: fields_for(st, facts) for st in Stage}

    def shown(value):
        if isinstance(value, datetime):
            return value.isoformat() if as_json else lang.datetime(value)
        if isinstance(value, list):
            return value if as_json else ", ".join(str(v) for v in value)
        return value

    if as_json:
        out = {
            "ref": incident.ref,
            "classification": None if clock is None else {
                "major": clock.major, "rule": clock.rule, "thresholds_met": list(clock.met),
                "classified_at": shown(clock.classified_at), "classified_by": clock.classified_by,
                "major_since": shown(clock.major_since), "aware_at": shown(clock.aware_at),
                "stopped_at": shown(clock.stopped_at)},
            "deadlines": [{"stage": d.stage.value, "due": shown(d.due), "time_limit": shown(d.raw),
                           "moved_to_next_working_day": d.extended, "submitted_at": shown(d.submitted_at)}
                          for d in (clock.deadlines if clock else ())],
            "reports": {st.value: [{"field": f.number, "name": f.name, "value": shown(f.value),
                                    "to_fill": f.to_fill, "source": f.source if not f.to_fill else None}
                                   for f in fields] for st, fields in stages.items()},
        }
        json.dump(out, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    title = incident.title.get(lang.code) or next(iter(incident.title.values()), "")
    lines = [f"{incident.ref} · {title}", ""]
    if clock is None:
        lines.append(lang._("Not classified yet: /incident classify."))
    else:
        lines += clock_lines(lang, clock, None)
        lines.append(lang._(RULES[clock.rule]) if clock.rule in RULES else "")
        from bot.core.dora import Threshold

        met = [lang._(THRESHOLDS[Threshold(t)]) for t in clock.met]
        if met:
            lines.append(lang._("Thresholds met: {list}.", list=lang.list(met)))
    to_fill = lang._("to fill")
    for st, fields in stages.items():
        lines += ["", f"## {lang_stage(lang, st)}"]
        for f in fields:
            value = to_fill if f.to_fill else str(shown(f.value))
            lines.append(f"{f.number} {f.name}: {value}")
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


def export_status_page(settings: Settings, folder: str) -> int:
    """The public page, feeds and JSON as files: the bytes the live routes serve."""
    from pathlib import Path

    from bot.statuspage.site import Site
    from bot.statuspage.snapshot import PageSettings

    deps = _offline_deps(settings)
    target = Path(folder)
    if target.exists() and not target.is_dir():
        raise ConfigError(f"{folder} is not a folder")
    site = Site(PageSettings.from_settings(settings), deps.db, deps.catalogs)
    written = site.export(target)
    print(f"wrote {len(written)} files to {target}")
    return 0
