"""The `allocator` command. Exit codes: 0 optimal and verified; 1 solved but no verified optimum
(the status in plain words); 2 bad input (the message, never a traceback)."""

from __future__ import annotations

import argparse
import atexit
import gc
import os
import sys
import threading
import warnings
from collections.abc import Sequence
from typing import NoReturn, TextIO

from allocator.cli import files, plans, solving, whatif
from allocator.cli.common import EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_NOT_OPTIMAL, EXIT_OK
from allocator.errors import AllocatorError, printable
from allocator.solver.status import Status

# The commands import the solving, analysis and report layers when they run (not at the top), so
# `allocator validate` and `allocator schema` never load Pyomo, HiGHS or SciPy.


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = _parser().parse_args(argv)
    saved = os.environ.get("ALLOCATOR_ALLOW_OUTSIDE")
    if getattr(args, "allow_outside", False):  # read by the loaders (and worker processes)
        os.environ["ALLOCATOR_ALLOW_OUTSIDE"] = "1"
    frozen = gc.get_freeze_count()
    try:
        return _run(args)
    finally:
        if saved is None:
            os.environ.pop("ALLOCATOR_ALLOW_OUTSIDE", None)
        else:
            os.environ["ALLOCATOR_ALLOW_OUTSIDE"] = saved
        if not frozen:  # what the command set aside (`common.kept_aside`): the collector's again
            gc.unfreeze()


def run() -> NoReturn:
    """The `allocator` program: `main`, then the process ends. When nothing else runs (no other
    thread, so no worker pool), it ends the way mypy's does: output flushed and exit handlers run,
    then `os._exit`, leaving the heap to the operating system instead of freeing it object by
    object (0.3-0.5 s of a 10,000-line solve's process). Every file allocator writes is closed
    before `main` returns. Allocator's own HiGHS thread, waiting for work, does not count."""
    code = main()
    if _others_running():
        sys.exit(code)
    try:
        sys.stdout.flush()
    except BrokenPipeError:  # the reader stopped reading; what it did not read is dropped
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    sys.stderr.flush()
    atexit._run_exitfuncs()
    os._exit(code)


def _others_running() -> bool:
    """Whether a thread runs besides the main one and allocator's HiGHS threads (which, the
    solve over, only wait for the next run)."""
    runner = sys.modules.get("allocator.solver.runner")
    kept = getattr(runner, "THREAD_NAME", None)
    main_thread = threading.main_thread()
    return any(t is not main_thread and t.name != kept for t in threading.enumerate())


def _run(args: argparse.Namespace) -> int:
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _show_warning
            code: int = args.run(args)
        return code
    except AllocatorError as exc:
        print(f"allocator: {printable(str(exc))}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:  # the reader stopped reading (`allocator solve ... | head`)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except KeyboardInterrupt:  # before or after HiGHS runs; during the solve HiGHS stops itself
        print(f"{Status.interrupted.describe()}; nothing was written")
        return EXIT_NOT_OPTIMAL
    except Exception as exc:  # the CLI never shows a traceback unless asked to
        if os.environ.get("ALLOCATOR_DEBUG"):
            raise
        print(
            f"allocator: internal error: {type(exc).__name__}: {printable(str(exc))} "
            "(set ALLOCATOR_DEBUG=1 for the traceback)",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    """A warning as one line of words (`allocator: warning: ...`), without Python's file, line
    number and source line."""
    print(f"allocator: warning: {printable(str(message))}", file=file or sys.stderr)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="allocator", description=__doc__)
    commands = parser.add_subparsers(required=True, metavar="COMMAND")
    for group in (solving, plans, whatif, files):
        group.register(commands)
    for command in commands.choices.values():
        if any(action.dest == "instance" for action in command._actions):
            command.add_argument(
                "--allow-outside",
                action="store_true",
                help="read the files an instance names (CSV tables, model) from anywhere, not "
                "only its folder (tables) or the folder holding it (model)",
            )
    return parser
