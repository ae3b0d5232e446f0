from __future__ import annotations

import pytest

from tests.e2e.harness import Bot, Clock, Sleeper


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sleeper() -> Sleeper:
    return Sleeper()


@pytest.fixture
def bot(emulator, database_url, clock, sleeper):
    b = Bot(emulator, database_url, clock, sleeper)
    yield b
    b.close()


@pytest.fixture
def dora_bot(emulator, database_url, clock):
    """The bot with REGULATION=dora."""
    b = Bot(emulator, database_url, clock, REGULATION="dora")
    yield b
    b.close()
