"""Reading instance and model files (YAML, with large tables in CSV) into validated objects.

Every problem in a file is reported together, each with the file, the field path, the value and
what is allowed."""

from __future__ import annotations

import csv
import hashlib
import types
import typing
from difflib import get_close_matches
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from allocator.errors import MISSING, InputError, Issue
from allocator.schema.instance import CrossReferenceError, Instance
from allocator.schema.model import RULE_KINDS, ModelSpec, model_problems

M = TypeVar("M", bound=BaseModel)
TABLE_FIELDS = ("pillars", "kpis", "lines", "targets", "sources")
"""Instance fields that may name a CSV file instead of listing their rows inline."""
LIST_COLUMNS = ("requires", "groups")
"""CSV columns holding lists, written with `;` between the items."""


def load_instance(path: str | Path) -> Instance:
    """Read and validate an instance file; tables named as `.csv` are read from beside it."""
    path = Path(path)
    data = _read_yaml(path)
    files = {str(path): _sha256(path)}
    tables: dict[str, Path] = {}
    issues: list[Issue] = []
    for field in TABLE_FIELDS:
        value = data.get(field)
        if isinstance(value, str) and value.lower().endswith(".csv"):
            table = path.parent / value
            try:
                data[field] = read_table(table)
            except InputError as exc:
                issues.extend(exc.issues)
                continue
            tables[field] = table
            files[str(table)] = _sha256(table)
    if issues:
        raise InputError(issues)
    inst = validate(Instance, data, str(path), tables)
    inst._files = files
    return inst


def load_model(path: str | Path) -> ModelSpec:
    """Read and validate a model (policy regime) file."""
    path = Path(path)
    model = validate(ModelSpec, _read_yaml(path), str(path))
    model._files = {str(path): _sha256(path)}
    return model


def save(obj: Instance | ModelSpec, path: str | Path) -> Path:
    """Write an instance or model back as YAML (tables inline); loading it gives an equal object."""
    path = Path(path)
    data = obj.model_dump(mode="python", exclude_defaults=True)
    if isinstance(obj, Instance):
        data = {"name": obj.name, "years": obj.years, **data}
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path


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
        raise InputError([Issue(model_file, p, v, msg) for p, v, msg in problems])


def validate(
    cls: type[M], data: Any, file: str = "<data>", tables: dict[str, Path] | None = None
) -> M:
    """`cls.model_validate(data)` with every pydantic error turned into a located `Issue`."""
    try:
        return cls.model_validate(data)
    except ValidationError as exc:
        raise InputError(_issues(cls, exc, data, file, tables or {})) from None


def read_table(path: Path) -> list[dict[str, Any]]:
    """Rows of a CSV table as nested dicts: `min.2027` → {"min": {"2027": ...}}; blank = default."""
    if not path.is_file():
        raise InputError([Issue(str(path), "", MISSING, "file not found")])
    rows: list[dict[str, Any]] = []
    issues: list[Issue] = []
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        header = [h.strip() for h in next(reader, [])]
        if not header or any(not h for h in header):
            raise InputError(
                [Issue(str(path), "line 1", header, "the header needs a name per column")]
            )
        for number, cells in enumerate(reader, start=2):
            if not any(c.strip() for c in cells):
                continue
            if len(cells) > len(header):
                issues.append(
                    Issue(
                        str(path),
                        f"line {number}",
                        cells,
                        f"{len(cells)} cells for {len(header)} columns",
                    )
                )
                continue
            row: dict[str, Any] = {}
            for column, cell in zip(header, cells, strict=False):
                cell = cell.strip()
                if not cell:
                    continue
                *parents, leaf = column.split(".")
                value: Any = (
                    [x.strip() for x in cell.split(";") if x.strip()]
                    if leaf in LIST_COLUMNS
                    else cell
                )
                target = row
                for key in parents:
                    nested = target.setdefault(key, {})
                    if not isinstance(nested, dict):
                        issues.append(
                            Issue(
                                str(path),
                                f"line {number}, column {column}",
                                cell,
                                f"column {key!r} already gives one figure for every year",
                            )
                        )
                        break
                    target = nested
                else:
                    if isinstance(target.get(leaf), dict):
                        issues.append(
                            Issue(
                                str(path),
                                f"line {number}, column {column}",
                                cell,
                                f"per-year columns {column}.YEAR already given",
                            )
                        )
                    target[leaf] = value
            rows.append(row)
    if issues:
        raise InputError(issues)
    return rows


