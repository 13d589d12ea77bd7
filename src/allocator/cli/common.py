"""Exit codes and small helpers the commands share."""

from pathlib import Path

import pandas as pd

from allocator.schema import output

EXIT_OK, EXIT_NOT_OPTIMAL, EXIT_BAD_INPUT, EXIT_INTERNAL = 0, 1, 2, 3

FORCE_HELP = (
    "replace an existing output (never an input of the run, never files allocator did not write)"
)


def write_csv(target: output.Target, frame: pd.DataFrame) -> Path:
    """Write `frame` as CSV to a checked target under the output policy (text cells made safe)."""
    return output.write_file(target, lambda staged: output.to_csv(frame, staged))
