"""The workbook layout of a file kind, derived from its pydantic model: which sheets, columns,
per-year columns, drop-down choices and descriptions."""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd
from openpyxl.utils import get_column_letter
from pydantic import BaseModel

from allocator.errors import Issue
from allocator.schema.docstrings import field_docs
from allocator.schema.instance import Instance
from allocator.schema.model import ModelSpec

SUFFIXES = (".xlsx", ".xlsm")
"""File names read as workbooks by `load_instance` / `load_model`."""
BUDGETS = "budgets"
"""The sheet of an instance's per-year figures (budget, private_pool)."""
EVERY_YEAR = "all"
"""The `year` of a `budgets` row whose figures hold for every year."""
README = "README"
"""A sheet of notes for people; ignored on reading."""
KEY, VALUE = "key", "value"
TABLE_ROWS = 1000
"""Rows of a table sheet that get drop-down lists."""
_SCALARS = (str, int, float, bool)


# -- reading the pydantic models ------------------------------------------------------------------


def _by_identity(test: Callable[[Any], bool]) -> Callable[[Any], bool]:
    """`test` remembered per annotation object (annotations are unhashable; cells are many)."""
    seen: dict[int, tuple[Any, bool]] = {}

    def cached(annotation: Any) -> bool:
        hit = seen.get(id(annotation))
        if hit is None or hit[0] is not annotation:
            hit = seen[id(annotation)] = (annotation, test(annotation))
        return hit[1]

    return cached


def _members(annotation: Any) -> list[Any]:
    """The leaf types of an annotation, with unions and `Annotated` unwrapped."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _members(typing.get_args(annotation)[0])
    if origin is typing.Union or isinstance(annotation, types.UnionType):
        return [m for arg in typing.get_args(annotation) for m in _members(arg)]
    return [annotation]


def _record_models(annotation: Any) -> list[type[BaseModel]]:
    """The models of a list-of-records field (`list[Line]`, `list[Rule]`), else []."""
    if typing.get_origin(annotation) is not list:
        return []
    args = typing.get_args(annotation)
    found = _members(args[0]) if args else []
    models = [m for m in found if isinstance(m, type) and issubclass(m, BaseModel)]
    return models if models and len(models) == len(found) else []


def _is_per_year(annotation: Any) -> bool:
    """A figure given once or per year (`float | dict[int, float]`)."""
    return any(
        typing.get_origin(m) is dict and typing.get_args(m)[:1] == (int,)
        for m in _members(annotation)
    )


@_by_identity
def _is_scalar_list(annotation: Any) -> bool:
    """A list of plain values (`list[str]`, `list[Year]`): written with `;` between items."""
    members = _members(annotation)
    if len(members) != 1 or typing.get_origin(members[0]) is not list:
        return False
    args = typing.get_args(members[0])
    return bool(args) and all(m in _SCALARS for m in _members(args[0]))


@_by_identity
def _is_text(annotation: Any) -> bool:
    """Only text (or nothing): a number typed into such a cell is read as text."""
    return all(m in (str, type(None)) for m in _members(annotation))


@_by_identity
def _is_complex(annotation: Any) -> bool:
    """Holds mappings, lists or records: such a cell may hold JSON (or YAML) text."""
    return any(
        typing.get_origin(m) in (dict, list)
        or m in (dict, list)
        or (isinstance(m, type) and issubclass(m, BaseModel))
        for m in _members(annotation)
    )


def _options(annotation: Any) -> list[str]:
    """The values a drop-down offers: a Literal's options, or TRUE/FALSE for a flag."""
    options: list[str] = []
    for m in _members(annotation):
        if typing.get_origin(m) is Literal:
            options += [str(a) for a in typing.get_args(m)]
        elif m is bool:
            options += ["TRUE", "FALSE"]
    return options


def _annotation(models: Iterable[type[BaseModel]], name: str) -> Any:
    """The annotation of field `name` in the first of `models` that has it (None if none)."""
    for model in models:
        info = model.model_fields.get(name)
        if info is not None:
            return info.annotation
    return None


def _choices(models: list[type[BaseModel]], column: str) -> list[str]:
    """The drop-down values of a column (`kind`, `rule`, `targets.mode`), across all `models`."""
    options: list[str] = []
    for model in models:
        annotation: Any = None
        current: list[type[BaseModel]] = [model]
        for part in column.split("."):
            annotation = _annotation(current, part)
            current = [
                m for m in _members(annotation) if isinstance(m, type) and issubclass(m, BaseModel)
            ]
        options += _options(annotation) if annotation is not None else []
    return list(dict.fromkeys(options))


def _describe(models: list[type[BaseModel]], name: str) -> str:
    """The field's docstring, for the header's note in a template."""
    for model in models:
        info = model.model_fields.get(name)
        text = (info.description or field_docs(model).get(name)) if info is not None else None
        if text:
            return text
    return ""


@dataclass(frozen=True)
class Layout:
    """Where each field of an instance or model goes in a workbook."""

    cls: type[BaseModel]
    sheet: str
    """The `key | value` sheet of the scalar fields."""
    tables: dict[str, list[type[BaseModel]]]
    """List-of-records fields (one sheet each, named after the field) and their row models."""
    per_year: list[str]
    """Per-year fields (columns of the `budgets` sheet)."""

    @classmethod
    def of(cls, model: type[BaseModel], sheet: str, per_year: bool) -> Layout:
        tables: dict[str, list[type[BaseModel]]] = {}
        years: list[str] = []
        for name, info in model.model_fields.items():
            rows = _record_models(info.annotation)
            if rows:
                tables[name] = rows
            elif per_year and _is_per_year(info.annotation):
                years.append(name)
        return cls(model, sheet, tables, years)

    @property
    def sheets(self) -> list[str]:
        return [self.sheet, *([BUDGETS] if self.per_year else []), *self.tables]

    def scalar_fields(self) -> list[str]:
        skip = {*self.tables, *self.per_year}
        return [name for name in self.cls.model_fields if name not in skip]


INSTANCE = Layout.of(Instance, "instance", per_year=True)
MODEL = Layout.of(ModelSpec, "model", per_year=False)


# -- reading a workbook ---------------------------------------------------------------------------


@dataclass
class Sheet:
    """A sheet as read: its columns, and where each record (or key) came from."""

    name: str
    columns: dict[str, int] = field(default_factory=dict)
    """Column name → 0-based column index."""
    rows: list[int] = field(default_factory=list)
    """The worksheet row of each record."""
    ids: list[str] = field(default_factory=list)
    cells: list[dict[str, Any]] = field(default_factory=list)
    """Per record: column → the cell's value as typed."""
    keys: dict[str, int] = field(default_factory=dict)
    """Key sheets: key → worksheet row."""

    def cell(self, column: str, row: int) -> str:
        """The cell of `column` in worksheet row `row`, as `lines!D7`."""
        return f"{self.name}!{get_column_letter(self.columns[column] + 1)}{row}"


@dataclass
class Book:
    """A workbook being read: its sheets as frames, what was read where, and the problems."""

    path: Path
    frames: dict[str, pd.DataFrame]
    sheets: dict[str, Sheet] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)

    def issue(self, where: str, value: Any, problem: str) -> None:
        """Record a problem at a cell or sheet."""
        self.issues.append(Issue(str(self.path), where, value, problem))


SKIP: Any = object()
"""A cell with no value to use (already reported, or no cell at all)."""
