"""One output policy for every file allocator writes (result folders, CSV and Parquet tables,
workbooks, HTML reports, JSON Schemas, saved instances and models).

- Nothing is overwritten unless it is asked for (`force=True`, `--force`).
- A file the run read (the instance, its CSV tables, the model) is never written over or
  deleted, even with `force`.
- `force` on a folder replaces only the files allocator wrote there, as listed by the folder's
  `manifest.json`; any other file stays, and a folder without that manifest is not replaced.
- Every file is written whole to a staging name beside its target and renamed into place; a
  folder that does not exist yet is staged whole and renamed in one step.
- A lock file beside the target (`.NAME.allocator-lock`, held with `flock` and removed after)
  keeps two runs from writing one target at once: the second is refused. Under the lock the
  target is checked again (the final check), and staging left by a run that was killed is
  removed.
- Files and folders get the permissions the umask gives (not the 0600 of a temporary file).
- Symbolic links are resolved before any check: a link is judged by what it points to.

This module sits in the schema layer because the schema's own writers (`save`, the workbook
writer) use it; the results, report and CLI layers call it for everything else."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
import shutil
import stat
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from allocator.errors import OutputError, OutputExistsError
from allocator.schema.files import file_kind

MANIFEST = "manifest.json"
"""The file of a result folder that lists what allocator wrote there (`outputs`)."""

if TYPE_CHECKING:
    import pandas as pd

try:  # POSIX; elsewhere the lock file alone (created exclusively) keeps writers apart
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]


@dataclass(frozen=True)
class Target:
    """Where an output goes: the name as given, the real path behind it, and the run's rules."""

    given: Path
    path: Path
    """`given` with every symbolic link resolved."""
    force: bool = False
    flag: str = "--out"
    """How the user named the target (`--out`, `--xlsx`, `--audit`, `path`), for messages."""
    inputs: tuple[Path, ...] = ()
    """The files the run read (resolved), which are never written over or deleted."""
    folder: bool = False
    legacy: tuple[str, ...] = ()
    """For a folder whose manifest predates the `outputs` listing: the names allocator wrote."""
    make_parents: bool = False

    @property
    def shown(self) -> str:
        """The target as the user wrote it, with the real path when a link was followed."""
        if Path(os.path.abspath(self.given)) == self.path:
            return str(self.given)
        return f"{self.given} (a link to {self.path})"


def target(
    path: str | Path,
    *,
    force: bool = False,
    inputs: Iterable[str | Path] = (),
    flag: str = "--out",
    folder: bool = False,
    suffixes: tuple[str, ...] = (),
    legacy: tuple[str, ...] = (),
    make_parents: bool = False,
) -> Target:
    """Check an output name before any work is done (the same checks run again, under the lock,
    when it is written). Raises `OutputExistsError` (exists, `force` not given) or `OutputError`
    (an input, a folder where a file is wanted, a device, a folder allocator did not write)."""
    given = Path(path).expanduser()
    real = Path(os.path.realpath(given))
    if suffixes and real.suffix.lower() not in suffixes and given.suffix.lower() not in suffixes:
        names = " or ".join(suffixes)
        raise OutputError(f"{given}: {flag} names a {names} file; give a name ending in {names}")
    resolved = tuple(Path(os.path.realpath(p)) for p in inputs)
    out = Target(given, real, force, flag, resolved, folder, legacy, make_parents)
    _check(out)
    return out


def _check(out: Target) -> None:
    """Every check that does not need the lock."""
    path = out.path
    if not out.make_parents and not path.parent.is_dir():
        raise OutputError(f"{out.shown}: no such folder {path.parent}; create it first")
    if out.folder:
        _check_folder(out)
        return
    for source in out.inputs:
        if _same(source, path):
            raise OutputError(
                f"{out.shown}: this is a file the run reads ({source}); allocator never writes "
                "over its inputs, even with --force; choose another name"
            )
    info = _lstat(path)
    if info is None:
        return
    if stat.S_ISDIR(info.st_mode):
        raise OutputError(f"{out.shown}: is a folder; {out.flag} names a file")
    if not stat.S_ISREG(info.st_mode):
        raise OutputError(
            f"{out.shown}: is {file_kind(info.st_mode)}, not a regular file; choose a file name"
        )
    if not out.force:
        raise OutputExistsError(
            f"{out.shown}: the file exists; pass force=True (--force) to replace it"
        )


