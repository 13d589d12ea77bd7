"""Where a batch of solves runs: in this process, on a local process pool, or on a Dask cluster.

Every batch (a sweep's grid, say) is cut into chunks of points; each chunk is solved in one HiGHS
session (build once per point, change only what differs in place), so a worker keeps the speed of
re-solving in place. An executor runs the chunks and hands back the items they yield as they
complete; a chunk whose worker died is run again, so a killed worker loses nothing. The sweep on
top writes each row to a journal as it arrives, so an interrupted run resumes where it stopped.

- `SerialExecutor` — this process, one session across the whole batch (small batches).
- `PoolExecutor(n)` — `n` local worker processes; nothing to start (the default for big batches).
- `DaskExecutor("local:4")` starts a LocalCluster of 4 worker processes;
  `DaskExecutor("tcp://host:8786")` joins a running scheduler (`pip install 'allocator[dask]'`).
"""

from __future__ import annotations

import concurrent.futures as cf
import math
import multiprocessing
import os
import signal
import sys
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures.process import BrokenProcessPool
from types import TracebackType
from typing import IO, Any, TypeVar

from allocator.errors import InputError, Issue

T = TypeVar("T")
R = TypeVar("R")

BIG_BATCH = 200
"""From this many points on, a batch with no executor named runs on a local process pool."""
MAX_CHUNK = 25
"""Most points in one chunk (one HiGHS session on one worker, rows returned together)."""
ATTEMPTS = 3
"""How often a chunk is tried before a crash of its worker is taken to be the chunk's own fault."""


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity where the system says; else all)."""
    usable = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
    return len(usable) if usable else os.cpu_count() or 1


class WorkerLostError(RuntimeError):
    """A chunk's worker died on every attempt: the chunk itself kills its worker."""


class Executor(ABC):
    """Runs chunks of a batch and yields what each chunk yields, as chunks complete."""

    workers: int = 1
    chunk: int | None = None
    """Points per chunk when set (else about four chunks per worker)."""

    @abstractmethod
    def run(self, fn: Callable[[T], Iterable[R]], tasks: Iterable[T]) -> Iterator[R]:
        """Every item `fn(task)` yields for every task; items of one task arrive together (except
        in-process, where they stream), tasks in the order they complete."""

    def chunk_size(self, points: int) -> int:
        """Points per chunk: about four chunks per worker, so a slow chunk delays little, and at
        most `MAX_CHUNK`, so rows reach the journal often (a new session per chunk costs ~1 ms)."""
        if self.chunk is not None:
            return self.chunk
        return max(1, min(MAX_CHUNK, math.ceil(points / (4 * self.workers))))

    def close(self) -> None:
        """Stop whatever the executor started (worker processes, a local cluster)."""
        return None

    def __enter__(self) -> Executor:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class SerialExecutor(Executor):
    """In this process, one task after another, streaming items as they are made."""

    def chunk_size(self, points: int) -> int:
        """One chunk (one HiGHS session across the whole batch) unless `chunk` is set."""
        return self.chunk or max(points, 1)

    def run(self, fn: Callable[[T], Iterable[R]], tasks: Iterable[T]) -> Iterator[R]:
        """Run each task here."""
        for task in tasks:
            yield from fn(task)


def collect(fn: Callable[[T], Iterable[R]], task: T) -> list[R]:
    """Run `fn(task)` to the end on a worker and return its items (one message back)."""
    return list(fn(task))


