"""A port for a server that a test starts in a process of its own, which binds it later."""

from __future__ import annotations

import random
import socket
from pathlib import Path

# Not the random module's shared state: Hypothesis seeds it, and every test worker would pick the same ports.
_pick = random.SystemRandom()


def _ephemeral_range() -> tuple[int, int]:
    try:
        low, high = (int(n) for n in Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[:2])
        return low, high
    except (OSError, ValueError):
        return 32768, 60999  # Linux's default


def free_port() -> int:
    """A free port outside the kernel's ephemeral range (below it, else above it).

    A port from bind(("127.0.0.1", 0)) comes from the range the kernel also takes the local ports of
    outgoing connections from: between the test picking it and the child binding it, one of the
    suite's many HTTP and PostgreSQL connections can take it ("Address already in use", seen in CI).
    The kernel never picks a port outside that range by itself, so there only another test's pick could
    collide with this one, one chance in thousands. A machine whose range leaves no room gets bind(0)'s.
    """
    low, high = _ephemeral_range()
    below, above = (max(1024, low - 20_000), low - 1), (high + 1, min(65535, high + 20_000))
    room = next(((a, b) for a, b in (below, above) if b - a >= 1000), None)
    for _ in range(200 if room else 0):
        port = _pick.randint(*room)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue  # in use, or still in TIME_WAIT
            return port
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
