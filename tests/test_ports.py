import random
import socket

from tests.ports import _ephemeral_range_start, free_port


def test_a_free_port_is_outside_the_range_outgoing_connections_take_theirs_from():
    top = _ephemeral_range_start()
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
