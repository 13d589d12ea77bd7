"""The model as a standard file (MPS or CPLEX LP) for another tool, a colleague or an auditor,
written by HiGHS from the same matrix it solves, with the rows and columns named as in the
explanations wherever the format allows.

MPS (free format) keeps every name as it is: `pillar_share_min[talent,2027]`,
`gov[INF-01,2026]`. The LP format has no room for brackets, `-` or `:` in a name, so there
brackets become parentheses and any other such character `_`: `pillar_share_min(talent,2027)`,
`gov(INF_01,2026)`. Integer and go/no-go variables stay integer and binary; the objective keeps
its sense and constant."""

from __future__ import annotations

import os
import re
from pathlib import Path

import highspy

from allocator.errors import InputError, Issue, SolverError
from allocator.formulation import Formulation
from allocator.solver.highs import SolveOptions, check_ranges, compile_matrix, new_highs

FORMATS = {".mps": "mps", ".lp": "lp"}
_LP_BAD = re.compile(r"[^A-Za-z0-9_().,{}#@!$%&;?|~']")


def model_format(path: Path) -> str:
    """`mps` or `lp`, from the file's suffix; anything else is an input error."""
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        raise InputError(
            [Issue(str(path), "", path.suffix, "name a .mps or .lp file (the suffix picks)")]
        )
    return kind


def lp_names(names: list[str]) -> list[str]:
    """Names the LP format accepts: brackets as parentheses, other characters it forbids as `_`
    (`#2`, `#3`, ... added should two names then coincide)."""
    out: list[str] = []
    seen: set[str] = set()
    for name in names:
        plain = _LP_BAD.sub("_", name.replace("[", "(").replace("]", ")"))
        candidate, k = plain, 1
        while candidate in seen:
            k += 1
            candidate = f"{plain}#{k}"
        seen.add(candidate)
        out.append(candidate)
    return out


def write_model(built: Formulation, path: str | Path) -> Path:
    """Write `built` (rule rows, and any constraint of one's own on its Pyomo model) to `path`
    as MPS or LP, by suffix, all or nothing (a temporary twin renamed into place)."""
    target = Path(path)
    kind = model_format(target)
    failed = [c.name for c in built.constants if not c.holds]
    if failed:
        raise InputError(
            [
                Issue(
                    built.inst.name,
                    name,
                    None,
                    "cannot hold whatever is decided: no model to write",
                )
                for name in failed
            ]
        )
    matrix = compile_matrix(built)
    check_ranges(matrix)
    rows = list(matrix.rows)
    columns = [built.column_name(j) for j in range(built.columns)]
    if kind == "lp":
        rows, columns = lp_names(rows), lp_names(columns)
    matrix.lp.row_names_ = rows
    matrix.lp.col_names_ = columns
    h = new_highs(matrix, SolveOptions())
    twin = target.with_name(f".{target.name}.tmp-{os.getpid()}{target.suffix}")
    try:
        status = h.writeModel(str(twin))
        if status != highspy.HighsStatus.kOk or not twin.exists():
            log = "; ".join(getattr(h, "allocator_log", [])) or "no detail in its log"
            raise SolverError(f"HiGHS could not write {target}: {log}")
        twin.replace(target)
    finally:
        twin.unlink(missing_ok=True)
    return target
