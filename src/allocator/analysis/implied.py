r"""Implied values (inverse optimisation; Ahuja & Orlin, "Inverse optimization", Operations
Research 49(5), 2001): the objective values closest to the instance's under which a given
feasible plan is optimal.

The model is the LP `max c(θ)·x` s.t. `r_lo ≤ A x ≤ r_hi`, `l ≤ x ≤ u`, where the costs depend
linearly on the figures θ that may move (each line's `impact` on its government money, its
`private_impact` on its pool and fund money, each KPI weight `w_k` as `−w_k / target` on its
shortfalls). x⁰ is the plan (its money fixed, every other column at its best for the plan, whole
units and go/no-go choices held). x⁰ is optimal under c(θ) exactly when some dual point is
feasible and closes the gap (strong duality):

$$\min \sum_k \omega_k |\theta_k - \hat\theta_k| \quad\text{s.t.}\quad
A^\top(\alpha - \beta) + \mu - \nu = c(\theta),\;
c(\theta)\cdot x^0 \ge r_{hi}\cdot\alpha - r_{lo}\cdot\beta + u\cdot\mu - l\cdot\nu,\;
\alpha, \beta, \mu, \nu \ge 0$$

with ω_k = 1/|θ̂_k| (a relative distance; 1 when the given value is 0) and the multipliers of
infinite bounds absent. Weak duality makes the gap row an equality at the answer.

Worked by hand (tests/test_implied.py): budget 100, lines x (impact 3, max 80), y (impact 1,
max 100), z (impact 2, max 100). The optimum is x 80, z 20 (objective 280). The plan x 80, y 20
is optimal when y is worth at least z: moving only y (weight 1/1) costs |θ_y − 1| with θ_y ≥ 2
(total change 1); moving only z (weight 1/2) costs |θ_z − 2|/2 with θ_z ≤ 1 (0.5). Both free: z
falls to 1 (weighted change 0.5, less than y's 1), so the implied values are y 1, z 1."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import sparse

from allocator.api import evaluate
from allocator.errors import AllocatorError
from allocator.formulation import build
from allocator.schema import Instance, ModelSpec, resolve_model
from allocator.schema.provenance import covers
from allocator.solver.compile import compile_matrix
from allocator.solver.highs import run_highs
from allocator.solver.inverse import solve_lp
from allocator.solver.status import Status

if TYPE_CHECKING:
    from allocator.formulation import Formulation


FIX_ROOM = 1e-8
"""Relative room around each fixed amount when completing the plan (rounding in a plan file)."""


@dataclass
class ImpliedValues:
    """The values under which the plan is optimal, or why there are none."""

    values: pd.DataFrame
    """figure, given, implied, changed."""
    possible: bool
    total_change: float = 0.0
    """Σ |implied − given| over the figures."""
    weighted_change: float = 0.0
    """Σ |implied − given| / |given| (the distance minimised)."""
    held: list[str] = field(default_factory=list)
    """Integer choices held at the plan's (go/no-go lines, whole units)."""
    blocked_by: list[str] = field(default_factory=list)
    """Rules the plan breaks (then no values make it optimal)."""
    notes: list[str] = field(default_factory=list)

    def headline(self) -> str:
        """One sentence: what it takes for the plan to be optimal."""
        if not self.possible:
            if self.blocked_by:
                return (
                    "no values make the plan optimal: it breaks "
                    + ", ".join(self.blocked_by)
                    + " (a plan must satisfy every rule to be an optimum)"
                )
            return (
                "no change of the named values makes the plan optimal: the values that stay "
                "fixed (and the rules) favour another plan; name more figures with --figure"
            )
        moved = int(self.values.changed.sum())
        if not moved:
            return "the plan is already optimal under the given values (total change 0)"
        return (
            f"the plan is optimal if {moved} value{'s' if moved != 1 else ''} change (total "
            f"change {self.total_change:,.6g}; relative {self.weighted_change:,.4g}):"
        )


