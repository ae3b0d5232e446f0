from __future__ import annotations

import pytest

from tests.e2e.harness import MODE, Bot, Clock, Sleeper


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "http_only: about HTTP delivery itself (signatures, the Request URL)")


@pytest.fixture(autouse=True)
def _skip_http_only_in_socket_mode(request):
    if MODE == "socket" and request.node.get_closest_marker("http_only"):
        pytest.skip("about HTTP delivery; this run is over Socket Mode")


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sleeper() -> Sleeper:
    return Sleeper()


@pytest.fixture
def mode(request) -> str | None:
    """A test about HTTP delivery itself gets a real HTTP POST even where the run is in-process."""
    return "http" if MODE == "inprocess" and request.node.get_closest_marker("http_only") else None


@pytest.fixture
def bot(emulator, database_url, clock, sleeper, mode):
    b = Bot(emulator, database_url, clock, sleeper, mode)
    yield b
    b.close()


@pytest.fixture
def dora_bot(emulator, database_url, clock):
    """The bot with REGULATION=dora."""
    b = Bot(emulator, database_url, clock, REGULATION="dora")
    yield b
    b.close()
