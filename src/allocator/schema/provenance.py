"""Provenance: which figures of an instance no `sources` entry covers."""

from __future__ import annotations

import re
from fnmatch import translate
from functools import cache

from allocator.schema.instance import Instance


def figure_paths(inst: Instance) -> list[str]:
    """Dotted paths of every number an instance states: `budget.2026`, `lines.INF-01.max`, ..."""
    paths: list[str] = []

    def per_year(prefix: str, value: float | dict[int, float] | None) -> None:
        if isinstance(value, dict):
            paths.extend(f"{prefix}.{year}" for year in value)
        elif value is not None:
            paths.append(prefix)

    per_year("budget", inst.budget)
    if inst.private_pool:
        per_year("private_pool", inst.private_pool)
    per_year("carryover", inst.carryover)
    for kpi in inst.kpis:
        for field in ("baseline", "lifetime", "baseline_year"):
            if getattr(kpi, field):
                paths.append(f"kpis.{kpi.id}.{field}")
        per_year(f"kpis.{kpi.id}.additions", kpi.additions)
    for fund in inst.funds:
        at = f"funds.{fund.id}"
        per_year(f"{at}.cap", fund.cap)
        for field in ("leverage", "min_leverage", "total_cap", "total_min"):
            if getattr(fund, field):
                paths.append(f"{at}.{field}")
        for lid, caps in (fund.line_caps or {}).items():
            per_year(f"{at}.line_caps.{lid}", caps)
    for line in inst.lines:
        at = f"lines.{line.id}"
        if line.min:
            per_year(f"{at}.min", line.min)
        per_year(f"{at}.max", line.max)
        per_year(f"{at}.schedule", line.schedule)
        per_year(f"{at}.reported", line.reported)
        fields = (
            "leverage",
            "impact",
            "private_impact",
            "unit_cost",
            "span",
            "max_starts",
            "curve",
            "total_max",
        )
        for field in fields:
            if getattr(line, field):
                paths.append(f"{at}.{field}")
        if not isinstance(line.pillar, str):
            paths.append(f"{at}.pillar")
        paths.extend(f"{at}.yields.{kpi}" for kpi in line.yields)
        for kpi_id, when in line.delivers.items():
            per_year(f"{at}.delivers.{kpi_id}", when)
    paths.extend(f"targets.{t.kpi}.{t.year}" for t in inst.targets)
    if inst.uncertainty is not None:
        paths.extend(f"uncertainty.{p.path}" for p in inst.uncertainty.parameters)
    return paths


def covers(about: str, path: str) -> bool:
    """Whether a source's `about` (exact path, a prefix of it, or a glob) covers `path`."""
    if about == path or path.startswith(about + "."):
        return True
    return _glob(about).match(path) is not None


@cache
def _glob(about: str) -> re.Pattern[str]:
    """`about` as a glob that matches a path or any prefix of it ending before a dot."""
    whole = translate(about)  # `(?s:...)\Z`: the glob over the whole text
    return re.compile(whole.removesuffix(r"\Z") + r"(?=\.|\Z)")


def unsourced(inst: Instance) -> list[str]:
    """Figures no source covers (zero and default figures need none)."""
    abouts = [s.about for s in inst.sources]
    return [p for p in figure_paths(inst) if not any(covers(a, p) for a in abouts)]


def first_source(inst: Instance, path: str) -> int | None:
    """Index of the first source that covers `path` (the one that states its provenance)."""
    return next((i for i, s in enumerate(inst.sources) if covers(s.about, path)), None)


def summary(inst: Instance) -> str:
    """One sentence: how many figures, by the kind of their first covering source, and how many
    are reported amounts of the budget as passed (`lines.ID.reported.YEAR`)."""
    paths = figure_paths(inst)
    kinds: dict[str, int] = {}
    for p in paths:
        i = first_source(inst, p)
        kind = inst.sources[i].kind if i is not None else "unsourced"
        kinds[kind] = kinds.get(kind, 0) + 1
    by_kind = ", ".join(f"{k} {n}" for k, n in sorted(kinds.items()))
    amounts = sum(1 for p in paths if p.split(".")[2:3] == ["reported"])
    return f"{len(paths)} figures: {by_kind}; {amounts} reported amounts of the budget as passed"