def implied_values(
    inst: Instance,
    plan: str | Path | pd.DataFrame,
    model: ModelSpec | str | Path | None = None,
    figures: list[str] | None = None,
) -> ImpliedValues:
    """The objective values closest to the instance's under which `plan` is optimal: over the
    figures named in `figures` (paths `lines.ID.impact`, `lines.ID.private_impact`,
    `targets.weights.KPI`; globs allowed), by default every impact, private impact and KPI weight
    that no source marks as reported or derived."""
    spec = resolve_model(inst, model)
    if spec.objective not in ("max_impact", "goal"):
        raise AllocatorError(
            f"implied values need an objective with values to infer (max_impact or goal); "
            f"{spec.name} has {spec.objective}"
            + (
                ": a prioritised model is solved level by level, with no single set of values"
                if spec.objective == "lexicographic"
                else ""
            )
        )
    scored = evaluate(inst, plan, spec)
    if not scored.verified:
        blocked = [v.name for v in scored.violations]
        empty = pd.DataFrame(columns=["figure", "given", "implied", "changed"])
        return ImpliedValues(empty, False, blocked_by=blocked)
    built = build(inst, spec)
    named = _figures(inst, spec, built, figures)
    held = _fix_plan(built, scored.plan())
    sol = run_highs(built)
    if not sol.status.has_allocation:
        raise AllocatorError(
            "the plan passes the checker within its tolerance, but the model with the plan's "
            f"amounts fixed is {sol.status.value}: give the amounts with more digits"
        )
    x0 = sol.x.copy()
    notes: list[str] = []
    if held:
        integer = np.asarray(built.integer, dtype=bool)
        lower, upper = np.asarray(built.lower), np.asarray(built.upper)
        built.lower = list(np.where(integer, np.round(x0), lower))
        built.upper = list(np.where(integer, np.round(x0), upper))
        notes.append(
            "the plan's whole-unit and go/no-go choices are held; the values make it optimal "
            "among plans with the same choices"
        )
    for lid, _y, _k in built.segment:
        notes.append(f"{lid} has a curve: its impact is the curve's, not a figure that moves")
        break
    # The money columns were fixed to complete the plan; free them for the optimality test.
    _free_money(built, inst)
    found = _solve_inverse(built, x0, named, held, notes)
    if not found.possible and figures is not None:
        # Which other values would have to move: the same question with every value free.
        wider = _solve_inverse(built, x0, _figures(inst, spec, built, ["*"]), held, [])
        chosen = {f for f, _, _ in named}
        others = wider.values[wider.values.changed & ~wider.values.figure.isin(chosen)]
        if wider.possible and len(others):
            found.notes.append(
                "the named values alone cannot make the plan optimal; it is optimal if these "
                "also move: " + ", ".join(others.figure)
            )
        elif not wider.possible:
            found.notes.append(
                "no objective value can make the plan optimal: the curves' values or the "
                "robust protection favour another plan"
            )
    return found


def _figures(
    inst: Instance, spec: ModelSpec, built: Formulation, wanted: list[str] | None
) -> list[tuple[str, float, dict[int, float]]]:
    """(figure, given value, {column: cost per unit of the figure}) for each figure that moves."""
    sign = -1.0 if built.sense == "max" else 1.0
    targets = {(t.kpi, t.year): t.value for t in inst.targets}
    found: list[tuple[str, float, dict[int, float]]] = []
    for line in inst.lines:
        if built.sense == "max" and spec.objective == "max_impact":
            if not line.curve:
                cols = {j: 1.0 for (lid, _), j in built.gov.items() if lid == line.id}
                found.append((f"lines.{line.id}.impact", line.impact, cols))
            cols = {j: 1.0 for (lid, _), j in built.private.items() if lid == line.id}
            cols |= {j: 1.0 for (_, lid, _), j in built.draw.items() if lid == line.id}
            if cols:
                found.append((f"lines.{line.id}.private_impact", line.private_impact, cols))
    for kpi in sorted({k for k, _ in built.shortfall}):
        cols = {j: sign / targets[k, y] for (k, y), j in built.shortfall.items() if k == kpi}
        found.append((f"targets.weights.{kpi}", spec.weight(kpi), cols))
    if wanted is None:
        kinds = {s.about: s.kind for s in inst.sources}
        firm = [a for a, kind in kinds.items() if kind in ("reported", "derived")]
        chosen = [f for f in found if not any(covers(a, f[0]) for a in firm)]
    else:
        unknown = [w for w in wanted if not any(fnmatchcase(f[0], w) for f in found)]
        if unknown:
            raise AllocatorError(
                f"no objective value named {', '.join(unknown)}; the values that can move are "
                + ", ".join(f[0] for f in found[:8])
                + (" ..." if len(found) > 8 else "")
            )
        chosen = [f for f in found if any(fnmatchcase(f[0], w) for w in wanted)]
    if not chosen:
        raise AllocatorError(
            "no objective value may move: every impact and weight is sourced as reported or "
            "derived; name the ones to move with --figure"
        )
    return chosen


def _fix_plan(built: Formulation, plan: Any) -> list[str]:
    """Fix the money columns at the plan's amounts; the integer choices it implies, by name."""
    amounts = [(j, plan.g(*key)) for key, j in built.gov.items()]
    amounts += [(j, plan.p(*key)) for key, j in built.private.items()]
    amounts += [(j, plan.draws.get(key, 0.0)) for key, j in built.draw.items()]
    for j, value in amounts:  # a hair of room: a plan's amounts are rounded in its file
        room = FIX_ROOM * abs(value)
        built.lower[j], built.upper[j] = max(0.0, value - room), value + room
    return sorted({built.column_name(j) for j, whole in enumerate(built.integer) if whole})


