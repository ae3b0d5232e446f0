"""One process, one port: the bot, the Slack emulator mounted under /slack-api/, and the page.

The bot is built exactly as `serve` builds it (runtime.build, signed requests on /slack/events,
slack_sdk's WebClient); only SLACK_API_URL points at the emulator on the same server.
"""

from __future__ import annotations

import fcntl
import json
import logging
import mimetypes
import os
import secrets
import threading
from importlib import resources
from pathlib import Path
from urllib.parse import parse_qs, quote

from bot import runtime
from bot.config import ConfigError, Settings
from bot.emulator import SlackEmulator
from bot.emulator.server import Server
from bot.server import MAX_BODY
from bot.slack.limits import Limiter
from bot.store.migrate import upgrade

from . import api, example
from .work import CountingExecutor, ReplayClock, ReplayPacing
from .workspace import OPS, REPLAYER, languages_of, populate, settings_env

log = logging.getLogger("cellule.playground")

API_MOUNT = "/slack-api"
DEFAULT_DATABASE = "sqlite:///playground-data/playground-{port}.db"  # one per port: two playgrounds never share
SETTLE_SECONDS = 20  # how long an action waits for the bot to finish before the page polls instead
STATIC = resources.files("bot.playground") / "static"


def database_url(env, port: int = 3000) -> str:
    """The playground's own SQLite file, never DATABASE_URL's: it is wiped at every start."""
    url = (env.get("PLAYGROUND_DATABASE_URL") or "").strip() or DEFAULT_DATABASE.format(port=port)
    if not url.startswith("sqlite:///"):
        raise ConfigError(f"PLAYGROUND_DATABASE_URL must be a sqlite:/// file URL, not {url!r}")
    if url == (env.get("DATABASE_URL") or "").strip():
        raise ConfigError("PLAYGROUND_DATABASE_URL must not be DATABASE_URL: the playground wipes its database")
    return url


def _fresh_sqlite(url: str):
    """Wipe the playground's database; the returned open lock file keeps another playground from
    wiping it while this one runs (None for an in-memory database)."""
    path = url[len("sqlite:///"):]
    if path in ("", ":memory:"):
        return None
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    lock = open(path + ".lock", "w")  # noqa: SIM115 - held open for the playground's lifetime
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        lock.close()
        raise ConfigError(f"the database {path} is already used by another playground; stop it, or set "
                          "PLAYGROUND_DATABASE_URL to another file") from None
    for suffix in ("", "-wal", "-shm"):
        Path(path + suffix).unlink(missing_ok=True)
    return lock


def _json(start_response, status: str, body) -> list[bytes]:
    data = json.dumps(body, ensure_ascii=False).encode()
    start_response(status, [("Content-Type", "application/json; charset=utf-8"),
                            ("Content-Length", str(len(data))), ("Cache-Control", "no-store")])
    return [data]


