"""Every subcommand the parser knows has exactly one handler, and global ones act on no incident."""

from bot.core.commands import GLOBAL, SUBCOMMANDS
from bot.slack.listeners import commands


def test_every_subcommand_has_one_handler():
    assert set(commands.GLOBAL_HANDLERS) == set(GLOBAL)
    assert set(commands.HANDLERS) | set(commands.GLOBAL_HANDLERS) == set(SUBCOMMANDS)
    assert not set(commands.HANDLERS) & set(commands.GLOBAL_HANDLERS)
    assert commands.READ_ONLY <= set(commands.HANDLERS)
