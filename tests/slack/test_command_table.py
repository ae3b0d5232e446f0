"""Every subcommand the parser knows has exactly one handler, and global ones act on no incident."""

from bot.core.commands import GLOBAL, SUBCOMMANDS
from bot.slack.listeners import commands


def test_every_subcommand_has_one_handler():
    assert set(commands.COMMANDS) == set(SUBCOMMANDS)
    # Global subcommands act on no incident; every other one names the access it needs on one.
    no_incident = {name for name, access in commands.ACCESS.items() if access in (commands.NONE, commands.DECLARE)}
    assert no_incident == set(GLOBAL)
    assert commands.READ_ONLY <= set(commands.HANDLERS)
    assert {name for name, access in commands.ACCESS.items() if access == commands.READ} == {"status", "timeline"}