class Playground:
    def __init__(self, env, *, host: str = "127.0.0.1", port: int = 3000, replay: bool = True):
        database_url(env)  # refused before anything starts
        self.emu = SlackEmulator(secrets.token_hex(16))
        self.languages = languages_of(env)  # INCIDENT_LANGUAGES, checked by the settings below
        populate(self.emu, self.languages)
        self.clock = ReplayClock()
        self.executor = CountingExecutor()
        self.replay_wanted = replay
        self.status = {"replaying": replay, "ready": not replay, "replay_error": None, "example": None}
        self._busy = threading.Lock()  # one action (or the replay) at a time: the clock is shared
        self.bot = None
        # Serving starts before the bot is built: Bolt calls auth.test on the emulator as it starts,
        # and PORT=0 needs the real port for the URLs.
        try:
            self.server = Server(self.wsgi, host, port, threads=24, max_request_body_size=MAX_BODY,
                                 ident="cellule-playground")
        except OSError as e:
            raise ConfigError(f"cannot listen on {host}:{port} ({e.strerror or e}); set PORT to a free port") from None
        self.port = self.server.port
        local = "127.0.0.1" if host in ("", "0.0.0.0", "::") else host
        self.url = f"http://{local}:{self.port}/"
        self.emu.base_url = f"http://{local}:{self.port}{API_MOUNT}/"
        self.emu.bot_url = f"http://{local}:{self.port}/slack/events"
        db_url = database_url(env, self.port)
        try:
            self._db_lock = _fresh_sqlite(db_url)
        except ConfigError:
            self.server.stop()
            raise
        self.settings = Settings.from_env({
            **settings_env(self.languages),
            "SLACK_BOT_TOKEN": self.emu.bot_token, "SLACK_SIGNING_SECRET": self.emu.signing_secret,
            "SLACK_API_URL": self.emu.api_url, "DATABASE_URL": db_url,
            "HOST": host, "PORT": str(self.port), "CELLULE_LOCALE_DIRS": env.get("CELLULE_LOCALE_DIRS", ""),
        })
        upgrade(db_url)
        self.pacing = ReplayPacing()
        self.limiter = Limiter(self.pacing.clock, self.pacing.sleep)
        self.rt = runtime.build(self.settings, clock=self.clock, executor=self.executor, limiter=self.limiter)
        self.bot = self.rt.wsgi()
        self.status["timezone"] = self.settings.timezone  # the page shows times in the bot's zone

    # -- running ----------------------------------------------------------------------------------
    def run(self) -> None:
        """Replay the example (unless told not to) and serve until the server stops."""
        if self.replay_wanted:
            threading.Thread(target=self.replay_example, name="replay", daemon=True).start()
        else:
            self.rt.scheduler.start()
        self.server.wait()

    def close(self) -> None:
        self.rt.scheduler.stop()
        self.server.stop()
        self.executor.shutdown(wait=False)
        self.rt.deps.db.dispose()
        if self._db_lock is not None:
            self._db_lock.close()  # releases the lock

    def settle(self, timeout: float = SETTLE_SECONDS) -> None:
        """Wait until the bot's listeners and the emulator's event deliveries are done."""
        for _ in range(3):  # an event may start listener work, which may post and cause an event
            self.executor.wait_idle(timeout)
            self.emu.wait_idle()
        self.executor.wait_idle(timeout)

    def replay_example(self) -> None:
        """Type the example incident's commands as they were typed on 4 Dec 2025, then go live."""
        try:
            with self._busy:
                channel = None
                for step in example.steps("fr"):
                    if step.clock:
                        self.clock.set(example.at(step.clock))
                    self.emu.slash_command(REPLAYER.id, channel or OPS, step.text)
                    self.settle()
                    if channel is None:
                        channel = self._channel_of(f"{example.PREFIX}-{example.FIRST_NUMBER}".lower())
                        if channel is None:
                            raise RuntimeError("the example's crisis channel was not created")
                self.status["example"] = channel
                with self.emu.state.lock:  # the replies the replayer got on 4 December are old news
                    self.emu.state.ephemerals.clear()
        except Exception as e:  # the page says so; the playground stays usable
            log.exception("replaying the example incident failed")
            self.status["replay_error"] = str(e)
        finally:
            self.clock.release()
            self.pacing.replaying = False
            self.status.update(replaying=False, ready=True)
            self.rt.scheduler.start()  # reminders, once the replayed past is over: as `serve` does

    def _channel_of(self, prefix: str) -> str | None:
        with self.emu.state.lock:
            return next((c.id for c in self.emu.state.channels.values() if c.name.startswith(prefix + "-")), None)

    # -- HTTP -------------------------------------------------------------------------------------
    def wsgi(self, environ, start_response):
        path = environ.get("PATH_INFO", "") or "/"
        verb = environ.get("REQUEST_METHOD", "GET")
        if path == "/slack/events" or path == "/healthz" or (
                self.bot is not None and self.rt.site is not None and self.rt.site.handles(path)):
            if self.bot is None:
                return _json(start_response, "503 Service Unavailable", {"ok": False, "error": "starting"})
            return self.bot(environ, start_response)
        if path.startswith(API_MOUNT + "/"):
            inner = dict(environ, PATH_INFO=path[len(API_MOUNT):],
                         SCRIPT_NAME=environ.get("SCRIPT_NAME", "") + API_MOUNT)
            return self.emu.wsgi_app(inner, start_response)
        if path == "/playground/state" and verb == "GET":
            viewer = (parse_qs(environ.get("QUERY_STRING", "")).get("user") or [REPLAYER.id])[0]
            return _json(start_response, "200 OK", api.snapshot(self.emu, viewer, dict(self.status)))
        if path.startswith("/playground/do/") and verb == "POST":
            return self._act(environ, start_response, path[len("/playground/do/"):])
        if path.startswith(api.FILES_PATH) and verb == "GET":
            return self._download(start_response, path[len(api.FILES_PATH):])
        if verb in ("GET", "HEAD"):
            return self._static(start_response, "index.html" if path == "/" else path[len("/static/"):]
                                if path.startswith("/static/") else "")
        return _json(start_response, "404 Not Found", {"ok": False, "error": "not_found"})

    def _act(self, environ, start_response, action: str):
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
            args = json.loads(environ["wsgi.input"].read(length) or b"{}")
        except ValueError:
            return _json(start_response, "400 Bad Request", {"ok": False, "error": "the body is not JSON"})
        if not isinstance(args, dict):
            return _json(start_response, "400 Bad Request", {"ok": False, "error": "the body is not an object"})
        if not self._busy.acquire(timeout=SETTLE_SECONDS):
            return _json(start_response, "409 Conflict", {"ok": False, "error": "the example incident is still being replayed"})
        try:
            answer = api.act(self.emu, action, args)
            self.settle()
        except api.ActionError as e:
            return _json(start_response, "400 Bad Request", {"ok": False, "error": str(e)})
        finally:
            self._busy.release()
        return _json(start_response, "200 OK", answer)

    def _download(self, start_response, file_id: str):
        found = api.file_download(self.emu, file_id)
        if found is None:
            return _json(start_response, "404 Not Found", {"ok": False, "error": "file_not_found"})
        name, data = found
        start_response("200 OK", [
            ("Content-Type", "text/markdown; charset=utf-8"), ("Content-Length", str(len(data))),
            ("Content-Disposition", f"attachment; filename*=UTF-8''{quote(name)}")])
        return [data]

    def _static(self, start_response, name: str):
        entry = STATIC / name if name and "/" not in name and not name.startswith(".") else None
        if entry is None or not entry.is_file():
            return _json(start_response, "404 Not Found", {"ok": False, "error": "not_found"})
        data = entry.read_bytes()
        kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
        start_response("200 OK", [
            ("Content-Type", f"{kind}; charset=utf-8" if kind.startswith("text/") or kind.endswith("javascript") else kind),
            ("Content-Length", str(len(data))), ("Cache-Control", "no-cache"),
            # Everything the page shows comes from this server; nothing inline runs.
            ("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'"),
            ("X-Content-Type-Options", "nosniff")])
        return [data]


def main(env=os.environ) -> int:
    host = (env.get("HOST") or "").strip() or "127.0.0.1"
    try:
        port = int((env.get("PORT") or "").strip() or 3000)
    except ValueError:
        raise ConfigError(f"PORT must be a whole number, not {env.get('PORT')!r}") from None
    pg = Playground(env, host=host, port=port)
    print(f"Cellule playground: open {pg.url} (a local Slack emulator; it starts afresh each time, "
          f"data in {pg.settings.database_url})", flush=True)
    try:
        pg.run()
    except KeyboardInterrupt:
        pass
    finally:
        pg.close()
    return 0