def _read_yaml(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise InputError([Issue(str(path), "", MISSING, "file not found")])
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputError([Issue(str(path), where, MISSING, f"not valid YAML: {problem}")]) from None
    except UnicodeDecodeError as exc:
        raise InputError([Issue(str(path), "", MISSING, f"not UTF-8 text: {exc.reason}")]) from None
    if not isinstance(data, dict):
        raise InputError([Issue(str(path), "", MISSING, "expected a mapping of keys to values")])
    return data


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _issues(
    cls: type[BaseModel], exc: ValidationError, data: Any, file: str, tables: dict[str, Path]
) -> list[Issue]:
    issues: list[Issue] = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        error = err.get("ctx", {}).get("error")
        if isinstance(error, CrossReferenceError):
            for path, value, problem in error.problems:
                full = loc + tuple(_split_path(path))
                issues.append(_issue(full, value, problem, data, file, tables))
            continue
        value = err.get("input", MISSING) if err["type"] != "missing" else MISSING
        issues.append(_issue(loc, value, _message(cls, err, loc), data, file, tables))
    return issues


def _split_path(path: str) -> list[str | int]:
    parts: list[str | int] = []
    for piece in path.replace("]", "").replace("[", ".").split("."):
        if piece:
            parts.append(
                int(piece) if piece.isdigit() and parts and parts[-1] in TABLE_FIELDS else piece
            )
    return parts


def _issue(
    loc: tuple[Any, ...], value: Any, problem: str, data: Any, file: str, tables: dict[str, Path]
) -> Issue:
    loc = tuple(
        p for i, p in enumerate(loc) if not (p in RULE_KINDS and i and isinstance(loc[i - 1], int))
    )
    if loc and loc[0] in tables and len(loc) > 1 and isinstance(loc[1], int):
        row = _item(data, loc[:2])
        ident = f" ({row['id']})" if isinstance(row, dict) and "id" in row else ""
        column = ".".join(str(p) for p in loc[2:])
        where = f"row {loc[1] + 2}{ident}" + (f", column {column}" if column else "")
        return Issue(str(tables[loc[0]]), where, value, problem)
    return Issue(file, _format_loc(loc, data), value, problem)


def _format_loc(loc: tuple[Any, ...], data: Any) -> str:
    text = ""
    for i, part in enumerate(loc):
        if isinstance(part, int) and i:
            siblings = _item(data, loc[:i])
            ids = (
                [x.get("id") for x in siblings if isinstance(x, dict)]
                if isinstance(siblings, list)
                else []
            )
            key = ids[part] if part < len(ids) else None
            unique = isinstance(key, str | int) and ids.count(key) == 1
            text += f"[{key}]" if unique else f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def _item(data: Any, loc: tuple[Any, ...]) -> Any:
    for part in loc:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _message(cls: type[BaseModel], err: Any, loc: tuple[Any, ...]) -> str:
    kind, msg = err["type"], str(err["msg"])
    for prefix in ("Value error, ", "Assertion failed, "):
        msg = msg.removeprefix(prefix)
    if kind == "extra_forbidden":
        allowed = _fields_at(cls, loc[:-1])
        close = get_close_matches(str(loc[-1]), allowed, n=1)
        guess = f"did you mean {close[0]!r}? " if close else ""
        return f"unknown key; {guess}allowed keys: {', '.join(allowed)}"
    if kind == "union_tag_invalid":
        tag = str(err.get("ctx", {}).get("tag", ""))
        close = get_close_matches(tag, list(RULE_KINDS), n=1)
        guess = f"did you mean {close[0]!r}? " if close else ""
        return f"unknown rule kind; {guess}known kinds: {', '.join(RULE_KINDS)}"
    if kind == "missing":
        return "required field is missing"
    return msg


def _fields_at(cls: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    current: type[BaseModel] | None = cls
    for part in loc:
        if current is None:
            return []
        if isinstance(part, int):
            continue
        if part in RULE_KINDS:
            current = RULE_KINDS[part]
            continue
        field = current.model_fields.get(part)
        current = _inner_model(field.annotation) if field else None
    return list(current.model_fields) if current else []


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is not None:
        for arg in typing.get_args(annotation):
            found = _inner_model(arg)
            if found is not None:
                return found
    return None
