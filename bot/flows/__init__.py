"""Side effects: what happens when someone declares, updates, records or compiles.

Flows read and write the store and talk to Slack through the `Chat` port; listeners call them.
"""
