"""How Slack's requests reach the bot in these tests: in-process (the default) hands the emulator's
signed bytes to the bot's WSGI app without a socket; a stopped bot is refused as over HTTP."""

from __future__ import annotations

import pytest

from tests.e2e.harness import Bot


def test_in_process_delivery_is_signed_and_needs_no_socket(emulator, database_url):
    bot = Bot(emulator, database_url, mode="inprocess")
    try:
        bot.server.stop()  # nothing listens: the request can only arrive in-process
        assert bot.command("UFR", "help").status == 200
        assert "/incident" in bot.replies_to("UFR")[-1]
        # The signature is still checked: a request signed with another secret is refused.
        wrong = emulator.sign_and_post(b"command=%2Fincident&text=help", "application/x-www-form-urlencoded",
                                       secret="not-the-signing-secret")
        assert wrong.status == 401
    finally:
        bot.close()


def test_a_closed_bot_is_no_longer_reached_in_process(emulator, database_url):
    bot = Bot(emulator, database_url, mode="inprocess")
    bot.close()
    with pytest.raises(OSError):  # as an HTTP POST to a stopped server: the connection is refused
        emulator.slash_command("UFR", "COPS", "help")
