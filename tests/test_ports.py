import random
import socket

from tests.ports import _ephemeral_range, free_port


def test_a_free_port_is_outside_the_range_outgoing_connections_take_theirs_from():
    top = _ephemeral_range()[0]
    for _ in range(20):
        port = free_port()
        assert 1024 <= port < top
        with socket.socket() as s:
            s.bind(("127.0.0.1", port))  # still free


def test_workers_seeded_alike_still_pick_different_ports():
    random.seed(0)  # as Hypothesis leaves the shared generator in every test worker
    first = [free_port() for _ in range(5)]
    random.seed(0)
    assert [free_port() for _ in range(5)] != first


def test_a_range_that_starts_at_1024_takes_ports_above_it_or_from_the_kernel(monkeypatch):
    import tests.ports as ports

    monkeypatch.setattr(ports, "_ephemeral_range", lambda: (1024, 40000))
    assert all(40000 < free_port() for _ in range(10))
    monkeypatch.setattr(ports, "_ephemeral_range", lambda: (1024, 65535))
    assert 1024 <= free_port() <= 65535  # no room outside: bind(0)'s
