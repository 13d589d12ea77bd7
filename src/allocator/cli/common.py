"""Exit codes and small helpers the commands share: CSV output, progress bars."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from allocator.schema import output
from allocator.schema.collector import collector_paused

if TYPE_CHECKING:
    import pandas as pd

EXIT_OK, EXIT_NOT_OPTIMAL, EXIT_BAD_INPUT, EXIT_INTERNAL = 0, 1, 2, 3

FORCE_HELP = (
    "replace an existing output (never an input of the run, never files allocator did not write)"
)


@contextmanager
def kept_aside() -> Iterator[None]:
    """The cycle collector off while a command reads its files and solves (many objects, next to
    no cycles), and what is alive at the end set aside from its walks (`gc.freeze`) until `main`
    returns: the instance, model and answer live that long, and each collection would walk them
    again (at 10,000 lines 94 ms of collections in `allocator solve`, 44-50 ms of it one full
    collection while the text was made; 12 ms now). Nothing is set aside where something else
    has set objects aside already (the freeze is the process's)."""
    owned = gc.get_freeze_count() == 0
    with collector_paused():
        yield
        if owned:
            gc.freeze()


def write_csv(target: output.Target, frame: pd.DataFrame) -> Path:
    """Write `frame` as CSV to a checked target under the output policy (text cells made safe)."""
    return output.write_file(target, lambda staged: output.to_csv(frame, staged))


class progress_bar:  # noqa: N801 - used as a context manager, like open()
    """A `progress(done, total)` callback drawing the executors' bar on stderr (on a terminal,
    unless `quiet`), closed at the end of the `with` block."""

    def __init__(self, quiet: bool = False, what: str = "solves") -> None:
        self.quiet, self.what = quiet, what
        self.bar: Any = None

    def __call__(self, done: int, total: int) -> None:
        if self.quiet:
            return
        if self.bar is None:
            from allocator.execute.executors import Progress

            self.bar = Progress(total, what=self.what)
        self.bar.total = total
        self.bar.advance(done - self.bar.done)

    def __enter__(self) -> progress_bar:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None and self.bar.done:
            self.bar.close()
