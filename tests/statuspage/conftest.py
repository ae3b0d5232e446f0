from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import dataclass

import pytest

from tests.e2e.harness import Bot, Clock


@dataclass
class Got:
    status: int
    headers: dict
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode()


def http(url: str, method: str = "GET", headers: dict | None = None) -> Got:
    req = urllib.request.Request(url, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return Got(r.status, r.headers, r.read())
    except urllib.error.HTTPError as e:
        return Got(e.code, e.headers, e.read())


class PageBot(Bot):
    @property
    def base(self) -> str:
        return self.url.rsplit("/slack/events", 1)[0]

    def get(self, path: str, **kw) -> Got:
        return http(self.base + path, **kw)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def page_bot(emulator, database_url, clock):
    b = PageBot(emulator, database_url, clock, STATUS_PAGE="on", STATUS_PAGE_NAME="Dalenys",
                PUBLIC_URL="https://status.example.com")
    b.rt.site.check_every = 0  # read the database on every request (the cache itself is tested apart)
    yield b
    b.close()
