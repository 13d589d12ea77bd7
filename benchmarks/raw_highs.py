"""Raw highspy on an instance file: the limit a whole allocator process is measured against.

    .venv/bin/python benchmarks/raw_highs.py INSTANCE.yaml [--model MODEL.yaml] [--json]

Reads the same files allocator reads — the instance YAML with libyaml's C loader
(`yaml.CSafeLoader`, PyYAML's pure-Python `SafeLoader` where libyaml is missing), its lines CSV
with Python's `csv` module, the model YAML the instance names (or `--model`) — into numpy arrays
column by column, builds allocator's core formulation (design.md §4) as one sparse matrix,
hands it to HiGHS with one `passModel` under allocator's options (`mip_rel_gap` 1e-7,
`random_seed` 0), runs it and prints the objective. Nothing is named, checked or verified.

The matrix is `raw_model.raw_build`'s: allocator's own, entry for entry and in its order
(`tests/test_synthetic.py` compares every array), so HiGHS walks the same path on both sides. It
covers what `allocator.synthetic` writes: every §4 rule except `requires` and `exclusive`,
objective `max_impact` with soft targets, plain numbers for money; anything else in the files
(funds, carry-over, curves, schedules, fractional pillars, money with units, hard targets, other
objectives) is refused, never silently dropped.

Prints `objective <value>` and the status (or, with `--json`, one JSON line with the objective,
status, matrix size and the seconds of each stage: import, read, build, hand-off, solve); exits 1
when HiGHS does not report an optimum.
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()

import argparse  # noqa: E402
import csv  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any, NoReturn  # noqa: E402

import numpy as np  # noqa: E402
import yaml  # noqa: E402
from raw_model import Case, raw_build, raw_highs  # noqa: E402  (benchmarks/ is the script's folder)

IMPORTED = time.perf_counter()

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
INSTANCE_KEYS = {
    "name",
    "title",
    "currency_unit",
    "years",
    "model",
    "pillars",
    "budget",
    "private_pool",
    "kpis",
    "lines",
    "targets",
    "sources",
}
"""Instance keys the raw route reads or may ignore (`sources` is provenance only)."""
LINE_FIELDS = {
    "id",
    "name",
    "name_ko",
    "pillar",
    "new",
    "min",
    "max",
    "leverage",
    "impact",
    "private_impact",
    "yields",
    "select",
    "integer",
    "unit_cost",
    "groups",
}
"""Line fields (CSV columns up to the first dot) the raw route reads or may ignore."""
TRUE = ("true", "yes", "1", "1.0")


def read_yaml(path: Path) -> dict[str, Any]:
    """A YAML mapping, parsed by libyaml when it is there."""
    with path.open("rb") as handle:
        data = yaml.load(handle, Loader=Loader)  # a safe loader, C or Python
    if not isinstance(data, dict):
        raise SystemExit(f"{path}: not a YAML mapping")
    return data


Frame = dict[str, list[Any]]
"""The lines a column at a time, named the CSV's way (`min.2027`, `yields.gpus`)."""


def lines_frame(path: Path, value: Any) -> tuple[Frame, int]:
    """The lines as columns and their count: a CSV beside the instance (Python's `csv` module:
    its cells as text) or the YAML list, flattened the CSV's way."""
    if isinstance(value, str):
        with (path.parent / value).open(newline="", encoding="utf-8") as handle:
            header, *rows = list(csv.reader(handle))
        columns = zip(*rows, strict=True) if rows else iter([[] for _ in header])
        return {h.strip(): list(col) for h, col in zip(header, columns, strict=True)}, len(rows)
    frame: Frame = {}
    for i, line in enumerate(value):
        for key, cell in line.items():
            items = cell.items() if isinstance(cell, dict) else [(None, cell)]
            for sub, item in items:
                name = key if sub is None else f"{key}.{sub}"
                frame.setdefault(name, [None] * len(value))[i] = item
    return frame, len(value)


def _refuse(what: str) -> NoReturn:
    raise NotImplementedError(f"the raw route does not cover {what}")