def _check_folder(out: Target) -> None:
    path = out.path
    info = _lstat(path)
    if info is None:
        return
    if not stat.S_ISDIR(info.st_mode):
        what = "a file" if stat.S_ISREG(info.st_mode) else file_kind(info.st_mode)
        raise OutputError(f"{out.shown}: is {what}, not a folder; {out.flag} names a folder")
    here = Path.cwd().resolve()
    present = _entries(path)
    if not present:
        return
    if not out.force:
        raise OutputExistsError(
            f"{out.shown}: the output folder exists and is not empty; pass force=True (--force) "
            "to replace it"
        )
    written = written_by_allocator(path, out.legacy)
    if written is None:
        where = " (the current folder)" if path == here else ""
        shown = ", ".join(sorted(present)[:5]) + (", ..." if len(present) > 5 else "")
        raise OutputError(
            f"{out.shown}{where}: holds files allocator did not write ({shown}) and no "
            f"{MANIFEST} of an earlier result; --force replaces only an earlier result folder, "
            "never other files: choose a new or empty folder"
        )
    for name in written:
        for source in out.inputs:
            if _same(source, path / name):
                raise OutputError(
                    f"{out.shown}: {name} is a file the run reads ({source}); allocator never "
                    "writes over its inputs, even with --force; choose another folder"
                )


def written_by_allocator(folder: Path, legacy: tuple[str, ...] = ()) -> list[str] | None:
    """The files of `folder` that its `manifest.json` says allocator wrote (the manifest
    included), or None when the folder has no readable allocator manifest."""
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or "inputs" not in data:
        return None
    listed = data.get("outputs")
    names = list(listed) if isinstance(listed, dict | list) else list(legacy)
    safe = [n for n in names if isinstance(n, str) and n == Path(n).name and n != MANIFEST]
    return [n for n in [*safe, MANIFEST] if (folder / n).exists() or n == MANIFEST]


def hashes(folder: Path) -> dict[str, str]:
    """SHA-256 of every file in a staged folder, by name (the manifest's `outputs`)."""
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file() and p.name != MANIFEST
    }


def write_file(out: Target, write: Callable[[Path], object]) -> Path:
    """`write(staging)` writes the whole file; it is then renamed onto the target under the
    policy. Returns the target's name as given."""
    with claim(out) as held:
        staging = held.staging()
        write(staging)
        held.commit(staging)
    return out.given


def write_folder(out: Target, write: Callable[[Path], object]) -> Path:
    """`write(staging)` fills a staging folder; its files then replace the target's under the
    policy (a new folder is renamed into place whole)."""
    with claim(out) as held:
        staging = held.staging()
        write(staging)
        held.commit(staging)
    return out.given


