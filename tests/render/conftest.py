"""Fixtures: the example incident TSR-2641 and the languages to render it in."""

from __future__ import annotations

from datetime import datetime

import pytest
from tsr2641 import at, tsr_2641, tsr_2641_actions, tsr_2641_entries

from bot.core.model import Action, Entry, Incident
from bot.i18n import Catalogs


@pytest.fixture
def incident() -> Incident:
    return tsr_2641()


@pytest.fixture
def entries() -> list[Entry]:
    return tsr_2641_entries()


@pytest.fixture
def actions() -> list[Action]:
    return tsr_2641_actions()


@pytest.fixture
def now() -> datetime:
    return at("09:55", day=8)


@pytest.fixture(scope="session")
def en():
    return Catalogs(languages=("en",), timezone="Europe/Paris").lang("en")


@pytest.fixture(scope="session")
def catalogs():
    """French then English, as configured by default (a missing French catalog fails, never skips)."""
    return Catalogs(languages=("fr", "en"), timezone="Europe/Paris")
