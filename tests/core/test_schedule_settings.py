"""UPDATE_CADENCE, POSTMORTEM_DUE and the DORA settings: parsed at start, a bad value is one line naming it, exit 2."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot import cli
from bot.config import ConfigError, Settings
from bot.core.model import Priority
from bot.core.reminders import ScheduleError, parse_cadence, parse_duration


def test_default_cadence_and_durations():
    cadence = Settings.from_env({}).cadence
    assert cadence == {Priority.P1: timedelta(minutes=30), Priority.P2: timedelta(hours=1),
                       Priority.P3: timedelta(hours=4), Priority.P4: None}
    assert parse_cadence("P4=2h")[Priority.P4] == timedelta(hours=2)  # the others keep their default
    assert parse_duration("1h30m") == timedelta(minutes=90) and parse_duration("5d") == timedelta(days=5)
    for bad in ("", "soon", "-1h", "0m5", "P1"):
        with pytest.raises(ScheduleError):
            parse_duration(bad)


@pytest.mark.parametrize("name,value,named", [
    ("UPDATE_CADENCE", "P1=30m,P5=1h", "P5=1h"),
    ("UPDATE_CADENCE", "P1=soon", "P1=soon"),
    ("UPDATE_CADENCE", "P2", "P2"),
    ("POSTMORTEM_DUE", "next week", "next week"),
    ("REGULATION", "gdpr", "gdpr"),
    ("DORA_WEEKEND_RULE", "sometimes", "sometimes"),
    ("DORA_HOLIDAYS", "FR,Christmas", "FR,Christmas"),
    ("DORA_LANGUAGE", "de", "de"),
])
def test_a_bad_value_names_the_variable_and_the_value(name, value, named):
    with pytest.raises(ConfigError) as e:
        Settings.from_env({name: value})
    assert str(e.value).startswith(name) and named in str(e.value) and "\n" not in str(e.value)


def test_the_cli_exits_2_with_one_line(monkeypatch, capsys):
    monkeypatch.setenv("UPDATE_CADENCE", "P1=whenever")
    assert cli.main(["db", "upgrade"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "UPDATE_CADENCE" in err and "P1=whenever" in err
