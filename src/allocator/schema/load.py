"""Reading instance and model files (YAML, with large tables in CSV) into validated objects.

Every problem in a file is reported together, each with the file, the field path, the value and
what is allowed."""

from __future__ import annotations

import csv
import hashlib
import re
import types
import typing
from dataclasses import dataclass
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
REQUIRED = {
    "instance": "name, years, pillars, budget and lines",
    "model": "name (and usually objective and rules)",
}
"""The keys a file of each kind must have, for messages about empty or misshapen files."""


@dataclass(frozen=True)
class Table:
    """A CSV table read for an instance field: its file and the line each row started on."""

    path: Path
    lines: list[int]


def load_instance(path: str | Path) -> Instance:
    """Read and validate an instance file; tables named as `.csv` are read from beside it.
    A `.xlsx` workbook is read by `allocator.schema.excel`."""
    path = Path(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from allocator.schema.excel import read_instance

        return read_instance(path)
    data = _read_yaml(path, "instance")
    files = {str(path): _sha256(path)}
    tables: dict[str, Table] = {}
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
        table = path.parent / value
        if not _is_file(table):
            issues.append(
                Issue(
                    str(path),
                    field,
                    value,
                    f"no such file: {table} (CSV tables are read from the instance's folder); "
                    "fix the name or list the entries in the YAML",
                )
            )
            continue
        try:
            data[field], lines = _read_rows(table)
        except InputError as exc:
            issues.extend(exc.issues)
            continue
        tables[field] = Table(table, lines)
        files[str(table)] = _sha256(table)
    if issues:
        raise InputError(issues)
    inst = validate(Instance, data, str(path), tables)
    inst._files = files
    return inst


def load_model(path: str | Path) -> ModelSpec:
    """Read and validate a model (policy regime) file (YAML, or the sheets of a `.xlsx`)."""
    path = Path(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from allocator.schema.excel import read_model

        return read_model(path)
    model = validate(ModelSpec, _read_yaml(path, "model"), str(path))
    model._files = {str(path): _sha256(path)}
    return model


def load_default_model(inst: Instance) -> ModelSpec:
    """Load the model file named by the instance's `model:` (a missing file is the instance's
    error, named at `model`)."""
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
    if not _is_file(path):
        raise InputError(
            [
                Issue(
                    instance_file,
                    "model",
                    inst.model,
                    f"no such model file: {path} (read relative to the instance's folder); fix "
                    "the path or pass a model (--model FILE.yaml)",
                )
            ]
        )
    return load_model(path)


def save(obj: Instance | ModelSpec, path: str | Path) -> Path:
    """Write an instance or model back as YAML (tables inline), or as a workbook for a `.xlsx`
    name; loading it gives an equal object."""
    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        from allocator.schema.excel import write_workbook

        if isinstance(obj, Instance):
            return write_workbook(path, instance=obj)
        return write_workbook(path, model=obj)
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
        issues = [Issue(model_file, p, v, msg) for p, v, msg in problems]
        if Path(model_file).suffix.lower() in (".xlsx", ".xlsm"):
            from allocator.schema.excel import locate_model_issues

            issues = locate_model_issues(Path(model_file), issues)
        raise InputError(issues)


def validate(
    cls: type[M], data: Any, file: str = "<data>", tables: dict[str, Table] | None = None
) -> M:
    """`cls.model_validate(data)` with every pydantic error turned into a located `Issue`."""
    try:
        return cls.model_validate(data)
    except ValidationError as exc:
        raise InputError(_issues(cls, exc, data, file, tables or {})) from None


def read_table(path: Path) -> list[dict[str, Any]]:
    """Rows of a CSV table as nested dicts: `min.2027` → {"min": {"2027": ...}}; blank = default."""
    if not _is_file(path):
        raise InputError([Issue(str(path), "", MISSING, "file not found")])
    return _read_rows(path)[0]


def _read_rows(path: Path) -> tuple[list[dict[str, Any]], list[int]]:
    """The rows of a CSV table, and the line of the file each row starts on."""
    text = _read_text(path)
    rows: list[dict[str, Any]] = []
    starts: list[int] = []
    issues: list[Issue] = []
    reader = csv.reader(text.splitlines(keepends=True))
    try:
        header = [h.strip() for h in next(reader, [])]
        issues += _header_issues(path, header)
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


def _header_issues(path: Path, header: list[str]) -> list[Issue]:
    if not header or any(not h for h in header):
        return [
            Issue(
                str(path),
                "row 1",
                ",".join(header),
                "the header needs a name for every column (id, name, pillar, ...)",
            )
        ]
    return [
        Issue(str(path), "row 1", column, f"column {column!r} appears twice; keep one")
        for i, column in enumerate(header)
        if column in header[:i]
    ]


def _row(
    path: Path, number: int, header: list[str], cells: list[str]
) -> tuple[dict[str, Any], list[Issue]]:
    """One CSV row as a nested dict (`min.2027` → {"min": {"2027": ...}}), with its problems."""
    row: dict[str, Any] = {}
    issues: list[Issue] = []
    for column, cell in zip(header, cells, strict=False):
        cell = cell.strip()
        if not cell:
            continue
        *parents, leaf = column.split(".")
        value: Any = (
            [x.strip() for x in cell.split(";") if x.strip()] if leaf in LIST_COLUMNS else cell
        )
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


def _read_yaml(path: Path, kind: str) -> dict[str, Any]:
    if not _is_file(path):
        what = "a folder, not a file" if _is_dir(path) else "file not found"
        raise InputError([Issue(str(path), "", MISSING, f"{what}; check the path")])
    text = _read_text(path)
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)  # a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        raise InputError([_yaml_issue(path, text, exc)]) from None
    except yaml.YAMLError as exc:
        raise InputError([Issue(str(path), "", MISSING, f"not valid YAML: {exc}")]) from None
    if data is None:
        raise InputError(
            [
                Issue(
                    str(path),
                    "",
                    MISSING,
                    f"the file is empty; {_article(kind)} {kind} needs {REQUIRED[kind]}",
                )
            ]
        )
    if not isinstance(data, dict):
        raise InputError(
            [
                Issue(
                    str(path),
                    "",
                    data,
                    f"the file holds a {_yaml_kind(data)}; {_article(kind)} {kind} file is a "
                    f"mapping of keys to values (`key: value` per line) with {REQUIRED[kind]}",
                )
            ]
        )
    return data


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def _yaml_kind(data: Any) -> str:
    return "list" if isinstance(data, list) else f"single value ({type(data).__name__})"


def _yaml_issue(path: Path, text: str, exc: yaml.MarkedYAMLError) -> Issue:
    mark = exc.problem_mark
    where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
    lines = text.splitlines()
    shown = lines[mark.line].strip() if mark and mark.line < len(lines) else ""
    problem = exc.problem or str(exc)
    context = ""
    if exc.context and exc.context_mark:
        at = exc.context_mark
        context = f" ({exc.context} that starts at line {at.line + 1}, column {at.column + 1})"
    hint = "" if isinstance(exc, _DuplicateKey) else "; check brackets, quotes and indentation"
    return Issue(str(path), where, shown or MISSING, f"not valid YAML: {problem}{context}{hint}")


class _DuplicateKey(yaml.constructor.ConstructorError):
    """A key given twice in one mapping (PyYAML would silently keep the last)."""


class _UniqueKeyLoader(yaml.SafeLoader):
    """The safe loader, refusing a key given twice in one mapping."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, yaml.Node] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                first = seen.get(key)
            except TypeError:  # an unhashable key; the base class reports it
                continue
            if first is not None:
                raise _DuplicateKey(
                    None,
                    None,
                    f"key {key!r} is given twice in this mapping (first at line "
                    f"{first.start_mark.line + 1}); keep one",
                    key_node.start_mark,
                )
            seen[key] = key_node
        return super().construct_mapping(node, deep=deep)


def _read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(
            [Issue(str(path), "", MISSING, f"cannot read the file: {exc.strerror or exc}")]
        ) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        try:
            raw.decode("cp949")
            guess = "it looks like Korean text saved as EUC-KR/CP949; "
        except UnicodeDecodeError:
            guess = ""
        raise InputError(
            [
                Issue(
                    str(path),
                    f"line {line}, byte {exc.start + 1}",
                    raw[exc.start : exc.end],
                    f"not UTF-8 text ({exc.reason}); {guess}save the file as UTF-8",
                )
            ]
        ) from None


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:  # a name too long for the file system, say
        return False


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:
        return False


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _issues(
    cls: type[BaseModel], exc: ValidationError, data: Any, file: str, tables: dict[str, Table]
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
        issue = _issue(loc, value, _message(cls, err, loc), data, file, tables)
        if issue not in issues:
            issues.append(issue)
    return issues


def _split_path(path: str) -> list[str | int]:
    """`lines[3].max.2027` → ["lines", 3, "max", "2027"]: bracketed numbers are list indices."""
    return [
        int(index) if index else key for index, key in re.findall(r"\[(\d+)\]|([^.\[\]]+)", path)
    ]


def _issue(
    loc: tuple[Any, ...], value: Any, problem: str, data: Any, file: str, tables: dict[str, Table]
) -> Issue:
    loc = tuple(
        p for i, p in enumerate(loc) if not (p in RULE_KINDS and i and isinstance(loc[i - 1], int))
    )
    table = tables.get(loc[0]) if loc and isinstance(loc[0], str) else None
    if table is not None and len(loc) > 1 and isinstance(loc[1], int):
        row = _item(data, loc[:2])
        ident = f" ({row['id']})" if isinstance(row, dict) and "id" in row else ""
        column = ".".join(str(p) for p in loc[2:])
        number = table.lines[loc[1]] if loc[1] < len(table.lines) else loc[1] + 2
        where = f"row {number}{ident}" + (f", column {column}" if column else "")
        return Issue(str(table.path), where, value, problem)
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
    """Pydantic's message in plain words, with what is allowed and, where it can, the fix."""
    kind, msg = err["type"], str(err["msg"])
    for prefix in ("Value error, ", "Assertion failed, "):
        msg = msg.removeprefix(prefix)
    ctx = err.get("ctx", {})
    given = err.get("input")
    field = str(loc[-1]) if loc and isinstance(loc[-1], str) else ""
    if kind == "extra_forbidden":
        allowed = _fields_at(cls, loc[:-1])
        close = get_close_matches(str(loc[-1]), allowed, n=1)
        guess = f"did you mean {close[0]!r}? " if close else ""
        return f"unknown key; {guess}allowed keys: {', '.join(allowed)}"
    if kind == "union_tag_invalid":
        tag = str(ctx.get("tag", ""))
        close = get_close_matches(tag, list(RULE_KINDS), n=1)
        guess = f"did you mean {close[0]!r}? " if close else ""
        return f"unknown rule kind; {guess}known kinds: {', '.join(RULE_KINDS)}"
    if kind == "union_tag_not_found":
        return f"a rule needs `rule:` naming its kind, one of {', '.join(RULE_KINDS)}"
    if kind == "missing":
        return "required field is missing" + (f"; add `{field}:`" if field else "")
    if kind == "literal_error":
        options = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        close = get_close_matches(str(given), options, n=1)
        guess = f"; did you mean {close[0]!r}?" if close else ""
        return f"expected one of {', '.join(options)}{guess}"
    if kind in ("bool_parsing", "bool_type"):
        return "expected true or false"
    if kind in ("float_parsing", "float_type"):
        return "expected a number, such as 1.5"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return "expected a whole number"
    if kind == "string_type":
        if isinstance(given, int | float) and not isinstance(given, bool):
            return f'expected text; write it in quotes: "{given}"'
        return "expected text (one value, in quotes if it holds `:`, `[` or `,`)"
    if kind == "list_type":
        if len(loc) == 1 and field in TABLE_FIELDS:
            return (
                f"expected a list of {field} (one `- {{...}}` entry per line) or the name of a "
                "CSV file ending in .csv"
            )
        if isinstance(given, str | int | float):
            return f"expected a list; write [{given}]"
        return "expected a list, such as [a, b]"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return "expected a mapping of keys to values, such as {key: value}"
    if kind == "too_short":
        return f"needs at least {ctx.get('min_length', 1)} entry; it is empty"
    if kind == "string_too_short":
        return "cannot be empty"
    if kind == "string_too_long":
        return f"is too long; at most {ctx.get('max_length')} characters"
    if kind == "string_pattern_mismatch":
        fixed = re.sub(r"[^A-Za-z0-9_.\-]+", "_", str(given)).strip("_.-")[:64]
        guess = f"; did you mean {fixed!r}?" if fixed else ""
        return (
            "an id starts with a letter or digit and holds only letters, digits, `_`, `.` "
            f"and `-` (no spaces), at most 64 characters{guess}"
        )
    if kind == "greater_than_equal":
        return f"must be {ctx.get('ge')} or more"
    if kind == "greater_than":
        return f"must be above {ctx.get('gt')}"
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
