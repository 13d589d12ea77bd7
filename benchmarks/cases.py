"""Synthetic instance files for the whole-process benchmarks: YAML beside a lines CSV and a model.

`write_case("lp", 10_000, 5)` writes `synthetic-lp-10000x5-s0.yaml`, its `.lines.csv` and its
`.model.yaml` under `build/whole/` (made from `allocator.synthetic.synthetic_case`) and returns
the instance's path. The instance names its lines CSV and its model file as an instance in
`instances/` does; the model is written by allocator's own `save`, the instance's small fields
with `yaml.safe_dump` (allocator's `save` writes every table inline, and the point here is the
instance format with its large table in CSV). Every float is written as `repr` gives it, so the
files hold exactly the generator's numbers.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "build" / "whole"


def case_name(variant: str, lines: int, years: int, seed: int = 0) -> str:
    return f"synthetic-{variant}-{lines}x{years}-s{seed}"


def _cell(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else ""
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return repr(value) if isinstance(value, float) else str(value)


def _columns(lines: list[dict[str, Any]], years: list[int]) -> list[str]:
    """Header: every field some line uses; per-year fields get `field` and `field.YEAR`."""
    seen: dict[str, None] = {}
    for line in lines:
        for key, value in line.items():
            if isinstance(value, dict):
                for sub in value:
                    seen[f"{key}.{sub}"] = None
            else:
                seen[key] = None
    order = ["id", "name", "pillar", "new", "impact"]
    for field in ("min", "max"):
        order.append(field)
        order += [f"{field}.{y}" for y in years]
    order += ["leverage", "private_impact"]
    order += sorted(c for c in seen if c.startswith("yields."))
    order += ["select", "integer", "unit_cost", "groups"]
    rest = [c for c in seen if c not in order]
    return [c for c in order if c in seen] + rest


def write_lines_csv(path: Path, lines: list[dict[str, Any]], years: list[int]) -> None:
    """One row per line; `min.2027`, `yields.gpus` for nested fields; blank = default."""
    header = _columns(lines, years)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        for line in lines:
            flat: dict[str, str] = {}
            for key, value in line.items():
                if isinstance(value, dict):
                    for sub, item in value.items():
                        flat[f"{key}.{sub}"] = _cell(item)
                else:
                    flat[key] = _cell(value)
            writer.writerow([flat.get(c, "") for c in header])


def write_case(variant: str, lines: int, years: int, seed: int = 0, folder: Path = CASES) -> Path:
    """Write the instance, its lines CSV and its model; return the instance file."""
    import allocator
    from allocator.synthetic import synthetic_case

    folder.mkdir(parents=True, exist_ok=True)
    name = case_name(variant, lines, years, seed)
    inst, model = synthetic_case(lines, years, mip=variant == "mip", seed=seed)
    csv_path = folder / f"{name}.lines.csv"
    model_path = folder / f"{name}.model.yaml"
    inst_path = folder / f"{name}.yaml"
    write_lines_csv(csv_path, inst["lines"], inst["years"])
    # the benchmark's own scratch file, rewritten on every run
    allocator.save(allocator.ModelSpec.model_validate(model), model_path, force=True)
    head = {k: v for k, v in inst.items() if k != "lines"}
    head["model"] = model_path.name
    head["lines"] = csv_path.name
    order = ["name", "title", "currency_unit", "years", "model", "pillars", "budget"]
    data = {k: head[k] for k in order if k in head} | head
    inst_path.write_text(
        yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100), encoding="utf-8"
    )
    return inst_path
