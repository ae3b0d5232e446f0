"""A strict, stateful fake of Slack for tests and the local playground.

Serves the Web API (checked against Slack's method specs) and sends signed slash commands,
events and interactions to the bot, as Slack does. Shipped in the package, like httpx's
MockTransport, so the bot's tests and the playground share one faithful fake.
"""
from .driver import Delivery, signature
from .emulator import SlackEmulator
from .webapi import Call

__all__ = ["Call", "Delivery", "SlackEmulator", "signature"]
