"""Reading instance and model files (YAML, with large tables in CSV) into validated objects.

Every problem in a file is reported together, each with the file, the field path, the value and
what is allowed."""

from __future__ import annotations

import csv
import hashlib
import unicodedata
import warnings
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel

from allocator.errors import MISSING, InputError, InputWarning, Issue
from allocator.schema import output
from allocator.schema.collector import collector_paused
from allocator.schema.columns import prevalidated
from allocator.schema.csvlines import LIST_COLUMNS, header_issues, read_lines
from allocator.schema.files import (
    allowed_outside,
    check_readable,
    describe,
    is_file,
    read_text,
    read_yaml,
    reference,
    sha256,
)
from allocator.schema.instance import Instance, Line
from allocator.schema.model import ModelSpec, model_problems
from allocator.schema.validate import TABLE_FIELDS, Table, validate

M = TypeVar("M", bound=BaseModel)


MODEL_SUFFIXES = (".yaml", ".yml", ".xlsx", ".xlsm")
"""What an instance's `model:` may name: a model file (YAML, or a workbook's model sheets)."""


def load_instance(path: str | Path, *, allow_outside: bool | None = None) -> Instance:
    """Read and validate an instance file; tables named as `.csv` are read from its folder (or a
    folder below it). A `.xlsx` workbook is read by `allocator.schema.excel`.

    Files the instance names must lie in its folder (CSV tables) or in the folder that holds
    it (the `model:`, for the layout `instances/` beside `models/`), unless `allow_outside` is
    True (default: the environment variable ALLOCATOR_ALLOW_OUTSIDE, which `--allow-outside`
    sets)."""
    path, allow = Path(path), allowed_outside(allow_outside)
    with collector_paused():
        try:
            return _load_instance(path, allow, by_columns=True)
        except _ReadAgainError:
            return _load_instance(path, allow, by_columns=False)


class _ReadAgainError(Exception):
    """A problem in an instance whose lines CSV was read by columns: it is read again row by
    row, whose reading locates every problem to its file, row and column."""


def _load_instance(path: Path, allow: bool, *, by_columns: bool) -> Instance:
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from allocator.schema.excel.read import read_instance  # lazy: openpyxl loads on use

        inst = read_instance(path)
        inst._allow_outside = allow
        return inst
    data = read_yaml(path, "instance")
    _refuse_other_kind(path, data, "instance")
    files = {str(path): sha256(path)}
    tables: dict[str, Table] = {}
    columns_read = False
    issues: list[Issue] = []
    for field in TABLE_FIELDS:
        value = data.get(field)
        if not isinstance(value, str):
            continue
        if not value.lower().endswith(".csv"):
            issues.append(
                Issue(
                    str(path),
                    field,
                    value,
                    f"expected a list of {field} or the name of a CSV file ending in .csv "
                    f"(read from the instance's folder), such as {field}.csv",
                )
            )
            continue
        table, outside = reference(
            path.parent, value, roots=[path.parent], allow=allow, what="CSV tables are read"
        )
        if outside is not None:
            issues.append(Issue(str(path), field, value, outside))
            continue
        if not is_file(table):
            kind = describe(table)
            what = f"no such file: {table}" if kind == "file not found" else f"{table} is {kind}"
            issues.append(
                Issue(
                    str(path),
                    field,
                    value,
                    f"{what} (CSV tables are read from the instance's folder); fix the name or "
                    "list the entries in the YAML",
                )
            )
            continue
        read = None
        if by_columns and field == "lines":
            read = _read_by_columns(table, data.get("currency_unit", "bn_krw"))
        if read is not None:
            data[field], files[str(table)] = read
            by_columns = False  # read: a problem from here on is located by reading again
            columns_read = True
            continue
        try:
            data[field], lines = _read_rows(table)
        except InputError as exc:
            issues.extend(exc.issues)
            continue
        tables[field] = Table(table, lines)
        files[str(table)] = sha256(table)
    if issues:
        if columns_read:
            raise _ReadAgainError
        raise InputError(issues)
    try:
        inst = validate(Instance, data, str(path), tables, prepare=prevalidated)
    except InputError:
        if columns_read:
            raise _ReadAgainError from None
        raise
    inst._files = files
    inst._allow_outside = allow
    return inst


