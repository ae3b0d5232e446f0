"""The Slack adapter: the Bolt app and its listeners, presenters, the one Web API gateway (chat.py)."""
