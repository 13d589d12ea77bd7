"""Executors: a sweep gives the same table serially, on a local process pool and on a Dask
LocalCluster — also when a worker is killed mid-sweep — and an interrupted sweep resumes."""

from __future__ import annotations

import io
import os
import signal
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd
import pytest

import allocator
from allocator import analysis as scenarios
from allocator import execute
from allocator.analysis import montecarlo as uncertainty
from allocator.cli import main
from allocator.errors import InputError
from allocator.execute import SweepChunk, executors
from tests.helpers import tiny

ROOT = Path(__file__).resolve().parent.parent
KOREA = ROOT / "instances" / "korea-2026-2030.yaml"
TOY = ROOT / "instances" / "toy.yaml"
T = TypeVar("T")
R = TypeVar("R")

VARY = [scenarios.parse_vary("budget.2026=7200:10800:10")]  # two infeasible points, then optima


@pytest.fixture(scope="module")
def korea() -> allocator.Instance:
    return allocator.load_instance(KOREA)


@pytest.fixture(scope="module")
def serial(korea: allocator.Instance) -> pd.DataFrame:
    """The reference: every point in this process, in one HiGHS session."""
    table = scenarios.sweep(korea, None, VARY, executor=execute.SerialExecutor())
    assert list(table.point) == list(range(10))
    assert set(table.status) == {"infeasible", "optimal"}
    assert table[table.status == "optimal"].verified.all()
    return table


def kill_once(
    marker: Path, victim: int, fn: Callable[[SweepChunk], Iterable[Any]], task: Any
) -> Any:
    """Solve the chunk, then — on the chunk starting at point `victim`, the first time only —
    kill this worker process before it can hand the rows back."""
    rows = list(fn(task))
    if task.points[0][0] == victim and not marker.exists():
        marker.write_text(str(os.getpid()))
        os.kill(os.getpid(), signal.SIGKILL)
    return rows


def always_die(fn: Callable[[SweepChunk], Iterable[Any]], task: Any) -> Any:
    """A chunk that kills whichever worker runs it."""
    os.kill(os.getpid(), signal.SIGKILL)