class PoolExecutor(Executor):
    """A local pool of worker processes (forked from a clean server process, or spawned: HiGHS's
    threads do not survive a fork). When a worker dies, the pool is replaced and every chunk not
    yet returned is submitted again."""

    def __init__(
        self, workers: int | None = None, attempts: int = ATTEMPTS, chunk: int | None = None
    ) -> None:
        self.workers = max(1, workers or usable_cores())
        self.attempts, self.chunk = attempts, chunk
        self.restarts = 0
        self._pool: cf.ProcessPoolExecutor | None = None

    def _new_pool(self) -> cf.ProcessPoolExecutor:
        context: Any
        if "forkserver" in multiprocessing.get_all_start_methods():
            # Workers fork from a clean server that imported allocator once: a pool replaced
            # after a crash starts in milliseconds, and no HiGHS thread is ever forked.
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["allocator.execute"])
        else:
            context = multiprocessing.get_context("spawn")
        return cf.ProcessPoolExecutor(
            max_workers=self.workers, mp_context=context, initializer=_leave_ctrl_c_to_parent
        )

    def run(self, fn: Callable[[T], Iterable[R]], tasks: Iterable[T]) -> Iterator[R]:
        """Run the tasks on the pool; resubmit those a dead worker took down. Tasks are
        submitted as `tasks` makes them, so workers start on the first while this process
        still prepares the later ones."""
        left: dict[int, T] = {}
        tries: dict[int, int] = {}
        futures: dict[cf.Future[list[R]], int] = {}
        source = iter(tasks)
        try:
            while True:
                try:
                    for i, task in enumerate(source, start=len(tries)):
                        left[i], tries[i] = task, 0
                        futures[self._submit(fn, task)] = i
                        tries[i] += 1
                        yield from self._finished(futures, left, block=False)
                    while futures:
                        yield from self._finished(futures, left, block=True)
                    return
                except BrokenProcessPool:
                    self.restarts += 1
                    pool, self._pool = self._pool, None
                    if pool is not None:
                        pool.shutdown(wait=True, cancel_futures=True)
                    spent = [i for i in left if tries[i] >= self.attempts]
                    if spent:
                        raise WorkerLostError(
                            f"a worker process died {self.attempts} times while running chunk "
                            f"{spent[0]} of {len(tries)}; see the worker's error output"
                        ) from None
                    futures = {}
                    for i, task in left.items():
                        futures[self._submit(fn, task)] = i
                        tries[i] += 1
        except BaseException:  # Ctrl-C, or the caller stopped reading: stop the workers now
            self.close(now=True)
            raise

    def _submit(self, fn: Callable[[T], Iterable[R]], task: T) -> cf.Future[list[R]]:
        if self._pool is None:
            self._pool = self._new_pool()
        return self._pool.submit(collect, fn, task)

    @staticmethod
    def _finished(
        futures: dict[cf.Future[list[R]], int], left: dict[int, Any], block: bool
    ) -> Iterator[R]:
        """The items of the chunks done so far (with `block`, waiting for at least one)."""
        done, _ = cf.wait(futures, timeout=None if block else 0, return_when=cf.FIRST_COMPLETED)
        for future in done:
            items = future.result()
            del left[futures.pop(future)]
            yield from items

    def close(self, now: bool = False) -> None:
        """Shut the pool down, cancelling chunks not yet started; `now` also stops the workers
        in the middle of their chunks (their rows are lost, not wrong)."""
        pool, self._pool = self._pool, None
        if pool is None:
            return
        if now:
            processes = list(getattr(pool, "_processes", {}).values())
            pool.shutdown(wait=False, cancel_futures=True)
            for process in processes:
                process.terminate()
            for process in processes:
                process.join()
        else:
            pool.shutdown(wait=True, cancel_futures=True)


