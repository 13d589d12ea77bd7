"""Validation with located errors: every pydantic error becomes an `Issue` naming the file, the
field path (or the CSV row and column), the value and what is allowed."""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from difflib import get_close_matches
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from allocator.errors import MISSING, InputError, Issue
from allocator.schema.instance import CrossReferenceError
from allocator.schema.rules import RULE_KINDS

M = TypeVar("M", bound=BaseModel)
TABLE_FIELDS = ("pillars", "kpis", "lines", "targets", "sources")
"""Instance fields that may name a CSV file instead of listing their rows inline."""


@dataclass(frozen=True)
class Table:
    """A CSV table read for an instance field: its file and the line each row started on."""

    path: Path
    lines: list[int]


def validate(
    cls: type[M],
    data: Any,
    file: str = "<data>",
    tables: dict[str, Table] | None = None,
    *,
    prepare: Callable[[Any], Any] | None = None,
) -> M:
    """`cls.model_validate(data)` with every pydantic error turned into a located `Issue`.
    `prepare` turns `data` into what is validated (parts already validated column by column,
    say); errors are still located in `data` as written."""
    try:
        return cls.model_validate(data if prepare is None else prepare(data))
    except ValidationError as exc:
        raise InputError(_issues(cls, exc, data, file, tables or {})) from None


def _issues(
    cls: type[BaseModel], exc: ValidationError, data: Any, file: str, tables: dict[str, Table]
) -> list[Issue]:
    issues: list[Issue] = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        error = err.get("ctx", {}).get("error")
        if isinstance(error, CrossReferenceError):
            for path, value, problem in error.problems:
                full = loc + tuple(split_path(path))
                issues.append(_issue(full, value, problem, data, file, tables))
            continue
        value = err.get("input", MISSING) if err["type"] != "missing" else MISSING
        issue = _issue(loc, value, message(cls, err, loc), data, file, tables)
        if issue not in issues:
            issues.append(issue)
    return issues


def split_path(path: str) -> list[str | int]:
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


def message(cls: type[BaseModel], err: Any, loc: tuple[Any, ...]) -> str:
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
    if kind == "less_than_equal":
        return f"must be {_number_text(ctx.get('le'))} or less"
    if kind == "less_than":
        return f"must be below {_number_text(ctx.get('lt'))}"
    return msg


def _number_text(value: Any) -> str:
    return f"{value:,}" if isinstance(value, int) else str(value)


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
