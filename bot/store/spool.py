"""The event journal: Slack events written to local disk before they are acknowledged, until recorded.
Declares are written here too before their acknowledgement, until the inbox has them (bot.slack.inbox).

One JSON line per event envelope (`{"n": 7, "envelope": {...}}`), flushed and fsync'd before the
acknowledgement; a line `{"done": 7}` once the event is recorded (not fsync'd: losing it only
replays an event, and recording is idempotent). When nothing is pending the file is truncated.

Each process owns one file of the directory, `events-<i>.jsonl`, under an exclusive `flock` held
for its lifetime: two replicas on one host never share a file, and the kernel releases the lock of
a process that dies (SIGKILL included). At start, a process takes the first free file and adopts
the pending events of every other free one (files of processes that died and did not come back),
so whatever a dead process acknowledged is replayed once, by one process.

Bounded: beyond MAX_PENDING events or MAX_BYTES the journal refuses (`SpoolFull`); the caller then
lets Slack retry. Nothing here is logged with its content: the file holds what people wrote, and is
readable by its owner only.
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
from pathlib import Path

MAX_PENDING = 20000  # events written and not yet recorded
MAX_BYTES = 64 * 1024 * 1024  # the file's size, done lines included, before it refuses
MAX_FILES = 64  # events-0 … events-63: more replicas than that on one host share nothing here
COMPACT_BYTES = 4 * 1024 * 1024  # a file this big with few events pending is rewritten with only those
COMPACT_PENDING = 1000


class SpoolFull(OSError):
    """The journal holds as much as it may: the event is not written."""


def _line(n: int, envelope: dict) -> str:
    return json.dumps({"n": n, "envelope": envelope}, separators=(",", ":"), ensure_ascii=False) + "\n"


def _read(path: Path) -> dict[int, dict]:
    """The pending envelopes of a journal file, in the order they were written. A torn last line
    (the process died while writing it, before its acknowledgement) is ignored."""
    pending: dict[int, dict] = {}
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return pending
    for line in text.splitlines():
        try:
            item = json.loads(line)
        except ValueError:
            continue
        if not isinstance(item, dict):
            continue
        if "done" in item:
            pending.pop(item["done"], None)
        elif isinstance(item.get("n"), int) and isinstance(item.get("envelope"), dict):
            pending[item["n"]] = item["envelope"]
    return pending


class Spool:
    def __init__(self, directory: str | os.PathLike, max_pending: int = MAX_PENDING, max_bytes: int = MAX_BYTES):
        self.directory = Path(directory)
        self.max_pending = max_pending
        self.max_bytes = max_bytes
        self.path: Path | None = None
        self._file = None
        self._lock = threading.Lock()
        # Group commit: events written while one fsync runs share the next one, instead of each
        # waiting for its own in turn (one fsync per event capped ingest near 400 events/s).
        self._sync_lock = threading.Lock()  # held by an fsync, and by whoever replaces or closes the file
        self._written = 0  # events written and flushed, ever (not reset when the file is)
        self._synced = 0  # of those, how many an fsync has covered
        self._pending: dict[int, dict] = {}
        self._next = 1
        self._size = 0

    # Opening: one file per process, and what dead processes left -------------------------------

    def open(self) -> list[tuple[int, dict]]:
        """Take a file of our own; returns the events left pending by dead processes, numbered in our
        file (oldest file first), to replay. Raises OSError if the directory cannot be used."""
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        adopted: dict[int, dict] = {}
        others = []
        existing = {p.name for p in self.directory.glob("events-*.jsonl")}
        for i in range(MAX_FILES):
            path = self.directory / f"events-{i}.jsonl"
            if self._file is not None and path.name not in existing:
                continue  # only existing files can hold a dead process's events: create none for nothing
            handle = self._try_lock(path)
            if handle is None:
                continue  # a live process's journal
            if self._file is None:
                self._file, self.path = handle, path
                adopted.update(_read(path))
            else:
                others.append((path, handle))
        if self._file is None:
            raise OSError(f"every journal file in {self.directory} is in use")
        for path, handle in others:  # a dead replica's journal: its pending events become ours
            for envelope in _read(path).values():
                adopted[max(adopted, default=0) + 1] = envelope
            handle.truncate(0)
            handle.close()  # releases its lock
        self._rewrite(adopted)
        return self.pending()

    @staticmethod
    def _try_lock(path: Path):
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
        handle = os.fdopen(fd, "a+", encoding="utf-8")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return None
        return handle

    def _rewrite(self, pending: dict[int, dict]) -> None:
        """Our file holds exactly `pending`, renumbered from 1, on disk."""
        with self._lock:
            self._file.truncate(0)
            self._pending, self._next, self._size = {}, 1, 0
            for envelope in pending.values():
                self._write(envelope)
            self._file.flush()
            with self._sync_lock:
                os.fsync(self._file.fileno())

    def close(self) -> None:
        with self._lock, self._sync_lock:
            if self._file is not None:
                self._file.close()
                self._file = None

    # Writing ---------------------------------------------------------------------------------

    def append(self, envelope: dict) -> int:
        """Write an event durably; returns its number in the journal (for `done`)."""
        with self._lock:
            if self._file is None:
                raise OSError("the event journal is not open")
            if len(self._pending) >= self.max_pending or self._size >= self.max_bytes:
                raise SpoolFull("the event journal is full")
            n = self._write(envelope)
            self._file.flush()
            self._written += 1
            mine = self._written
        self._sync_through(mine)
        return n

    def _write(self, envelope: dict) -> int:
        n = self._next
        line = _line(n, envelope)
        self._file.write(line)
        self._size += len(line.encode("utf-8"))
        self._pending[n] = envelope
        self._next += 1
        return n

    def _sync_through(self, mine: int) -> None:
        """Return once an fsync that started after event `mine` was flushed has ended."""
        with self._sync_lock:
            if self._synced >= mine:
                return  # the fsync that just ended covered it
            covered = self._written  # flushed before this fsync starts, so it covers them
            if self._file is not None:
                os.fsync(self._file.fileno())
            self._synced = max(self._synced, covered)

    def done(self, n: int) -> None:
        """The event is recorded; with nothing left pending, the journal starts afresh."""
        with self._lock:
            if self._file is None or self._pending.pop(n, None) is None:
                return
            try:
                if not self._pending:
                    self._file.truncate(0)
                    self._next, self._size = 1, 0
                elif self._size > COMPACT_BYTES and len(self._pending) < COMPACT_PENDING:
                    self._compact()  # events never done (an acknowledgement that came too late) stay few
                else:
                    line = json.dumps({"done": n}) + "\n"
                    self._file.write(line)
                    self._file.flush()
                    self._size += len(line)
            except OSError:
                pass  # the event is replayed at the next start: recording it again changes nothing

    def _compact(self) -> None:
        """Our file rewritten with only the pending events (same numbers), swapped in atomically: a
        kill at any moment leaves either file whole. The new file is locked before it takes the name."""
        fresh = self.path.with_name(self.path.name + ".compact")
        fd = os.open(fresh, os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND, 0o600)
        handle = os.fdopen(fd, "a+", encoding="utf-8")
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        size = 0
        for n, envelope in self._pending.items():
            line = _line(n, envelope)
            handle.write(line)
            size += len(line.encode("utf-8"))
        handle.flush()
        os.fsync(handle.fileno())
        os.replace(fresh, self.path)
        with self._sync_lock:  # no fsync of the old file is running while it is closed
            self._file.close()
            self._file, self._size = handle, size

    def pending(self) -> list[tuple[int, dict]]:
        with self._lock:
            return list(self._pending.items())

    def __len__(self) -> int:
        with self._lock:
            return len(self._pending)