class KillingPool(execute.PoolExecutor):
    def __init__(self, wrap: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.wrap = wrap

    def run(self, fn: Callable[[T], Iterable[R]], tasks: Iterable[T]) -> Iterator[R]:
        return super().run(partial(self.wrap, fn), tasks)


class KillingDask(execute.DaskExecutor):
    def __init__(self, wrap: Callable[..., Any], **kwargs: Any) -> None:
        self.wrap = wrap
        super().__init__(**kwargs)

    def run(self, fn: Callable[[T], Iterable[R]], tasks: Iterable[T]) -> Iterator[R]:
        return super().run(partial(self.wrap, fn), tasks)


def test_process_pool_with_a_killed_worker_equals_serial(
    korea: allocator.Instance, serial: pd.DataFrame, tmp_path: Path
) -> None:
    marker = tmp_path / "killed"
    pool = KillingPool(partial(kill_once, marker, 4), workers=2, chunk=2)
    with pool:
        table = scenarios.sweep(korea, None, VARY, executor=pool)
    assert marker.exists(), "no worker was killed"
    assert pool.restarts >= 1
    pd.testing.assert_frame_equal(table, serial, check_exact=True)


def test_process_pool_gives_up_on_a_chunk_that_always_kills_its_worker(
    korea: allocator.Instance,
) -> None:
    pool = KillingPool(always_die, workers=1, chunk=10, attempts=2)
    with pool, pytest.raises(execute.WorkerLostError, match="died 2 times"):
        scenarios.sweep(korea, None, VARY, executor=pool)


@pytest.fixture(scope="module")
def cluster_address() -> Iterator[str]:
    """A real LocalCluster: two single-threaded worker processes."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=40
    ) as cluster:
        yield cluster.scheduler_address


def test_dask_equals_serial(
    korea: allocator.Instance, serial: pd.DataFrame, cluster_address: str
) -> None:
    with execute.DaskExecutor(cluster_address, chunk=3) as dask:
        assert dask.workers == 2
        table = scenarios.sweep(korea, None, VARY, executor=dask)
    pd.testing.assert_frame_equal(table, serial, check_exact=True)


def test_dask_with_a_worker_killed_mid_sweep_equals_serial(
    korea: allocator.Instance, serial: pd.DataFrame, cluster_address: str, tmp_path: Path
) -> None:
    marker = tmp_path / "killed"
    dask = KillingDask(partial(kill_once, marker, 4), address=cluster_address, chunk=2)
    with dask:
        table = scenarios.sweep(korea, None, VARY, executor=dask)
    assert marker.exists(), "no worker was killed"
    pd.testing.assert_frame_equal(table, serial, check_exact=True)


class StopAfter(execute.SerialExecutor):
    """In-process, but Ctrl-C comes after `limit` points; counts the points it solved."""

    def __init__(self, limit: int | None = None) -> None:
        self.limit, self.solved = limit, 0
        self.chunk = 3

    def run(self, fn: Callable[[T], Iterable[R]], tasks: Iterable[T]) -> Iterator[R]:
        for item in super().run(fn, tasks):
            if self.limit is not None and self.solved == self.limit:
                raise KeyboardInterrupt
            self.solved += 1
            yield item


def test_an_interrupted_sweep_resumes_to_the_uninterrupted_table(
    korea: allocator.Instance, serial: pd.DataFrame, tmp_path: Path
) -> None:
    out = tmp_path / "sweep.csv"
    with pytest.raises(KeyboardInterrupt):
        scenarios.sweep(korea, None, VARY, out, executor=StopAfter(limit=4))
    assert not out.exists()
    journal = tmp_path / ".sweep.csv.partial"
    assert len(journal.read_text().splitlines()) == 2 + 4  # mark, header, four rows
    with journal.open("a") as handle:
        handle.write("5,9555.5,opti")  # a row torn by the interruption
    with pytest.raises(InputError, match="--resume"):
        scenarios.sweep(korea, None, VARY, out)
    rest = StopAfter()
    table = scenarios.sweep(korea, None, VARY, out, executor=rest, resume=True)
    assert rest.solved == 6
    pd.testing.assert_frame_equal(table, serial, check_exact=True)
    written = pd.read_csv(out)
    pd.testing.assert_frame_equal(serial, written, check_exact=False, rtol=1e-15)
    assert not journal.exists()


def test_resume_refuses_the_journal_of_another_grid(
    korea: allocator.Instance, tmp_path: Path
) -> None:
    out = tmp_path / "sweep.csv"
    with pytest.raises(KeyboardInterrupt):
        scenarios.sweep(korea, None, VARY, out, executor=StopAfter(limit=2))
    other = [scenarios.parse_vary("budget.2026=8000:11000:11")]
    with pytest.raises(InputError, match="different sweep") as caught:
        scenarios.sweep(korea, None, other, out, resume=True)
    assert ".sweep.csv.partial" in str(caught.value)


def test_progress_bar_draws_only_when_asked() -> None:
    bar = execute.Progress(4, enabled=True)
    bar.stream = io.StringIO()
    for _ in range(4):
        bar.advance()
    bar.close()
    text = bar.stream.getvalue()
    assert "4/4" in text
    assert "100%" in text
    assert text.endswith("\n")
    quiet = execute.Progress(4, enabled=False)
    quiet.stream = io.StringIO()
    quiet.advance(4)
    quiet.close()
    assert quiet.stream.getvalue() == ""


def test_executor_choice() -> None:
    assert isinstance(execute.executor_for(10), execute.SerialExecutor)
    assert isinstance(execute.executor_for(10_000, workers=1), execute.SerialExecutor)
    big = execute.PoolExecutor if (os.cpu_count() or 1) > 1 else execute.SerialExecutor
    with execute.executor_for(executors.BIG_BATCH) as default:  # no process starts until it runs
        assert isinstance(default, big)
    with execute.executor_for(10, workers=2) as pool:
        assert isinstance(pool, execute.PoolExecutor)
        assert pool.chunk_size(40) == 5
        assert pool.chunk_size(1000) == executors.MAX_CHUNK
    with pytest.raises(InputError, match="local:N"):
        execute.executor_for(10, dask="somewhere")
    with pytest.raises(InputError, match="whole number"):
        execute.executor_for(10, workers=0)


def test_cli_sweep_on_a_pool_resume_and_bad_options(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "toy.csv"
    args = ["sweep", str(TOY), "--vary", "budget.2026=90:110:5", "--out", str(out), "--quiet"]
    assert main([*args, "--workers", "2"]) == 0
    pooled = pd.read_csv(out)
    assert main([*args, "--workers", "1", "--resume"]) == 2  # the table exists: --force
    assert "--force" in capsys.readouterr().err
    assert main([*args, "--workers", "1", "--resume", "--force"]) == 0  # solves afresh
    pd.testing.assert_frame_equal(pd.read_csv(out), pooled)
    assert list(pooled.point) == [0, 1, 2, 3, 4]
    capsys.readouterr()
    assert main(["sweep", str(TOY), "--vary", "budget.2026=90,110", "--resume"]) == 2
    assert "--resume" in capsys.readouterr().err
    assert main(["sweep", str(TOY), "--vary", "budget.2026=90,110", "--dask", "x"]) == 2
    assert "tcp://HOST:PORT" in capsys.readouterr().err


def _uncertain() -> allocator.Instance:
    """The two-line tiny instance with its budget, x's impact and y's cap drawn."""
    data = tiny()
    data["uncertainty"] = {
        "seed": 3,
        "samples": 10,
        "parameters": [
            {"path": "budget", "dist": "uniform", "low": 0.7, "high": 1.1, "relative": True},
            {"path": "lines.x.impact", "dist": "triangular", "low": 0.5, "mode": 3, "high": 4},
            {"path": "lines.y.max", "dist": "uniform", "low": 10, "high": 100},
        ],
    }
    return allocator.Instance.model_validate(data)


def test_monte_carlo_on_a_pool_and_on_dask_equals_serial(
    cluster_address: str, tmp_path: Path
) -> None:
    """Monte Carlo batches run through the same executors as sweeps: samples in chunks, rows back
    in sample order, the same table to the last bit (and the same CSV file)."""
    inst = _uncertain()
    spec = allocator.ModelSpec(name="m")
    serial = uncertainty.monte_carlo(inst, spec, out=tmp_path / "serial.csv").table
    with execute.PoolExecutor(2, chunk=3) as pool:
        pooled = uncertainty.monte_carlo(inst, spec, executor=pool, out=tmp_path / "pool.csv")
    with execute.DaskExecutor(cluster_address, chunk=2) as dask:
        spread = uncertainty.monte_carlo(inst, spec, executor=dask).table
    pd.testing.assert_frame_equal(pooled.table, serial, check_exact=True)
    pd.testing.assert_frame_equal(spread, serial, check_exact=True)
    assert (tmp_path / "pool.csv").read_text() == (tmp_path / "serial.csv").read_text()
