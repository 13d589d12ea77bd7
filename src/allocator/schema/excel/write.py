"""Writing instances, models, templates and tables of results as workbooks."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from functools import partial
from pathlib import Path
from typing import Annotated, Any, get_args, get_origin

import pandas as pd
from openpyxl.comments import Comment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from pydantic import BaseModel

from allocator.schema import output
from allocator.schema.excel.layout import (
    _SCALARS,
    BUDGETS,
    EVERY_YEAR,
    INSTANCE,
    KEY,
    MODEL,
    README,
    TABLE_ROWS,
    VALUE,
    Layout,
    _annotation,
    _choices,
    _describe,
    _is_scalar_list,
)
from allocator.schema.instance import Instance
from allocator.schema.model import ModelSpec


def write_workbook(
    path: str | Path,
    instance: Instance | None = None,
    model: ModelSpec | None = None,
    *,
    every_column: bool = False,
    force: bool = False,
    inputs: Iterable[str | Path] = (),
) -> Path:
    """Write an instance and/or a model as one workbook under the output policy of
    `allocator.schema.output` (staged and renamed; an existing file only with `force`; never
    over one of `inputs`). `every_column` adds a column for every field, set or not
    (templates)."""
    if instance is None and model is None:
        raise ValueError("give an instance, a model or both")
    sheets: dict[str, pd.DataFrame] = {}
    if instance is not None:
        sheets |= _sheets(instance, INSTANCE, every_column)
    if model is not None:
        sheets |= _sheets(model, MODEL, every_column)
    if every_column:
        sheets = {README: _readme(), **sheets}
    style = partial(_style_input, notes=every_column)
    return write_frames(path, sheets, style=style, force=force, inputs=inputs)


def workbook_target(
    path: str | Path, *, force: bool = False, inputs: Iterable[str | Path] = (), flag: str = "path"
) -> output.Target:
    """The checked name of a workbook to write (`.xlsx`, in a folder that exists)."""
    return output.target(path, force=force, inputs=inputs, flag=flag, suffixes=(".xlsx",))


def write_frames(
    path: str | Path,
    sheets: dict[str, pd.DataFrame],
    style: Any = None,
    *,
    force: bool = False,
    inputs: Iterable[str | Path] = (),
) -> Path:
    """Write DataFrames as the sheets of one `.xlsx` workbook, then `style(sheet, frame)` each;
    the file appears complete or not at all (see `allocator.schema.output`)."""

    def write(staged: Path) -> None:
        with pd.ExcelWriter(staged, engine="openpyxl") as writer:
            for sheet, frame in sheets.items():
                frame.to_excel(writer, sheet_name=sheet, index=False)
            for sheet, frame in sheets.items():
                ws = writer.sheets[sheet]
                _keep_text(ws, frame)
                if style is not None:
                    style(ws, frame, sheets)

    return output.write_file(workbook_target(path, force=force, inputs=inputs), write)


def _sheets(obj: BaseModel, layout: Layout, every_column: bool) -> dict[str, pd.DataFrame]:
    data = obj.model_dump(mode="json", exclude_defaults=True)
    for name in ("name", "years"):  # required, kept first even where equal to a default
        if name in layout.cls.model_fields:
            data.setdefault(name, getattr(obj, name))
    out: dict[str, pd.DataFrame] = {}
    keys: list[tuple[str, Any]] = []
    for name in layout.scalar_fields():
        annotation = layout.cls.model_fields[name].annotation
        if name in data:
            keys += _flat(name, data[name], annotation)
        elif every_column:
            default = layout.cls.model_fields[name].default
            keys.append((name, default if isinstance(default, _SCALARS) else None))
    out[layout.sheet] = pd.DataFrame(keys, columns=[KEY, VALUE], dtype=object)
    if layout.per_year:
        out[BUDGETS] = _budget_frame(data, layout)
    for name, models in layout.tables.items():
        if name in data or every_column:
            out[name] = _table_frame(data.get(name, []), models, every_column)
    return out


def _flat(key: str, value: Any, annotation: Any) -> list[tuple[str, Any]]:
    """`(column, cell)` pairs for one field: mappings spread over `key.sub` columns, plain lists
    joined with `;`, anything else that is not a plain value as JSON text."""
    if isinstance(value, dict) and value and _admits_text(annotation):
        return [(key, "; ".join(f"{k}: {v}" for k, v in value.items()))]  # `infra: 0.7; rnd: 0.3`
    if isinstance(value, dict) and value and all(_flat_key(k) for k in value):
        pairs: list[tuple[str, Any]] = []
        for k, v in value.items():
            pairs += _flat(f"{key}.{k}", v, None)
        return pairs
    if isinstance(value, list) and annotation is not None and _is_scalar_list(annotation):
        items = [str(x) for x in value]
        if items and all(x and x == x.strip() and ";" not in x for x in items):
            return [(key, ";".join(items))]
    if isinstance(value, _SCALARS):
        return [(key, _cell(value))]
    return [(key, json.dumps(value, ensure_ascii=False))]


def _admits_text(annotation: Any) -> bool:
    """Whether a field is text or a mapping (a line's pillar): its mapping is written in the
    one-cell form the CSV tables use."""
    args = get_args(annotation)
    while args and get_origin(annotation) is Annotated:
        annotation, args = args[0], get_args(args[0])
    if get_origin(annotation) is dict:  # a mapping field (`delivers`) spreads over columns
        return False
    return str in args and any(get_origin(a) is dict for a in args)


def _flat_key(key: Any) -> bool:
    return isinstance(key, str) and bool(key) and "." not in key and key == key.strip()


def _cell(value: Any) -> Any:
    """A plain value as a cell; a float that 16 significant digits (openpyxl's) would change is
    written as its exact text."""
    if isinstance(value, float) and not value.is_integer() and float(f"{value:.16g}") != value:
        return repr(value)
    return value


def _table_frame(
    rows: list[dict[str, Any]], models: list[type[BaseModel]], every_column: bool
) -> pd.DataFrame:
    flat: list[dict[str, Any]] = []
    for row in rows:
        cells: dict[str, Any] = {}
        for key, value in row.items():
            cells.update(_flat(key, value, _annotation(models, key)))
        flat.append(cells)
    order = [name for model in models for name in model.model_fields]
    rank = {name: i for i, name in enumerate(dict.fromkeys(order))}
    columns = list(dict.fromkeys(c for cells in flat for c in cells))
    if every_column:
        columns += [n for n in rank if not any(c.split(".")[0] == n for c in columns)]
    # schema order; a field's own column before its `field.key` columns, which keep their order
    columns.sort(key=lambda c: (rank.get(c.split(".")[0], len(rank)), "." in c))
    return pd.DataFrame(
        [[cells.get(c) for c in columns] for cells in flat], columns=columns, dtype=object
    )


def _budget_frame(data: dict[str, Any], layout: Layout) -> pd.DataFrame:
    labels: list[str] = []
    for name in layout.per_year:
        value = data.get(name)
        if isinstance(value, dict):
            labels += [str(k) for k in value]
        elif value is not None:
            labels.insert(0, EVERY_YEAR)
    labels = list(dict.fromkeys(labels))
    records = []
    for label in labels:
        record: dict[str, Any] = {"year": label if label == EVERY_YEAR else int(label)}
        for name in layout.per_year:
            value = data.get(name)
            if isinstance(value, dict):
                record[name] = _cell(value.get(label)) if label in value else None
            else:
                record[name] = _cell(value) if label == EVERY_YEAR else None
        records.append(record)
    return pd.DataFrame(records, columns=["year", *layout.per_year], dtype=object)


def _keep_text(ws: Worksheet, frame: pd.DataFrame) -> None:
    """Text that starts with `=` stays text (openpyxl would make it a formula)."""
    for j, column in enumerate(frame.columns, start=1):
        for i, value in enumerate(frame[column], start=2):
            if isinstance(value, str) and value.startswith("="):
                ws.cell(row=i, column=j).data_type = "s"


def _style_input(
    ws: Worksheet, frame: pd.DataFrame, sheets: dict[str, pd.DataFrame], notes: bool = False
) -> None:
    """Readable widths, a frozen header, drop-downs where a column takes named values, and (with
    `notes`) each field's description as a note on its header."""
    fit_columns(ws, frame)
    if ws.title == README:
        return
    ws.freeze_panes = "A2"
    if list(frame.columns) == [KEY, VALUE]:
        layout = INSTANCE if ws.title == INSTANCE.sheet else MODEL
        for i, key in enumerate(frame[KEY], start=2):
            options = _choices([layout.cls], str(key))
            if options:
                _drop_down(ws, f"B{i}", ",".join(options))
            if notes:
                text = _describe([layout.cls], str(key))
                if text:
                    ws.cell(row=i, column=1).comment = Comment(text, "allocator")
        return
    models = INSTANCE.tables.get(ws.title) or MODEL.tables.get(ws.title) or []
    for j, column in enumerate(frame.columns, start=1):
        letter = get_column_letter(j)
        cells = f"{letter}2:{letter}{TABLE_ROWS}"
        source = _id_list(column, sheets)
        options = _choices(models, column)
        if source:
            _drop_down(ws, cells, source, listed=False)
        elif options:
            _drop_down(ws, cells, ",".join(options))
        text = _describe(models, column.split(".")[0]) if notes else ""
        if text:
            ws.cell(row=1, column=j).comment = Comment(text, "allocator")


def _id_list(column: str, sheets: dict[str, pd.DataFrame]) -> str | None:
    """A reference to the ids a `pillar` or `kpi` column picks from, when that sheet is there."""
    sheet = {"pillar": "pillars", "kpi": "kpis"}.get(column)
    if sheet is None or sheet not in sheets or "id" not in sheets[sheet].columns:
        return None
    letter = get_column_letter(list(sheets[sheet].columns).index("id") + 1)
    return f"{sheet}!${letter}$2:${letter}${TABLE_ROWS}"


def _drop_down(ws: Worksheet, cells: str, source: str, listed: bool = True) -> None:
    formula = f'"{source}"' if listed else source
    check = DataValidation(type="list", formula1=formula, allow_blank=True)
    check.error = f"choose one of: {source}" if listed else "choose an id from the list"
    check.errorTitle = "allocator"
    check.showErrorMessage = True
    ws.add_data_validation(check)
    check.add(cells)


def fit_columns(ws: Worksheet, frame: pd.DataFrame, widest: int = 60) -> None:
    """Column widths that fit the header and the values (within `widest` characters)."""
    for j, column in enumerate(frame.columns, start=1):
        texts = [str(column), *(_shown(v) for v in frame[column].head(500))]
        width = max(len(t) for t in texts)
        ws.column_dimensions[get_column_letter(j)].width = min(max(width + 2, 8), widest)


def _shown(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float):
        return f"{value:,.1f}"
    return str(value)


# -- the template ---------------------------------------------------------------------------------


def template(path: str | Path, *, force: bool = False) -> Path:
    """A workbook to fill in: every sheet and column, drop-down lists, one example row per sheet.
    As written it loads (instance and model); its instance names the workbook as its model. An
    existing file is replaced only with `force`."""
    path = Path(path)
    workbook_target(path, force=force)  # refused before any work
    inst = Instance.model_validate(
        {
            "name": "my-plan",
            "title": "Example: replace every row",
            "years": [2026, 2027],
            "model": path.name,
            "pillars": [{"id": "infra", "name": "AI infrastructure", "name_ko": "AI 인프라"}],
            "budget": {2026: 1000, 2027: 1100},
            "private_pool": {2026: 300, 2027: 300},
            "kpis": [{"id": "gpus", "name": "GPUs in service", "unit": "GPU", "baseline": 1000}],
            "lines": [
                {
                    "id": "gpu",
                    "name": "GPU procurement",
                    "pillar": "infra",
                    "min": 100,
                    "max": 900,
                    "leverage": 1,
                    "impact": 1,
                    "yields": {"gpus": 7},
                }
            ],
            "targets": [{"kpi": "gpus", "year": 2027, "value": 9000}],
            "sources": [
                {"about": "*", "kind": "assumed", "note": "Example figures: cite your own."}
            ],
        }
    )
    model = ModelSpec.model_validate(
        {
            "name": "my-regime",
            "objective": "max_impact",
            "targets": {"mode": "soft", "weights": {"gpus": 100}},
            "rules": [{"rule": "pillar_share", "pillar": "infra", "min": 0.2, "max": 1}],
        }
    )
    return write_workbook(path, inst, model, every_column=True, force=force)


def _readme() -> pd.DataFrame:
    lines = [
        "An allocator workbook: an instance (the facts) and a model (the policy regime).",
        "Sheets: instance and model hold one field per row (key | value); budgets holds the "
        f"per-year figures, one row per year ({EVERY_YEAR!r}: the same figure every year);",
        "pillars, kpis, lines, targets, sources and rules hold one item per row, the field "
        "names in row 1 (hover a header for its meaning).",
        "min.2027 is a line's min in 2027 (min alone: every year); yields.gpus is the yield on "
        "KPI gpus; requires, groups and years separate items with ;",
        "A blank cell takes the default. Money is in the instance's currency_unit (bn_krw: "
        'billions of won) or text with a unit, such as "1.8조".',
        'A value that does not fit one cell is JSON text, such as {"2026": 100}.',
        "Check it: allocator validate THIS.xlsx; solve it: allocator solve THIS.xlsx.",
        "This sheet is not read.",
    ]
    return pd.DataFrame({"allocator workbook": lines})
