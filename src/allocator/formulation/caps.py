"""Core rules that cap a line's money beyond its yearly bounds: a project's total over the
horizon, and a named fund's draws into one eligible line. Each emits nothing for an instance that
does not use its field. Each builder's docstring holds its formula (the docs' rule pages)."""

from __future__ import annotations

from allocator.formulation.model import Formulation, Terms
from allocator.formulation.registry import core_rule
from allocator.schema.base import for_year


@core_rule("line_total")
def line_total(b: Formulation) -> None:
    r"""A line's money over the whole horizon stays within its total cap.

    $$
    \sum_y \Big(g_{l,y} + p_{l,y} + \textstyle\sum_f d_{f,l,y}\Big) \le \overline{T}_l
    $$

    The cap is the line's `total_max`; all money counts: government, private pool and fund draws
    (a project's total cost). For a
    multi-year project whose yearly bounds would allow more than the project costs (the
    National AI Computing Center: about 2.9 T won of public and private money to 2030).

    Name: `line_total[INF-02]`.
    """
    years = b.inst.years
    draws: dict[str, Terms] = {}
    for (_, lid, _), col in b.draw.items():
        draws.setdefault(lid, []).append((1.0, col))
    for line in b.inst.lines:
        if line.total_max is None:
            continue
        terms: Terms = [(1.0, b.gov[line.id, y]) for y in years]
        terms += [(1.0, b.private[line.id, y]) for y in years if (line.id, y) in b.private]
        terms += draws.get(line.id, [])
        b.add(
            "line_total",
            (line.id,),
            terms,
            "<=",
            line.total_max,
            figure=f"lines.{line.id}.total_max",
            line=line.id,
            text=f"{line.name} gets at most {b.money(line.total_max)} of all money over "
            f"{years[0]}–{years[-1]}",
            unit="money",
        )


@core_rule("fund_line_cap")
def fund_line_cap(b: Formulation) -> None:
    r"""A named fund draws at most its per-line cap into an eligible line each year.

    $$
    d_{f,l,y} \le \overline{d}_{f,l,y} \qquad l \in \text{line\_caps}_f
    $$

    `funds[].line_caps: {LINE: amount}` (one amount for every year, or `{YEAR: amount}`): the
    fund may finance the line, but no more than this; without it the optimiser could route the
    whole fund into the line with the highest private value.

    Name: `fund_line_cap[ngf,INF-02,2027]`.
    """
    for fund in b.inst.funds:
        for lid, caps in (fund.line_caps or {}).items():
            for y in b.inst.years:
                cap = for_year(caps, y, None)
                if cap is None:
                    continue
                b.add(
                    "fund_line_cap",
                    (fund.id, lid, y),
                    [(1.0, b.draw[fund.id, lid, y])],
                    "<=",
                    cap,
                    figure=f"funds.{fund.id}.line_caps.{lid}",
                    fund=fund.id,
                    line=lid,
                    year=y,
                    text=f"{fund.name} draws at most {b.money(cap)} into {b.lines[lid].name} "
                    f"in {y}",
                    unit="money",
                )