def _free_money(built: Formulation, inst: Instance) -> None:
    fresh = build(inst, built.spec)
    money = [*built.gov.values(), *built.private.values(), *built.draw.values()]
    for j in money:
        built.lower[j], built.upper[j] = fresh.lower[j], fresh.upper[j]


def _solve_inverse(
    built: Formulation,
    x0: np.ndarray,
    named: list[tuple[str, float, dict[int, float]]],
    held: list[str],
    notes: list[str],
) -> ImpliedValues:
    lp = compile_matrix(built).lp
    n, m, k = built.columns, lp.num_row_, len(named)
    a = sparse.csc_array(
        (
            np.asarray(lp.a_matrix_.value_),
            np.asarray(lp.a_matrix_.index_),
            np.asarray(lp.a_matrix_.start_),
        ),
        shape=(m, n),
    )
    flip = 1.0 if built.sense == "max" else -1.0  # as a maximisation
    c0 = flip * np.asarray(built.cost, dtype=float)
    coef = sparse.lil_array((n, k))
    for i, (_, value, cols) in enumerate(named):
        for j, per in cols.items():
            coef[j, i] = flip * per
            c0[j] -= flip * per * value
    coef = sparse.csc_array(coef)
    rl, ru = np.asarray(lp.row_lower_), np.asarray(lp.row_upper_)
    cl, cu = np.asarray(built.lower, dtype=float), np.asarray(built.upper, dtype=float)
    big = 1e20
    ra, rb = np.flatnonzero(ru < big), np.flatnonzero(rl > -big)
    ca, cb = np.flatnonzero(cu < big), np.flatnonzero(cl > -big)
    # Variables: θ (k), t+ (k), t- (k), α (ra), β (rb), μ (ca), ν (cb).
    eye = sparse.identity(n, format="csc")
    at = sparse.csc_array(a.T)
    stationarity = sparse.hstack(
        [-coef, sparse.csc_array((n, 2 * k)), at[:, ra], -at[:, rb], eye[:, ca], -eye[:, cb]]
    )
    gap_row = sparse.csc_array(
        np.concatenate([coef.T @ x0, np.zeros(2 * k), -ru[ra], rl[rb], -cu[ca], cl[cb]]).reshape(
            1, -1
        )
    )
    ik = sparse.identity(k, format="csc")
    closeness = sparse.hstack(
        [ik, -ik, ik, sparse.csc_array((k, len(ra) + len(rb) + len(ca) + len(cb)))]
    )
    rows = sparse.vstack([stationarity, gap_row, closeness], format="csc")
    given = np.array([g for _, g, _ in named], dtype=float)
    scale = max(1.0, float(np.abs(c0 @ x0)), float(np.abs(given).max(initial=0.0)))
    lo = np.concatenate([c0, [-float(c0 @ x0) - 1e-9 * scale], given])
    hi = np.concatenate([c0, [math.inf], given])
    weight = np.where(given != 0, 1.0 / np.where(given != 0, np.abs(given), 1.0), 1.0)
    cost = np.concatenate([np.zeros(k), weight, weight, np.zeros(rows.shape[1] - 3 * k)])
    var_lo = np.concatenate([np.full(k, -math.inf), np.zeros(rows.shape[1] - k)])
    var_hi = np.full(rows.shape[1], math.inf)
    status, x = solve_lp(cost, rows, lo, hi, var_lo, var_hi)
    if status != Status.optimal:
        empty = pd.DataFrame(columns=["figure", "given", "implied", "changed"])
        return ImpliedValues(empty, False, held=held, notes=notes)
    theta = x[:k]
    tol = 1e-7 * np.maximum(1.0, np.abs(given))
    theta = np.where(np.abs(theta - given) <= tol, given, theta)
    theta = np.where(np.abs(theta) <= 1e-7 * max(1.0, float(np.abs(given).max())), 0.0, theta)
    theta = np.array([float(f"{v:.9g}") for v in theta])  # the LP's last digits are noise
    values = pd.DataFrame(
        {
            "figure": [f for f, _, _ in named],
            "given": given,
            "implied": theta,
            "changed": np.abs(theta - given) > 0,
        }
    )
    change = np.abs(theta - given)
    return ImpliedValues(
        values,
        True,
        float(change.sum()),
        float((weight * change).sum()),
        held=held,
        notes=notes,
    )
