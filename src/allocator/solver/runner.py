"""HiGHS runs in a thread of their own that lives on between runs, so that Ctrl-C reaches Python
while HiGHS works and stops the solve cleanly (status interrupted).

The thread is kept, one for each thread that asks for runs: HiGHS sets up its task scheduler for
every new thread it runs in, and a fresh thread for each run cost about 1.4 ms a solve on the
five-year plan's MIP (11.1 ms run in place, 12.5 ms in a new thread each time, 11.3 ms in a kept
one) — a tenth of a Monte Carlo sample's solves."""

from __future__ import annotations

import queue
import threading
import weakref

import highspy
from highspy._core import _Highs

Task = tuple[highspy.Highs, threading.Event, list[BaseException]]


def run_in_thread(h: highspy.Highs) -> None:
    """Run `h` in the calling thread's HiGHS thread, waiting for it; Ctrl-C meanwhile asks HiGHS
    to stop (it ends with status interrupted), as many times as it is pressed."""
    done = threading.Event()
    failed: list[BaseException] = []
    h.HandleUserInterrupt = True  # HiGHS asks between iterations whether to stop
    try:
        _worker().put((h, done, failed))
        while True:
            try:
                while not done.wait(0.05):
                    pass
                break
            except KeyboardInterrupt:
                h.cancelSolve()
    finally:
        h.HandleUserInterrupt = False
    if failed:
        raise failed[0]


class _Worker:
    """The HiGHS thread of one calling thread. When the calling thread ends (its thread-local
    data is dropped), the worker is told to end too."""

    def __init__(self) -> None:
        self.tasks: queue.SimpleQueue[Task | None] = queue.SimpleQueue()
        self.thread = threading.Thread(
            target=_serve, args=(self.tasks,), name="allocator-highs", daemon=True
        )
        self.thread.start()
        weakref.finalize(self, self.tasks.put, None)

    def put(self, task: Task) -> None:
        self.tasks.put(task)


_local = threading.local()


def _worker() -> _Worker:
    worker: _Worker | None = getattr(_local, "worker", None)
    # A forked child inherits the object but not the thread: start another.
    if worker is None or not worker.thread.is_alive():
        worker = _local.worker = _Worker()
    return worker


def _serve(tasks: queue.SimpleQueue[Task | None]) -> None:
    while (task := tasks.get()) is not None:
        h, done, failed = task
        try:
            _Highs.run(h)  # HiGHS's own run (highspy's wrapper would start yet another thread)
        except BaseException as exc:  # handed to the caller, which raises it
            failed.append(exc)
        finally:
            done.set()
