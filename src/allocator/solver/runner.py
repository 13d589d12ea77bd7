"""HiGHS runs in a thread of their own that lives on between runs, so that Ctrl-C reaches Python
while HiGHS works and stops the solve cleanly (status interrupted).

The thread is kept, one for each thread that asks for runs: HiGHS sets up its task scheduler for
every new thread it runs in, and a fresh thread for each run cost about 1.4 ms a solve on the
five-year plan's MIP (11.1 ms run in place, 12.5 ms in a new thread each time, 11.3 ms in a kept
one) — a tenth of a Monte Carlo sample's solves."""

from __future__ import annotations

import queue
import sys
import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import highspy
from highspy._core import _Highs

THREAD_NAME = "allocator-highs"
"""The name of every HiGHS thread (they wait for work between runs; the program may end beside
them: `allocator.cli.run`)."""

HANDOVER = 1e-4
"""Seconds a thread waits for the GIL before the running one is asked to hand it over, while
work runs beside HiGHS (Python's default is 5 ms). HiGHS's callbacks (the Ctrl-C check, log
lines) need the GIL: at 5 ms each, a solve stalled behind the work beside it."""

Task = tuple[
    highspy.Highs,
    Callable[[highspy.Highs], object],
    threading.Event,
    threading.Event,
    list[BaseException],
    list[Any],
]
T = TypeVar("T")


def run_in_thread(h: highspy.Highs, meanwhile: Callable[[], object] | None = None) -> None:
    """Run `h` in the calling thread's HiGHS thread, waiting for it; Ctrl-C while waiting asks
    HiGHS to stop (it ends with status interrupted), as many times as it is pressed. `meanwhile`
    runs in the calling thread while HiGHS works (the GIL is free then); if it fails — Ctrl-C
    included: the work it was doing is not done — HiGHS is stopped and the error raised."""
    call_in_thread(h, _Highs.run, meanwhile)  # HiGHS's own run (highspy's may start another)


def call_in_thread(
    h: highspy.Highs,
    call: Callable[[highspy.Highs], T],
    meanwhile: Callable[[], object] | None = None,
) -> T:
    """`call(h)` in the calling thread's HiGHS thread (a run, or a HiGHS method that solves inside
    it, such as the IIS, which would otherwise meet this thread's own task scheduler, set up for
    other runs), with `meanwhile` and Ctrl-C as for `run_in_thread`."""
    started, done = threading.Event(), threading.Event()
    failed: list[BaseException] = []
    out: list[T] = []
    h.HandleUserInterrupt = True  # HiGHS asks between iterations whether to stop
    try:
        _worker().put((h, call, started, done, failed, out))
        try:
            if meanwhile is not None:
                started.wait()  # HiGHS under way (it needs the GIL to start)
                with _prompt_handover():
                    meanwhile()
        except BaseException:
            h.cancelSolve()
            done.wait()
            raise
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
    return out[0]


class _Worker:
    """The HiGHS thread of one calling thread. When the calling thread ends (its thread-local
    data is dropped), the worker is told to end too."""

    def __init__(self) -> None:
        self.tasks: queue.SimpleQueue[Task | None] = queue.SimpleQueue()
        self.thread = threading.Thread(
            target=_serve, args=(self.tasks,), name=THREAD_NAME, daemon=True
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
    threads: object = None  # the `threads` option HiGHS's task scheduler was set up for
    while (task := tasks.get()) is not None:
        h, call, started, done, failed, out = task
        try:
            wanted = _threads(h)
            if wanted != threads:
                # HiGHS keeps a task scheduler per thread, set up by its first run; a run asking
                # for another number of threads (or the first here: a forked process inherits
                # its parent's) starts a new one, as highspy's own run does after every run.
                _Highs.resetThreadScheduler(False)
                threads = wanted
            started.set()
            out.append(call(h))
        except BaseException as exc:  # handed to the caller, which raises it
            failed.append(exc)
        finally:
            started.set()
            done.set()


_handing = {"count": 0, "interval": 0.0}
_handing_lock = threading.Lock()


@contextmanager
def _prompt_handover() -> Iterator[None]:
    """The GIL handed over within `HANDOVER` seconds while this block runs (the interval is the
    interpreter's: set by the first of several threads in such a block, restored by the last)."""
    with _handing_lock:
        if _handing["count"] == 0:
            _handing["interval"] = sys.getswitchinterval()
            sys.setswitchinterval(min(HANDOVER, _handing["interval"]))
        _handing["count"] += 1
    try:
        yield
    finally:
        with _handing_lock:
            _handing["count"] -= 1
            if _handing["count"] == 0:
                sys.setswitchinterval(_handing["interval"])


def _threads(h: highspy.Highs) -> object:
    got = h.getOptionValue("threads")
    return got[1] if isinstance(got, tuple) else got  # (status, value) in some highspy versions
