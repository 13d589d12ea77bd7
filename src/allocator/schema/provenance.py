"""Provenance: which figures of an instance no `sources` entry covers."""

from __future__ import annotations

import re
from collections.abc import Callable
from fnmatch import translate
from functools import lru_cache

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
    return _first((about,))(path) is not None


@lru_cache(maxsize=256)
def _first(abouts: tuple[str, ...]) -> Callable[[str], int | None]:
    """The index of the first of `abouts` that covers a path (None: none does), all of them
    matched at once: one pattern with an alternative per `about` (its glob, then a dot or the
    end), tried in order; an `about` with glob characters also covers its literal self."""
    end = r"\Z"  # `translate` gives `(?s:GLOB)\Z`: the glob over the whole text
    globs = [translate(about).removesuffix(end) for about in abouts]
    parts = [f"(?P<s{i}>{glob}(?=\\.|{end}))" for i, glob in enumerate(globs)]
    pattern = re.compile("|".join(parts)) if parts else None
    literal = [(i, a) for i, a in enumerate(abouts) if any(c in a for c in "*?[")]

    def first(path: str) -> int | None:
        found = pattern.match(path) if pattern is not None else None
        best = int(found.lastgroup[1:]) if found is not None and found.lastgroup else None
        for i, about in literal:
            if best is not None and i >= best:
                break
            if about == path or path.startswith(about + "."):
                return i
        return best

    return first


def unsourced(inst: Instance) -> list[str]:
    """Figures no source covers (zero and default figures need none)."""
    first = source_finder(inst)
    return [p for p in figure_paths(inst) if first(p) is None]


def source_finder(inst: Instance) -> Callable[[str], int | None]:
    """path → index of the first source that covers it (the one that states its provenance),
    None where none does; made once for a run of paths."""
    return _first(tuple(s.about for s in inst.sources))


def first_source(inst: Instance, path: str) -> int | None:
    """Index of the first source that covers `path` (the one that states its provenance)."""
    return source_finder(inst)(path)


def summary(inst: Instance) -> str:
    """One sentence: how many figures, by the kind of their first covering source, and how many
    are line amounts of the budget as passed (`lines.ID.reported.YEAR`), by their own kind (a
    2025 amount carried into 2026 is assumed, an amount split from a reported total derived)."""
    paths = figure_paths(inst)

    first = source_finder(inst)

    def by_kind(chosen: list[str]) -> str:
        kinds: dict[str, int] = {}
        for p in chosen:
            i = first(p)
            kind = inst.sources[i].kind if i is not None else "unsourced"
            kinds[kind] = kinds.get(kind, 0) + 1
        return ", ".join(f"{k} {n}" for k, n in sorted(kinds.items()))

    amounts = [p for p in paths if p.split(".")[2:3] == ["reported"]]
    said = f"{len(paths)} figures: {by_kind(paths)}"
    if not amounts:
        return said
    return f"{said}; the budget as passed: {len(amounts)} line amounts ({by_kind(amounts)})"
