"""Execute layer: where batches of solves run (in-process, a local process pool, or Dask), with
progress, and the journal that makes sweeps resumable."""

from allocator.execute.executors import (
    DaskExecutor,
    Executor,
    PoolExecutor,
    Progress,
    SerialExecutor,
    WorkerLostError,
    executor_for,
)
from allocator.execute.journal import SweepChunk, run_sweep

__all__ = [
    "DaskExecutor",
    "Executor",
    "PoolExecutor",
    "Progress",
    "SerialExecutor",
    "SweepChunk",
    "WorkerLostError",
    "executor_for",
    "run_sweep",
]
