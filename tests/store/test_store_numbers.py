"""Reference numbers: sequential, never reused, distinct under concurrency (threads and processes)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from bot.store.incidents import allocate_number


def allocate(db, prefix: str = "TSR", first: int = 1) -> int:
    with db.session() as session:
        return allocate_number(session=session, prefix=prefix, first=first)


def test_numbers_start_at_first_and_follow_on(db):
    assert [allocate(db, first=2641) for _ in range(3)] == [2641, 2642, 2643]


def test_each_prefix_has_its_own_counter(db):
    assert allocate(db, "TSR", 10) == 10
    assert allocate(db, "SEC", 1) == 1
    assert allocate(db, "TSR", 10) == 11
    assert allocate(db, "SEC", 1) == 2


def test_raising_first_jumps_ahead_and_lowering_it_reuses_nothing(db):
    assert [allocate(db, first=1) for _ in range(2)] == [1, 2]

    assert allocate(db, first=500) == 500
    assert allocate(db, first=500) == 501
    assert allocate(db, first=1) == 502


def test_a_rolled_back_allocation_is_not_counted(db):
    assert allocate(db) == 1
    try:
        with db.session() as session:
            assert allocate_number(session=session, prefix="TSR", first=1) == 2
            raise RuntimeError("declare failed after allocating")
    except RuntimeError:
        pass
    assert allocate(db) == 2


def test_threads_sharing_one_database_get_distinct_gap_free_numbers(db):
    with ThreadPoolExecutor(max_workers=8) as pool:
        numbers = list(pool.map(lambda _: allocate(db, first=100), range(120)))

    assert sorted(numbers) == list(range(100, 220))


def test_two_processes_get_distinct_gap_free_numbers(database_url, race):
    # The counter row does not exist yet, so both processes may also race to create it.
    first, second = race(database_url, "allocate", "TSR", "1000", "60")

    assert len(first) == len(second) == 60
    assert sorted(first + second) == list(range(1000, 1120))
    assert first == sorted(first) and second == sorted(second)
