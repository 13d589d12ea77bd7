"""The checker's registries: one check per rule kind a model declares, and one per core rule every
instance carries, each found by name. `allocator.check` refuses to load when a declared rule kind
has no check, so a new kind cannot be verified by nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from allocator.check.plan import Plan

if TYPE_CHECKING:
    from allocator.check.grid import Grid
    from allocator.schema import Instance, ModelSpec

RELATIVE_TOLERANCE = 1e-6
"""Slack allowed on each rule, relative to the largest figure the rule involves (at least 1)."""
INTEGER_TOLERANCE = 1e-6


@dataclass(frozen=True)
class Violation:
    """A rule the plan breaks: which rule (kind, and the instance of it), by how much in the
    rule's own unit, the figure it enforces, and the sentence that says so."""

    kind: str
    """The check that found it: a core rule (`budget`, `line_bounds`) or a model rule kind."""
    name: str
    """The rule instance, named like the model's rows: `budget[2026]`, `line_max[AX-01,2026]`."""
    text: str
    by: float
    """How far past the rule's bound the plan is (≥ 0), in `unit`."""
    unit: str
    """`money`, `share`, `lines`, `units`, `points` or a KPI's unit."""
    figure: str | None = None
    """Path of the figure the rule enforces (`budget.2026`, `rules[4].min`), if any."""

    def __str__(self) -> str:
        return self.text


@dataclass
class Context:
    """What a check reads (instance, model, plan) and where it records what the plan breaks."""

    inst: Instance
    spec: ModelSpec
    plan: Plan
    violations: list[Violation] = field(default_factory=list)
    checked: int = 0
    """How many rule instances were checked (held or broken)."""
    _held: list[tuple[str, Any, Any]] = field(default_factory=list, repr=False)
    """What held, in the order checked: (kind, name) or (kind, name of index i, indices)."""

    @cached_property
    def grid(self) -> Grid:
        """The plan's numbers as arrays by (line, year), gathered once for every check (numpy
        is loaded here, on first use: `import allocator` need not load it)."""
        from allocator.check.grid import Grid

        return Grid(self.inst, self.plan)

    @property
    def held(self) -> dict[str, str]:
        """Rule instances found to hold, by name, with the check (kind) that checked them."""
        out: dict[str, str] = {}
        for kind, name, where in self._held:
            if where is None:
                out.setdefault(name, kind)
            else:
                for i in where.tolist():
                    out.setdefault(name(i), kind)
        return out

    def need(
        self,
        lhs: float,
        rhs: float,
        kind: str,
        name: str,
        text: str,
        *scale: float,
        unit: str = "money",
        figure: str | None = None,
    ) -> None:
        """Record a violation unless lhs ≤ rhs within the tolerance (relative to the figures)."""
        self.checked += 1
        tol = RELATIVE_TOLERANCE * max(1.0, abs(lhs), abs(rhs), *map(abs, scale))
        if lhs > rhs + tol:
            shown = f"{text} ({lhs:,.6g} > {rhs:,.6g})"
            self.violations.append(Violation(kind, name, shown, lhs - rhs, unit, figure))
        else:
            self._held.append((kind, name, None))

    def need_all(
        self,
        lhs: Any,
        rhs: Any,
        kind: str,
        name: Callable[[int], str],
        text: Callable[[int], str],
        *scale: Any,
        unit: str = "money",
        figure: Callable[[int], str] | str | None = None,
        where: Any = None,
        into: list[tuple[int, int, Violation]] | None = None,
    ) -> None:
        """`need` for many rule instances at once: lhs, rhs and each scale are arrays (or
        numbers) broadcast together and read flat, in C order; `name(i)`, `text(i)` and
        `figure(i)` say the i-th one in words and are called only for what breaks (names also
        for what holds, when `held` is read). `where` (a mask) leaves out the instances that do
        not exist; `into` collects (i, 1, violation) for a caller that interleaves them with
        its own `fail`s (at (i, 0)) before adding them in order."""
        import numpy as np

        arrays = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in (lhs, rhs, *scale)))
        left, right = arrays[0].ravel(), arrays[1].ravel()
        size = np.ones_like(left)
        for a in arrays:
            size = np.fmax(size, np.abs(a.ravel()))
        broken = left > right + RELATIVE_TOLERANCE * size
        if where is None:
            kept = ~broken
            self.checked += left.size
        else:
            mask = np.broadcast_to(np.asarray(where, dtype=bool), arrays[0].shape).ravel()
            broken &= mask
            kept = mask & ~broken
            self.checked += int(mask.sum())
        for i in np.flatnonzero(broken).tolist():
            lhs_i, rhs_i = float(left[i]), float(right[i])
            fig = figure(i) if callable(figure) else figure
            shown = f"{text(i)} ({lhs_i:,.6g} > {rhs_i:,.6g})"
            v = Violation(kind, name(i), shown, lhs_i - rhs_i, unit, fig)
            if into is None:
                self.violations.append(v)
            else:
                into.append((i, 1, v))
        self._held.append((kind, name, np.flatnonzero(kept)))

    def add_in_order(self, found: list[tuple[int, int, Violation]]) -> None:
        """Add violations collected from `need_all(into=...)` and `fail`s, in checking order."""
        self.violations += [v for _, _, v in sorted(found, key=lambda t: (t[0], t[1]))]

    def fail(
        self, kind: str, name: str, text: str, by: float, unit: str, figure: str | None = None
    ) -> None:
        """Record a violation found otherwise than by comparing two sides."""
        self.checked += 1
        self.violations.append(Violation(kind, name, text, by, unit, figure))


CoreCheck = Callable[[Context], None]
RuleCheck = Callable[[Context, Any, int], None]
"""A model rule's check: the context, the rule, and its index in the model's `rules`."""

CORE_CHECKS: dict[str, CoreCheck] = {}
"""Checks of the rules every instance carries, by the core rule's name in the formulation."""
RULE_CHECKS: dict[str, RuleCheck] = {}
"""Checks of the rule kinds a model declares, by the `rule:` name used in model files."""


def core_check(name: str) -> Callable[[CoreCheck], CoreCheck]:
    """Register the check of a core rule: `@core_check("budget")`."""

    def register(fn: CoreCheck) -> CoreCheck:
        if name in CORE_CHECKS:
            raise RuntimeError(f"core check {name!r} registered twice")
        CORE_CHECKS[name] = fn
        return fn

    return register


def check(kind: str) -> Callable[[RuleCheck], RuleCheck]:
    """Register the check of a model rule kind: `@check("group_total")`."""

    def register(fn: RuleCheck) -> RuleCheck:
        if kind in RULE_CHECKS:
            raise RuntimeError(f"check {kind!r} registered twice")
        RULE_CHECKS[kind] = fn
        return fn

    return register


def key(*parts: Any) -> str:
    """`family[a,b]`-style index text: `key("budget", 2026)` → `budget[2026]`."""
    head, *rest = parts
    return f"{head}[{','.join(str(p) for p in rest)}]"