def _read_by_columns(table: Path, unit: Any) -> tuple[list[Line], str] | None:
    """A lines CSV read by columns (`csvlines`), with its hash; None where it must be read row
    by row (a file that cannot be read included: the row reading says why)."""
    try:
        check_readable(table)
        raw = table.read_bytes()
        text = raw.decode("utf-8-sig")
    except (InputError, OSError, UnicodeDecodeError):
        return None
    lines = read_lines(table, text, unit)
    return None if lines is None else (lines, hashlib.sha256(raw).hexdigest())


def load_model(path: str | Path, *, quote: bool = True) -> ModelSpec:
    """Read and validate a model (policy regime) file (YAML, or the sheets of a `.xlsx`).
    `quote=False` when another file named it: a file that is no YAML mapping is then refused
    without showing what it holds."""
    path = Path(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from allocator.schema.excel.read import read_model  # lazy: openpyxl loads on use

        return read_model(path)
    data = read_yaml(path, "model", quote=quote)
    _refuse_other_kind(path, data, "model")
    model = validate(ModelSpec, data, str(path))
    model._files = {str(path): sha256(path)}
    return model


def load_default_model(inst: Instance) -> ModelSpec:
    """Load the model file named by the instance's `model:` (a missing, misnamed or out-of-place
    file is the instance's error, named at `model`; the file's contents are never shown)."""
    path = default_model_path(inst)
    instance_file = next(iter(inst.files), inst.name)
    if path is None:
        raise InputError(
            [
                Issue(
                    instance_file,
                    "model",
                    None,
                    "no model given and the instance names no default `model:` file; add "
                    "`model: FILE.yaml` to the instance or pass a model (--model FILE.yaml)",
                )
            ]
        )
    problem = None
    if path.suffix.lower() not in MODEL_SUFFIXES:
        problem = (
            f"{path} is not a model file (a model is {', '.join(MODEL_SUFFIXES)}); fix the path "
            "or pass a model (--model FILE.yaml)"
        )
    else:
        files = list(inst.files)
        base = Path(files[0]).parent if files else Path.cwd()
        _, problem = reference(
            base,
            str(inst.model),
            roots=[base.parent],
            allow=inst._allow_outside,
            what="an instance's model is read",
        )
    if problem is None and not is_file(path):
        kind = describe(path)
        what = f"no such model file: {path}" if kind == "file not found" else f"{path} is {kind}"
        problem = (
            f"{what} (read relative to the instance's folder); fix the path or pass a model "
            "(--model FILE.yaml)"
        )
    if problem is not None:
        raise InputError([Issue(instance_file, "model", inst.model, problem)])
    return load_model(path, quote=False)


def save(obj: Instance | ModelSpec, path: str | Path, *, force: bool = False) -> Path:
    """Write an instance or model back as YAML (tables inline), or as a workbook for a `.xlsx`
    name; loading it gives an equal object. An existing file is replaced only with `force`
    (`allocator.schema.output`)."""
    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        from allocator.schema.excel.write import write_workbook  # lazy: openpyxl

        if isinstance(obj, Instance):
            return write_workbook(path, instance=obj, force=force)
        return write_workbook(path, model=obj, force=force)
    data = obj.model_dump(mode="python", exclude_defaults=True)
    if isinstance(obj, Instance):
        data = {"name": obj.name, "years": obj.years, **data}
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    out = output.target(path, force=force, flag="path")
    return output.write_file(out, lambda staged: staged.write_text(text, encoding="utf-8"))


INSTANCE_KEYS = {"lines", "budget", "pillars", "years", "kpis", "private_pool", "funds"}
MODEL_KEYS = {"objective", "rules", "must_spend", "levels"}
SCENARIO_KEYS = {"changes"}


def file_kind(data: dict[str, Any]) -> str | None:
    """What a file's top-level keys say it is: `instance`, `model`, `scenario`, or None."""
    keys = set(data)
    for kind, marks in (
        ("instance", INSTANCE_KEYS),
        ("model", MODEL_KEYS),
        ("scenario", SCENARIO_KEYS),
    ):
        if keys & marks:
            return kind
    return None


HOW = {
    "instance": "pass it as the instance (the first argument: allocator solve INSTANCE)",
    "model": "pass it with --model (allocator solve INSTANCE --model MODEL)",
    "scenario": "pass it to allocator compare INSTANCE SCENARIO...",
}


def _refuse_other_kind(path: Path, data: dict[str, Any], wanted: str) -> None:
    """A model given where an instance is wanted (and so on) is one clear error, not a list of
    missing and unknown fields."""
    kind = file_kind(data)
    if kind is None or kind == wanted:
        return
    raise InputError(
        [
            Issue(
                str(path),
                "",
                MISSING,
                f"this is {'an' if kind == 'instance' else 'a'} {kind} file, not "
                f"{'an' if wanted == 'instance' else 'a'} {wanted}; "
                f"{HOW[kind]}",
            )
        ]
    )


def resolve_model(inst: Instance, model: ModelSpec | str | Path | None) -> ModelSpec:
    """The model to use: the one given, or the instance's default `model:` file."""
    if isinstance(model, ModelSpec):
        spec = model
    elif model is not None:
        spec = load_model(model)
    else:
        spec = load_default_model(inst)
    model_file = next(iter(spec.files), spec.name)
    check_model(spec, inst, model_file)
    issue = None if _is_default(spec, inst) else weight_warning(spec, inst, model_file)
    if issue is not None and str(issue) not in _WARNED:
        _WARNED.add(str(issue))
        warnings.warn(InputWarning(str(issue)), stacklevel=2)
    return spec


def _is_default(spec: ModelSpec, inst: Instance) -> bool:
    """Whether `spec` is read from the model file the instance itself names: its author paired
    them, so weights on KPIs the instance targets only in other horizons are no surprise (the
    solve output says which weights count)."""
    own = default_model_path(inst)
    return own is not None and any(Path(f).resolve() == own.resolve() for f in spec.files)


_WARNED: set[str] = set()
"""Warnings already given in this process (a sweep resolves its model once per point)."""


def weight_warning(model: ModelSpec, inst: Instance, model_file: str = "model") -> Issue | None:
    """The weights the model puts on KPIs that have no target in the instance: they weigh
    nothing (a shortfall is measured below a target), which is worth a warning."""
    if model.objective == "min_cost":
        return None
    targeted = {t.kpi for t in inst.targets}
    idle = [kpi for kpi in model.targets.weights if kpi not in targeted]
    if not idle:
        return None
    named = ", ".join(idle)
    verb = "has" if len(idle) == 1 else "have"
    weights = "its weight does" if len(idle) == 1 else "their weights do"
    return Issue(
        model_file,
        "targets.weights",
        MISSING,
        f"{named} {verb} no target in {inst.name}, so {weights} nothing here; give the "
        "instance targets for them or drop the weights",
    )


def default_model_path(inst: Instance) -> Path | None:
    """The model file an instance names, resolved beside the instance file."""
    if inst.model is None:
        return None
    files = list(inst.files)
    base = Path(files[0]).parent if files else Path.cwd()
    return base / inst.model


def check_model(model: ModelSpec, inst: Instance, model_file: str = "model") -> None:
    """Raise `InputError` when the model names pillars, groups or KPIs the instance lacks."""
    problems = model_problems(model, inst)
    if problems:
        issues = [Issue(model_file, p, v, msg) for p, v, msg in problems]
        if Path(model_file).suffix.lower() in (".xlsx", ".xlsm"):
            from allocator.schema.excel.read import locate_model_issues  # lazy: openpyxl

            issues = locate_model_issues(Path(model_file), issues)
        raise InputError(issues)


def read_table(path: Path) -> list[dict[str, Any]]:
    """Rows of a CSV table as nested dicts: `min.2027` → {"min": {"2027": ...}}; blank = default."""
    check_readable(path)
    return _read_rows(path)[0]


def _read_rows(path: Path) -> tuple[list[dict[str, Any]], list[int]]:
    """The rows of a CSV table, and the line of the file each row starts on."""
    text = read_text(path)
    rows: list[dict[str, Any]] = []
    starts: list[int] = []
    issues: list[Issue] = []
    reader = csv.reader(text.splitlines(keepends=True))
    try:
        header = [unicodedata.normalize("NFC", h).strip() for h in next(reader, [])]
        issues += header_issues(path, header)
        if issues:
            raise InputError(issues)
        while True:
            number = reader.line_num + 1
            cells = next(reader, None)
            if cells is None:
                break
            if not any(c.strip() for c in cells):
                continue
            if len(cells) > len(header):
                issues.append(
                    Issue(
                        str(path),
                        f"row {number}",
                        ",".join(cells),
                        f"{len(cells)} cells for {len(header)} columns; put a cell holding a "
                        'comma in quotes ("1,200") or remove the extra cells',
                    )
                )
                continue
            if len(cells) < len(header):
                issues.append(
                    Issue(
                        str(path),
                        f"row {number}",
                        ",".join(cells),
                        f"{len(cells)} cells for {len(header)} columns; give every column a "
                        "cell, leaving a blank one empty between its commas (x,Line X,a,,,)",
                    )
                )
                continue
            row, row_issues = _row(path, number, header, cells)
            issues += row_issues
            rows.append(row)
            starts.append(number)
    except csv.Error as exc:
        raise InputError(
            [Issue(str(path), f"row {reader.line_num}", MISSING, f"not a valid CSV file: {exc}")]
        ) from None
    if issues:
        raise InputError(issues)
    return rows, starts


def _row(
    path: Path, number: int, header: list[str], cells: list[str]
) -> tuple[dict[str, Any], list[Issue]]:
    """One CSV row as a nested dict (`min.2027` → {"min": {"2027": ...}}), with its problems."""
    row: dict[str, Any] = {}
    issues: list[Issue] = []
    for (column, parents, leaf), cell in zip(_plan(tuple(header)), cells, strict=False):
        cell = cell.strip()
        if not cell:
            continue
        value: Any = (
            [x.strip() for x in cell.split(";") if x.strip()] if leaf in LIST_COLUMNS else cell
        )
        if not parents and leaf not in row:  # a plain column (the usual case)
            row[leaf] = value
            continue
        target = row
        for key in parents:
            nested = target.setdefault(key, {})
            if not isinstance(nested, dict):
                issues.append(
                    Issue(
                        str(path),
                        f"row {number}, column {column}",
                        cell,
                        f"column {key!r} already gives one figure for every year; leave "
                        f"either {key} or {column} blank in this row",
                    )
                )
                break
            target = nested
        else:
            if isinstance(target.get(leaf), dict):
                issues.append(
                    Issue(
                        str(path),
                        f"row {number}, column {column}",
                        cell,
                        f"columns {column}.YEAR already give figures per year; leave either "
                        f"{column} or {column}.YEAR blank in this row",
                    )
                )
            target[leaf] = value
    return row, issues


@lru_cache(maxsize=64)
def _plan(header: tuple[str, ...]) -> list[tuple[str, list[str], str]]:
    """Each column of a header as (name, parent keys, leaf key): `min.2027` → (.., ["min"],
    "2027"); worked out once per table, not per cell."""
    out: list[tuple[str, list[str], str]] = []
    for column in header:
        *parents, leaf = column.split(".")
        out.append((column, parents, leaf))
    return out