def _blank(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _numbers(frame: Frame, column: str) -> np.ndarray:
    """A numeric column as floats, NaN where blank; money with units is refused."""
    try:
        return np.array([np.nan if _blank(c) else c for c in frame[column]], dtype=float)
    except (TypeError, ValueError):
        _refuse(f"non-numeric cells in column {column!r} (money with units?)")


def _flags(frame: Frame, column: str, n: int) -> np.ndarray:
    """A true/false column (blank = false)."""
    if column not in frame:
        return np.zeros(n, dtype=bool)
    return np.array(
        [c if isinstance(c, bool) else str(c).strip().lower() in TRUE for c in frame[column]],
        dtype=bool,
    )


def _per_line(frame: Frame, column: str, default: float, n: int) -> np.ndarray:
    if column not in frame:
        return np.full(n, default)
    values = _numbers(frame, column)
    return np.where(np.isnan(values), default, values)


def _per_line_year(
    frame: Frame, field: str, years: list[int], default: float, n: int
) -> np.ndarray:
    """`field` (one figure for every year) overridden by `field.YEAR` where given."""
    out = np.full((n, len(years)), default)
    if field in frame:
        values = _numbers(frame, field)
        out = np.where(np.isnan(values)[:, None], out, values[:, None])
    for t, year in enumerate(years):
        column = f"{field}.{year}"
        if column in frame:
            values = _numbers(frame, column)
            out[:, t] = np.where(np.isnan(values), out[:, t], values)
    return out


def _per_year(value: Any, years: list[int], default: float) -> np.ndarray:
    if value is None:
        return np.full(len(years), default)
    if isinstance(value, dict):
        by_year = {int(k): v for k, v in value.items()}
        return np.array([float(by_year.get(y, default)) for y in years])
    return np.full(len(years), float(value))


def read_case(path: Path, model_path: Path | None) -> Case:
    """The instance file and its model as flat arrays (`raw_model.Case`)."""
    inst = read_yaml(path)
    extra = sorted(set(inst) - INSTANCE_KEYS)
    if extra:
        _refuse(f"instance keys {extra}")
    if model_path is None:
        if not inst.get("model"):
            raise SystemExit(f"{path}: names no model; pass --model")
        model_path = path.parent / inst["model"]
    model = read_yaml(model_path)
    if model.get("objective", "max_impact") != "max_impact":
        _refuse(f"objective {model['objective']!r}")
    if (model.get("targets") or {}).get("mode", "soft") != "soft":
        _refuse("hard targets")
    if model.get("levels"):
        _refuse("priority levels")
    for field in ("pillars", "kpis", "targets"):
        if isinstance(inst.get(field), str):
            _refuse(f"{field} in a CSV file")
    years = [int(y) for y in inst["years"]]
    frame, n = lines_frame(path, inst["lines"])
    unknown = sorted({str(c).split(".")[0] for c in frame} - LINE_FIELDS)
    if unknown:
        _refuse(f"line fields {unknown}")
    pillar_ids = [str(p["id"]) for p in inst["pillars"]]
    pillar_of = {pid: i for i, pid in enumerate(pillar_ids)}
    pillar = np.array([pillar_of.get(str(c).strip(), -1) for c in frame["pillar"]], dtype=np.int64)
    if (pillar < 0).any():
        _refuse("fractional or unknown pillars")
    kpis = inst.get("kpis") or []
    kpi_ids = [str(k["id"]) for k in kpis]
    yields = np.zeros((n, len(kpi_ids)))
    for k, kid in enumerate(kpi_ids):
        yields[:, k] = _per_line(frame, f"yields.{kid}", 0.0, n)
    kpi_of = {kid: k for k, kid in enumerate(kpi_ids)}
    targets = inst.get("targets") or []
    weights = (model.get("targets") or {}).get("weights") or {}
    groups: list[list[str]] = [[] for _ in range(n)]
    for i, cell in enumerate(frame.get("groups", [])):
        items = cell if isinstance(cell, list) else ("" if cell is None else str(cell)).split(";")
        groups[i] = [str(g).strip() for g in items if str(g).strip()]
    case = Case(
        years=years,
        line_ids=[str(c) for c in frame["id"]],
        names=[str(c) for c in frame["name"]] if "name" in frame else [],
        pillar_ids=pillar_ids,
        pillar_names=[str(p.get("name", p["id"])) for p in inst["pillars"]],
        pillar=pillar,
        new=_flags(frame, "new", n),
        leverage=_per_line(frame, "leverage", 0.0, n),
        impact=_per_line(frame, "impact", 0.0, n),
        private_impact=_per_line(frame, "private_impact", 0.0, n),
        lo=_per_line_year(frame, "min", years, 0.0, n),
        hi=_per_line_year(frame, "max", years, np.nan, n),
        select=_flags(frame, "select", n),
        integer=_flags(frame, "integer", n),
        unit_cost=_per_line(frame, "unit_cost", 0.0, n),
        groups=groups,
        kpi_ids=kpi_ids,
        baseline=np.array([float(k.get("baseline", 0.0)) for k in kpis]),
        cumulative=np.array([bool(k.get("cumulative", True)) for k in kpis], dtype=bool),
        yields=yields,
        target_kpi=np.array([kpi_of[t["kpi"]] for t in targets], dtype=np.int64),
        target_year=np.array([years.index(int(t["year"])) for t in targets], dtype=np.int64),
        target_value=np.array([float(t["value"]) for t in targets]),
        weight=np.array([float(weights.get(t["kpi"], 1.0)) for t in targets]),
        budget=_per_year(inst["budget"], years, 0.0),
        pool=_per_year(inst.get("private_pool"), years, 0.0),
        must_spend=bool(model.get("must_spend", False)),
    )
    for rule in model.get("rules") or []:
        kind = rule["rule"]
        if kind == "pillar_share":
            case.shares.append((pillar_of[rule["pillar"]], rule.get("min"), rule.get("max")))
        elif kind == "new_initiative_share":
            case.new_share = float(rule["min"])
        elif kind == "ramp":
            case.ramp = float(rule["max_change"])
        elif kind == "cardinality":
            case.cardinality.append((str(rule["group"]), int(rule["max"])))
        else:
            _refuse(f"rule {kind!r}")
    return case


def main() -> int:
    """Read, build, pass, solve; print the objective."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("instance", type=Path)
    parser.add_argument("--model", type=Path, help="model file (default: the instance's own)")
    parser.add_argument("--json", action="store_true", help="one JSON line with stage timings")
    args = parser.parse_args()
    stages = {"import": IMPORTED - STARTED}
    mark = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal mark
        now = time.perf_counter()
        stages[stage] = now - mark
        mark = now

    case = read_case(args.instance, args.model)
    lap("read")
    model = raw_build(case)
    lap("build")
    h = raw_highs(model)
    lap("handoff")
    h.run()
    status = h.modelStatusToString(h.getModelStatus())
    objective = h.getInfo().objective_function_value
    lap("solve")
    optimal = status == "Optimal"
    if args.json:
        size = (len(model.cost), len(model.row_lower), int(model.a.nnz))
        print(json.dumps({"objective": objective, "status": status, "size": size, **stages}))
    else:
        print(f"objective {objective!r}")
        print(f"status {status}")
    return 0 if optimal else 1


if __name__ == "__main__":
    sys.exit(main())
