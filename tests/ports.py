"""A port for a server that a test starts in a process of its own, which binds it later."""

from __future__ import annotations

import random
import socket
from pathlib import Path

# Not the random module's shared state: Hypothesis seeds it, and every test worker would pick the same ports.
_pick = random.SystemRandom()


def _ephemeral_range_start() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768  # Linux's default


def free_port() -> int:
    """A free port below the kernel's ephemeral range.

    A port from bind(("127.0.0.1", 0)) comes from the range the kernel also takes the local ports of
    outgoing connections from: between the test picking it and the child binding it, one of the
    suite's many HTTP and PostgreSQL connections can take it ("Address already in use", seen in CI).
    The kernel never picks a port below that range by itself, so there only another test's pick could
    collide with this one, one chance in thousands.
    """
    top = _ephemeral_range_start()
    for _ in range(200):
        port = _pick.randint(max(1024, top - 20_000), top - 1)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue  # in use, or still in TIME_WAIT
            return port
    raise RuntimeError(f"no free port below {top} after 200 tries")
