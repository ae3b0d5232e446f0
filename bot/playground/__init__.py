"""The local playground: the real bot and the Slack emulator in one process, with a web page.

`python -m bot playground` (or `python -m bot` without SLACK_BOT_TOKEN) serves, on one port, the
bot's `/slack/events`, the emulator's Web API under `/slack-api/`, and a page at `/` that shows the
emulated workspace and lets you act in it as one of a few sample people.
"""
