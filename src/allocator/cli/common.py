"""Exit codes and small helpers the commands share."""

from pathlib import Path

import pandas as pd

EXIT_OK, EXIT_NOT_OPTIMAL, EXIT_BAD_INPUT, EXIT_INTERNAL = 0, 1, 2, 3


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """Write `frame` as CSV through a temporary twin, renamed into place."""
    tmp = path.with_name(f".{path.name}.tmp")
    frame.to_csv(tmp, index=False)
    tmp.replace(path)
