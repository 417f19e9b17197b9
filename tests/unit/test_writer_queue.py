"""SQLite's in-process writer queue: first come first served, a device's outcome first."""
from __future__ import annotations

import threading
import time

from madoguchi.adapters.db.slots import WriterQueue


def _waiting(queue: WriterQueue, count: int) -> None:
    """Until ``count`` writers wait in ``queue`` (they queue on their own threads)."""
    deadline = time.monotonic() + 10
    while len(queue._urgent) + len(queue._ordinary) < count:  # noqa: SLF001 - the test looks inside
        assert time.monotonic() < deadline, "writers did not queue"
        time.sleep(0.001)


def _writer(queue: WriterQueue, name: str, order: list[str], *, urgent: bool = False) -> threading.Thread:
    def run() -> None:
        assert queue.acquire(urgent=urgent, timeout=10)
        order.append(name)
        queue.release()
    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_writers_get_their_turn_in_the_order_they_came():
    queue, order = WriterQueue(), []
    assert queue.acquire()
    threads = []
    for n in range(5):
        threads.append(_writer(queue, f"w{n}", order))
        _waiting(queue, n + 1)
    queue.release()
    for t in threads:
        t.join()
    assert order == ["w0", "w1", "w2", "w3", "w4"]


def test_an_urgent_writer_goes_before_the_ordinary_ones_already_waiting():
    queue, order = WriterQueue(), []
    assert queue.acquire()
    threads = [_writer(queue, "new sale 1", order)]
    _waiting(queue, 1)
    threads.append(_writer(queue, "new sale 2", order))
    _waiting(queue, 2)
    threads.append(_writer(queue, "change paid out", order, urgent=True))
    _waiting(queue, 3)
    threads.append(_writer(queue, "card approved", order, urgent=True))
    _waiting(queue, 4)
    queue.release()
    for t in threads:
        t.join()
    assert order == ["change paid out", "card approved", "new sale 1", "new sale 2"]


def test_a_free_queue_is_taken_at_once_and_a_writer_that_gives_up_leaves_no_trace():
    queue = WriterQueue()
    assert queue.acquire()
    assert not queue.acquire(timeout=0.01)  # gave up: it must not hold the queue later
    assert not queue.acquire(urgent=True, timeout=0.01)
    assert (len(queue._urgent), len(queue._ordinary)) == (0, 0)  # noqa: SLF001
    queue.release()
    assert queue.acquire(timeout=0)  # nobody else holds it
    queue.release()


def test_many_writers_at_once_never_hold_the_queue_together():
    queue = WriterQueue()
    inside, most, lock = 0, 0, threading.Lock()

    def work(n: int) -> None:
        nonlocal inside, most
        for _ in range(200):
            assert queue.acquire(urgent=n % 3 == 0, timeout=30)
            with lock:
                inside += 1
                most = max(most, inside)
            with lock:
                inside -= 1
            queue.release()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert most == 1 and inside == 0
    assert queue.acquire(timeout=0)