@dataclass
class Claim:
    """A target held under its lock: staging names for it, and the commit."""

    out: Target
    token: str = field(default_factory=lambda: f"{os.getpid()}-{secrets.token_hex(4)}")
    _staged: list[Path] = field(default_factory=list)

    def staging(self) -> Path:
        """A fresh staging name beside the target (a folder for a folder target), created empty
        with the umask's permissions."""
        path = self.out.path
        name = f".{path.name}.allocator-staging-{self.token}-{len(self._staged)}{path.suffix}"
        staged = path.with_name(name)
        if self.out.folder:
            staged.mkdir(0o777)
        else:
            os.close(os.open(staged, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
        self._staged.append(staged)
        return staged

    def commit(self, staged: Path) -> None:
        """Put the staged file (or folder) in place, after the final check."""
        _check(self.out)
        if self.out.folder:
            _commit_folder(self.out, staged)
        else:
            _commit_file(self.out, staged)

    def discard(self) -> None:
        for staged in self._staged:
            _remove(staged)


@contextlib.contextmanager
def claim(out: Target) -> Iterator[Claim]:
    """Hold the target's lock while the block writes it; staging the block leaves uncommitted is
    removed, and so is staging left by earlier runs that were killed."""
    if out.make_parents:
        out.path.parent.mkdir(parents=True, exist_ok=True)
    with _lock(out):
        _clean_stale(out)
        held = Claim(out)
        try:
            yield held
        finally:
            held.discard()


def _commit_file(out: Target, staged: Path) -> None:
    if out.force:
        os.replace(staged, out.path)
        return
    try:
        os.link(staged, out.path)  # fails if the name appeared meanwhile: never clobbers
    except FileExistsError:
        raise OutputExistsError(
            f"{out.shown}: the file appeared while this run was writing; pass force=True "
            "(--force) to replace it"
        ) from None
    except OSError:  # a file system without hard links: the final check above stands
        os.replace(staged, out.path)
        return
    staged.unlink()


def _commit_folder(out: Target, staged: Path) -> None:
    path = out.path
    if not path.exists():
        try:
            os.rename(staged, path)
        except OSError:
            raise OutputExistsError(
                f"{out.shown}: the folder appeared while this run was writing; pass "
                "force=True (--force) to replace it"
            ) from None
        return
    old = written_by_allocator(path, out.legacy) or []
    new = sorted(p.name for p in staged.iterdir())
    for name in new:
        if (path / name).exists() and name not in old:
            raise OutputError(
                f"{out.shown}: {name} exists and allocator did not write it (its {MANIFEST} does "
                "not list it, or an earlier run was interrupted); move it away and run again"
            )
    for name in new:
        if name != MANIFEST:
            os.replace(staged / name, path / name)
    for name in old:
        if name not in new and name != MANIFEST:
            (path / name).unlink(missing_ok=True)
    if MANIFEST in new:
        os.replace(staged / MANIFEST, path / MANIFEST)
    shutil.rmtree(staged, ignore_errors=True)


def _clean_stale(out: Target) -> None:
    """Remove staging of this target left behind by a run that was killed (under the lock, no
    other run can be writing it)."""
    prefix = f".{out.path.name}.allocator-staging-"
    with contextlib.suppress(OSError):
        for entry in out.path.parent.iterdir():
            if entry.name.startswith(prefix):
                _remove(entry)


@contextlib.contextmanager
def _lock(out: Target) -> Iterator[None]:
    """The target's lock file, held exclusively; a second run is refused at once."""
    lock = out.path.with_name(f".{out.path.name}.allocator-lock")
    busy = OutputError(
        f"{out.shown}: another allocator run is writing it now ({lock.name} is held); wait for "
        "it to finish or choose another name"
    )
    while True:
        try:
            flags = os.O_RDWR | os.O_CREAT | (0 if fcntl else os.O_EXCL)
            fd = os.open(lock, flags, 0o666)
        except FileExistsError:
            raise busy from None
        except OSError as exc:
            raise OutputError(
                f"{out.shown}: cannot write in {lock.parent} ({exc.strerror or exc}); check the "
                "folder and its permissions"
            ) from None
        if fcntl is None:
            break
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise busy from None
        try:  # the previous holder may have removed the file after this run opened it
            current = os.stat(lock).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            current = False
        if current:
            break
        os.close(fd)
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(lock)
        os.close(fd)


def _same(a: Path, b: Path) -> bool:
    """Whether two names are one file (the same path, or hard links to one inode)."""
    if a == b:
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _lstat(path: Path) -> os.stat_result | None:
    try:
        return os.stat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise OutputError(f"{path}: cannot be checked ({exc.strerror or exc})") from None


def _entries(folder: Path) -> list[str]:
    try:
        return [p.name for p in folder.iterdir()]
    except OSError as exc:
        raise OutputError(f"{folder}: cannot be read ({exc.strerror or exc})") from None


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(OSError):
            path.unlink()


# -- CSV cells a spreadsheet would run as formulas ------------------------------------------------

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""A text cell starting with one of these is a formula to Excel, LibreOffice and Google Sheets
(OWASP, "CSV injection")."""
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def safe_cell(value: Any) -> Any:
    """A text cell that a spreadsheet would run as a formula, with a single quote in front (so
    it shows as the text it is); numbers, and text that is a plain number, unchanged."""
    starts = isinstance(value, str) and value.startswith(FORMULA_START)
    if starts and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def safe_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """A CSV row (a mapping) with its text cells made safe."""
    return {key: safe_cell(value) for key, value in row.items()}


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with every text cell (and column name) made safe; numeric columns untouched."""
    out = frame
    for column in frame.columns:
        if frame[column].dtype == object or str(frame[column].dtype) in ("string", "str"):
            values = frame[column]
            if any(isinstance(v, str) and v.startswith(FORMULA_START) for v in values):
                out = out.copy() if out is frame else out
                out[column] = values.map(safe_cell)
    if any(isinstance(c, str) and c.startswith(FORMULA_START) for c in frame.columns):
        out = out.rename(columns={c: safe_cell(c) for c in frame.columns if isinstance(c, str)})
    return out


def to_csv(frame: pd.DataFrame, path: Path) -> None:
    """Write `frame` as CSV (no index) with its text cells made safe."""
    safe_frame(frame).to_csv(path, index=False)
