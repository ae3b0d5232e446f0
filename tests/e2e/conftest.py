from __future__ import annotations

import pytest

from tests.e2e.harness import Bot, Clock


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def bot(emulator, database_url, clock):
    b = Bot(emulator, database_url, clock)
    yield b
    b.close()
