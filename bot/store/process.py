"""Who holds a lease: this process's identity, and whether another holder is known to be dead.

A declare's Slack steps are leased to one run at a time. A process killed half-way cannot free
its lease; waiting for the lease to run out (minutes) left the half-made channel waiting. The
lease now names its holder — host, process id and a nonce drawn at start — so a restarted
process recognises a lease held by a dead one at once: on the same host, a holder whose process
is gone, or that is an earlier incarnation of our own process id (a container's PID 1). A holder
on another host is taken for alive until its lease runs out.
"""

from __future__ import annotations

import os
import secrets
import socket


def identity(nonce: str | None = None) -> str:
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{nonce or secrets.token_hex(6)}"


IDENTITY = identity()


def is_dead(holder: str | None) -> bool:
    if not holder:
        return False
    try:
        host, pid_text, nonce = holder.rsplit(":", 2)
        pid = int(pid_text)
    except ValueError:
        return False
    my_host, my_pid, my_nonce = IDENTITY.rsplit(":", 2)
    if host != my_host:
        return False  # cannot tell: its lease's expiry decides
    if pid == int(my_pid):
        return nonce != my_nonce  # our process id, an earlier life of it
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # alive, someone else's
        return False
    return False
