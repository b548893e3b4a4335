"""Report jobs run in a pool, read in order, never more than a window ahead of the reader."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from ingestion.sources.naver_searchad.source import in_order


def test_results_come_in_the_jobs_order_whichever_finishes_first() -> None:
    first_may_finish = threading.Event()

    def work(job: int) -> int:
        if job == 0:  # the first job finishes only after later ones have
            first_may_finish.wait(5)
        elif job == 5:
            first_may_finish.set()
        return job * 10

    with ThreadPoolExecutor(max_workers=4) as pool:
        got = list(in_order(pool, work, range(20), ahead=8))

    assert got == [(job, job * 10) for job in range(20)]


def test_workers_never_run_more_than_the_window_ahead_of_a_slow_reader() -> None:
    ran: list[int] = []
    lock = threading.Lock()

    def work(job: int) -> int:
        with lock:
            ran.append(job)
        return job

    ahead = 4
    with ThreadPoolExecutor(max_workers=4) as pool:
        jobs = in_order(pool, work, range(200), ahead=ahead)
        for read, (job, _) in enumerate(jobs, start=1):
            # a slow reader: the workers have all the time they want to run ahead
            threading.Event().wait(0.002 if read > 3 else 0.2)
            with lock:
                assert len(ran) <= read + ahead, (
                    f"{len(ran)} jobs ran when {read} were read (window {ahead})"
                )
            assert job == read - 1
    assert sorted(ran) == list(range(200))


def test_jobs_after_a_failure_or_a_stopped_reader_never_run() -> None:
    ran: list[int] = []
    lock = threading.Lock()

    def work(job: int) -> int:
        with lock:
            ran.append(job)
        if job == 3:
            raise ValueError("job 3 failed")
        return job

    with ThreadPoolExecutor(max_workers=2) as pool:
        jobs = in_order(pool, work, range(100), ahead=4)
        with pytest.raises(ValueError, match="job 3 failed"):
            for _ in jobs:
                pass
        pool.shutdown(wait=True, cancel_futures=True)
    assert max(ran) < 3 + 4 + 1, sorted(ran)

    ran.clear()
    with ThreadPoolExecutor(max_workers=2) as pool:
        jobs = in_order(pool, work, range(4, 100), ahead=4)
        next(jobs)
        jobs.close()
        pool.shutdown(wait=True, cancel_futures=True)
    assert len(ran) <= 1 + 4, sorted(ran)
