"""Accounts read in parallel: same rows whatever the timing, bounded, failures stop the run."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from ingestion.sources.parallel import RunStopped, Slots, each_account, map_accounts


def pages(account: int) -> Iterator[tuple[int, int]]:
    for page in range(3):
        yield account, page


@pytest.mark.parametrize("size", [1, 3, 20])
def test_every_page_of_every_account_once_whatever_the_slots(size: int) -> None:
    got = list(each_account(range(10), pages, slots=Slots(size), name="t"))
    assert sorted(got) == [(a, p) for a in range(10) for p in range(3)]
    # an account's own pages keep their order
    for account in range(10):
        assert [p for a, p in got if a == account] == [0, 1, 2]


def test_one_slot_reads_in_order_in_the_calling_thread() -> None:
    threads: set[str] = set()

    def work(account: int) -> Iterator[int]:
        threads.add(threading.current_thread().name)
        yield account

    assert list(each_account([3, 1, 2], work, slots=Slots(1), name="t")) == [3, 1, 2]
    assert threads == {threading.current_thread().name}


def test_reads_overlap_but_never_more_than_the_slots_across_tables() -> None:
    slots = Slots(3)
    changed = threading.Condition()
    now = {"in": 0, "peak": 0}

    def work(account: int) -> Iterator[int]:
        with changed:
            now["in"] += 1
            now["peak"] = max(now["peak"], now["in"])
            changed.notify_all()
            # held until a fourth read comes in (never, if the slots hold) or 0.3 s pass
            changed.wait_for(lambda: now["in"] > 3, timeout=0.3)
            now["in"] -= 1
        yield account

    # two tables' pools alive at once, as dlt iterates resources in turn
    got: dict[str, list[int]] = {}

    def consume(name: str, accounts: range) -> None:
        got[name] = list(each_account(accounts, work, slots=slots, name=name))

    readers = [
        threading.Thread(target=consume, args=("a", range(6))),
        threading.Thread(target=consume, args=("b", range(6, 12))),
    ]
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.join()
    assert sorted(got["a"] + got["b"]) == list(range(12))
    assert now["peak"] == 3


def test_a_failure_stops_the_other_accounts_and_is_raised() -> None:
    started: list[int] = []

    def work(account: int) -> Iterator[int]:
        started.append(account)
        if account == 0:
            raise ValueError("account 0 broke")
        yield from range(1000)

    with pytest.raises(ValueError, match="account 0 broke"):
        list(each_account(range(50), work, slots=Slots(2), name="t"))
    assert len(started) < 50, "accounts not started yet were cancelled"


def test_closing_early_stops_the_workers() -> None:
    def work(account: int) -> Iterator[int]:
        yield from range(10_000)

    reader = each_account(range(4), work, slots=Slots(4), name="t")
    assert next(reader) == 0
    reader.close()  # returns once every worker has stopped
    assert not [t for t in threading.enumerate() if t.name.startswith("t_")]


def test_map_keeps_the_order_and_raises_the_first_failure() -> None:
    assert map_accounts([3, 1, 2], lambda a: a * 10, slots=Slots(2), name="m") == [30, 10, 20]

    def read(account: int) -> int:
        if account == 1:
            raise KeyError(account)
        return account

    with pytest.raises(KeyError):
        map_accounts([0, 1, 2], read, slots=Slots(2), name="m")


def test_a_failed_reader_stops_every_other_reader_of_the_run() -> None:
    """One table's failure: the run's other tables stop asking (and end, saying why)."""
    slots = Slots(2)
    asked: list[str] = []

    def endless(account: str) -> Iterator[int]:
        for page in range(10_000):
            asked.append(account)
            yield page

    def refused(account: str) -> Iterator[int]:
        raise ValueError(f"{account}: refused")
        yield 0

    other = each_account(["x", "y"], endless, slots=slots, name="other")
    assert next(other) == 0
    with pytest.raises(ValueError, match="refused"):
        list(each_account(["a", "b"], refused, slots=slots, name="bad"))
    assert slots.stopped.is_set()
    with pytest.raises(RunStopped, match="another table of the run failed"):
        list(other)
    assert len(asked) < 100, "the other table's readers went on asking"