def _leave_ctrl_c_to_parent() -> None:
    """In a pool worker: ignore Ctrl-C (the terminal sends it to every process); the parent
    stops the workers and keeps what they finished."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class DaskExecutor(Executor):
    """A Dask distributed cluster: `local:N` starts a LocalCluster of N single-threaded worker
    processes; `tcp://host:port` joins a running scheduler. The scheduler runs a chunk again when
    its worker dies; `retries` more attempts follow an error raised inside a chunk."""

    def __init__(
        self, address: str, retries: int = 2, timeout: float = 20.0, chunk: int | None = None
    ) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise InputError(
                [Issue("--dask", "", address, "install Dask first: pip install 'allocator[dask]'")]
            ) from None
        self.address, self.retries, self.chunk = address, retries, chunk
        self.cluster: Any = None
        kind, _, rest = address.partition(":")
        try:
            if kind == "local":
                workers = int(rest) if rest else usable_cores()
                if workers < 1:
                    raise ValueError(rest)
                self.cluster = LocalCluster(
                    n_workers=workers,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                    silence_logs=40,  # logging.ERROR
                )
                self.client = Client(self.cluster, timeout=timeout)
            elif "://" in address:
                self.client = Client(address, timeout=timeout)
            else:
                raise ValueError(address)
        except ValueError:
            raise InputError(
                [Issue("--dask", "", address, "write local:N (N workers) or tcp://HOST:PORT")]
            ) from None
        except OSError as exc:
            self.close()
            raise InputError(
                [Issue("--dask", "", address, f"no Dask scheduler answered there ({exc})")]
            ) from None
        info = self.client.scheduler_info()
        self.workers = max(1, sum(w.get("nthreads", 1) for w in info["workers"].values()))

    def run(self, fn: Callable[[T], Iterable[R]], tasks: Iterable[T]) -> Iterator[R]:
        """Submit every chunk, then yield their items as they complete."""
        from distributed import as_completed

        futures = [
            self.client.submit(collect, fn, task, pure=False, retries=self.retries)
            for task in tasks
        ]
        try:
            for future in as_completed(futures):
                items = future.result()
                future.release()
                yield from items
        finally:
            self.client.cancel([f for f in futures if not f.done()])

    def close(self) -> None:
        """Leave the scheduler; stop the LocalCluster if this executor started it."""
        client = getattr(self, "client", None)
        if client is not None:
            client.close()
        if self.cluster is not None:
            self.cluster.close()
            self.cluster = None


MAX_WORKERS = 1024
"""The most local worker processes one run starts."""


def executor_for(points: int, workers: int | None = None, dask: str | None = None) -> Executor:
    """The executor a batch of `points` runs on: Dask when an address is given; a pool of
    `workers` processes (all cores when not given) for a big batch or when asked; else serial."""
    if dask:
        return DaskExecutor(dask)
    if workers is not None and not 1 <= workers <= MAX_WORKERS:
        raise InputError(
            [Issue("--workers", "", workers, f"a whole number from 1 to {MAX_WORKERS}")]
        )
    cores = usable_cores()
    if workers == 1 or (workers is None and (points < BIG_BATCH or cores < 2)):
        return SerialExecutor()
    return PoolExecutor(workers or cores)


class Progress:
    """A one-line progress bar on stderr (only when stdout and stderr are both a terminal, so
    that output redirected to a file stays clean): done/total, rate, time left."""

    def __init__(
        self, total: int, done: int = 0, enabled: bool | None = None, what: str = "points"
    ) -> None:
        self.total, self.done, self.start_done = total, done, done
        terminal = sys.stderr.isatty() and sys.stdout.isatty()
        self.enabled = terminal if enabled is None else enabled
        self.what = what
        self.started = self.shown = time.perf_counter()
        self.stream: IO[str] = sys.stderr

    def advance(self, n: int = 1) -> None:
        """Count `n` more points done; redraw at most ten times a second."""
        self.done += n
        now = time.perf_counter()
        if self.enabled and (now - self.shown > 0.1 or self.done == self.total):
            self.shown = now
            self._draw(now)

    def _draw(self, now: float) -> None:
        share = self.done / self.total if self.total else 1.0
        rate = (self.done - self.start_done) / max(now - self.started, 1e-9)
        left = (self.total - self.done) / rate if rate > 0 else math.inf
        eta = time.strftime("%H:%M:%S", time.gmtime(left)) if math.isfinite(left) else "--:--:--"
        bar = "#" * int(30 * share)
        self.stream.write(
            f"\r{self.done:>{len(str(self.total))}}/{self.total} [{bar:<30}] {share:4.0%} "
            f"{rate:7.1f} {self.what}/s, {eta} left"
        )
        self.stream.flush()

    def close(self) -> None:
        """End the line."""
        if self.enabled:
            self._draw(time.perf_counter())
            self.stream.write("\n")
            self.stream.flush()
