"""The model of an instance under a policy regime, with names that read like the policy.

`build` numbers the decision variables (columns, in named blocks), then runs every core rule and
every rule the model declares — each a small function found by name in the registry
(`allocator.formulation.registry`). A rule emits its constraints as rows of a sparse matrix over
the variables' column numbers (`Formulation.add`), which is what keeps building fast at scale; the
rows keep their policy names (`pillar_share_min[talent,2027]`) for results and explanations.
Custom rules may still be written as Pyomo constraints on `Formulation.model`; the solver layer
compiles them alongside. The Pyomo model (with one indexed variable per block) is made from the
blocks on first use, so a solve with HiGHS never imports Pyomo."""

from __future__ import annotations

import weakref
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from allocator.formulation.arrays import LineArrays
from allocator.schema import Instance, Line, ModelSpec
from allocator.schema.base import for_year
from allocator.schema.money import format_money

Sense = Literal["<=", ">=", "=="]
Terms = list[tuple[float, int]]
"""A short linear expression as (coefficient, column number) pairs."""


@dataclass(frozen=True)
class Linear:
    """A long linear expression as arrays: column numbers and their coefficients."""

    cols: np.ndarray
    coefs: np.ndarray

    def __add__(self, other: Linear) -> Linear:
        return Linear(
            np.concatenate([self.cols, other.cols]), np.concatenate([self.coefs, other.coefs])
        )

    @staticmethod
    def of(terms: Terms) -> Linear:
        """The same expression from (coefficient, column) pairs."""
        coefs = np.array([c for c, _ in terms], dtype=float)
        return Linear(np.array([j for _, j in terms], dtype=np.int64), coefs)


@dataclass(slots=True)
class Row:
    """What one constraint stands for: its rule family, the model rule behind it, its subjects."""

    name: str
    family: str
    sense: Sense
    rhs: float
    rule: int | None = None
    """Index of the model rule that declared it (None for the instance's core rules)."""
    figure: str | None = None
    """Path of the instance figure it enforces (`budget.2026`, `lines.INF-01.min`), if any."""
    text: str = ""
    """The rule in the instance's words, with its figures."""
    subjects: dict[str, Any] = field(default_factory=dict)
    """The instance's words: line, pillar, year, kpi, group."""
    unit: str = "money"
    """What the row's sides are measured in, declared by the rule that made it: `money`,
    `lines` (go/no-go choices), `units` (whole units), `points`, or a KPI's unit."""


_BOUNDS: dict[str, tuple[float, float, bool]] = {
    "nonnegative": (0.0, float("inf"), False),
    "free": (float("-inf"), float("inf"), False),
    "integer": (0.0, float("inf"), True),
    "binary": (0.0, 1.0, True),
}
"""Each domain's bounds and integrality."""


def line_year(key: tuple[Any, ...]) -> dict[str, Any]:
    """The subjects of a row keyed by (line, year)."""
    return {"line": key[0], "year": key[1]}


@dataclass(frozen=True)
class Constant:
    """A rule instance with no decision in it (all lines fixed), and whether it holds."""

    name: str
    holds: bool
    detail: str
    text: str = ""


@dataclass
class RowBlock:
    """Rows one rule emitted at once: keys, coefficients (local row, column, value), one sense,
    right-hand sides, and how to say each row in the instance's words (computed when asked)."""

    family: str
    keys: list[tuple[Any, ...]]
    entries: tuple[Any, Any, Any]
    """(row within the block, column, coefficient): arrays of equal length (`add_rows` stores
    them as int32, int32 and float64 arrays, the smallest that hold them)."""
    sense: Sense
    rhs: list[float] | np.ndarray
    rule: int | None
    text: Callable[[tuple[Any, ...]], str]
    figure: Callable[[tuple[Any, ...]], str | None]
    subjects: Callable[[tuple[Any, ...]], dict[str, Any]]
    unit: str
    """What the rows are measured in (see `Row.unit`)."""
    active: bool = True

    def name(self, key: tuple[Any, ...]) -> str:
        """The row's policy name: `family[key]`."""
        return f"{self.family}[{','.join(str(part) for part in key)}]"


Domain = Literal["nonnegative", "free", "integer", "binary"]


@dataclass(frozen=True)
class Block:
    """One indexed variable (`gov`, `private`, ...): its name, its columns (`start` onwards, one
    per key) and its domain; its Pyomo component is made with the Pyomo model, on first use."""

    name: str
    start: int
    keys: list[Any]
    domain: Domain = "nonnegative"
    owner: Callable[[], Formulation | None] | None = field(default=None, repr=False, compare=False)
    """The formulation holding the block (a weak reference: no cycle to keep it alive)."""

    @property
    def component(self) -> Any:
        """The Pyomo variable `name[key]` on the formulation's Pyomo model (made if need be)."""
        built = self.owner() if self.owner is not None else None
        if built is None:
            raise ValueError(f"variable block {self.name} belongs to no formulation")
        return built.model.component(self.name)


@dataclass
class Formulation(LineArrays):
    """A built model: variables (numbered columns in named blocks), rule rows (a sparse matrix
    with policy names), objective, and the maps from the instance's words (line, year, KPI) to
    column numbers. `model`, the Pyomo model of the variables, is made when first asked for."""

    inst: Instance
    spec: ModelSpec
    sense: Literal["max", "min"] = "max"
    gov: dict[tuple[str, int], int] = field(default_factory=dict)
    private: dict[tuple[str, int], int] = field(default_factory=dict)
    units: dict[tuple[str, int], int] = field(default_factory=dict)
    selected: dict[str, int] = field(default_factory=dict)
    level: dict[tuple[str, int], int] = field(default_factory=dict)
    shortfall: dict[tuple[str, int], int] = field(default_factory=dict)
    draw: dict[tuple[str, str, int], int] = field(default_factory=dict)
    """Private money a named fund puts into a line in a year: (fund, line, year)."""
    carry: dict[int, int] = field(default_factory=dict)
    """Government money carried from a year into the next (out of the last year: final cash)."""
    borrow: dict[int, int] = field(default_factory=dict)
    """Money borrowed in a year, repaid with interest the next."""
    scale: dict[str, int] = field(default_factory=dict)
    """The share (or copies) of a profiled line's project taken; a go/no-go line's choice."""
    starts: dict[tuple[str, int], int] = field(default_factory=dict)
    """Whole units (teams, sites) a line with a span starts in a year."""
    segment: dict[tuple[str, int, int], int] = field(default_factory=dict)
    """Government money on each segment of a line's curve: (line, year, segment)."""
    reached: dict[tuple[str, int, int], int] = field(default_factory=dict)
    """Whether a non-concave curve's segment is reached (line, year, segment ≥ 1)."""
    protect: dict[str, int] = field(default_factory=dict)
    """Robust objective: the protection's budget price (`all`) and each line's share of it."""
    row_blocks: list[RowBlock] = field(default_factory=list)
    row_count: int = 0
    constants: list[Constant] = field(default_factory=list)
    vacuous: list[int] = field(default_factory=list)
    """Model rules (by index) that produced no constraint (a ramp on a one-year instance, say)."""
    lines: dict[str, Line] = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)
    lower: list[float] = field(default_factory=list)
    upper: list[float] = field(default_factory=list)
    integer: list[bool] = field(default_factory=list)
    cost: np.ndarray = field(default_factory=lambda: np.zeros(0))
    offset: float = 0.0
    pyomo_blocks: int = 0
    """How many of `row_blocks` are Pyomo constraints on `model` (`to_pyomo`)."""
    _model: Any = field(default=None, repr=False)
    _rule: int | None = None
    _rows: dict[str, Row] | None = None
    _gov_columns: dict[int, np.ndarray] = field(default_factory=dict)
    _arrays: dict[Any, Any] = field(default_factory=dict, repr=False)
    """Per-line arrays made once (`gov_grid`, `private_grid`, `line_floors`, ...)."""
    _origin: Formulation | None = field(default=None, repr=False, compare=False)
    """For a copy: the formulation built, which its rows' texts refer to (kept alive)."""

    def __post_init__(self) -> None:
        self.lines = {line.id: line for line in self.inst.lines}

    def __copy__(self) -> Formulation:
        """A view sharing the rows (with bounds or an objective of its own, say): it keeps the
        formulation built alive, since the rows' texts refer to that one weakly (`build`)."""
        view = object.__new__(Formulation)
        view.__dict__.update(self.__dict__)
        view._origin = self._origin or self
        return view

    @property
    def model(self) -> Any:
        """The Pyomo model (`pyo.ConcreteModel`) with one indexed variable per block
        (`m.gov["INF-01", 2026]`), made on first use: for constraints of one's own, `to_pyomo`
        and solvers other than HiGHS. The HiGHS path never makes it unless asked."""
        if self._model is None:
            from allocator.formulation.pyomo_model import variables_model

            self._model = variables_model(self)
        return self._model

    @property
    def model_made(self) -> bool:
        """Whether the Pyomo model exists (something asked for it); if not, it holds nothing of
        one's own and the HiGHS path has no Pyomo constraint to compile."""
        return self._model is not None

    def add_block(self, name: str, keys: list[Any], domain: Domain) -> dict[Any, int]:
        """A block of variables `name[key]` over `keys`, one column each, with the domain's
        bounds and integrality; returns key → column number."""
        lo, hi, whole = _BOUNDS[domain]
        start = self.columns
        self.blocks.append(Block(name, start, keys, domain, weakref.ref(self)))
        n = len(keys)
        self.lower.extend([lo] * n)
        self.upper.extend([hi] * n)
        self.integer.extend([whole] * n)
        return dict(zip(keys, range(start, start + n), strict=True))

    @property
    def columns(self) -> int:
        """Number of decision variables."""
        return len(self.lower)

    def _column(self, j: int) -> tuple[Block, Any]:
        block = self.blocks[bisect_right([b.start for b in self.blocks], j) - 1]
        return block, block.keys[j - block.start]

    def column_name(self, j: int) -> str:
        """The variable's name as people read it: `gov[INF-01,2026]`."""
        block, key = self._column(j)
        inside = ",".join(str(k) for k in key) if isinstance(key, tuple) else str(key)
        return f"{block.name}[{inside}]"

    def variable(self, j: int) -> Any:
        """The Pyomo variable of column `j`, for custom rules written in Pyomo."""
        block, key = self._column(j)
        return block.component[key]

    def deactivate(self, family: str) -> None:
        """Drop every row of a rule family (for what-ifs and tests at the solve layer)."""
        for block in self.row_blocks:
            if block.family == family:
                block.active = False
        made = self._model.component(family) if self._model is not None else None
        if made is not None and self.pyomo_blocks:
            made.deactivate()
        self._rows = None

    def to_pyomo(self) -> Any:
        """The complete Pyomo model: `model` with every rule row as a named constraint
        (`m.pillar_share_min["talent", 2027]`), the variables' bounds and the objective
        (`allocator.formulation.pyomo_model`). Built only when asked; the HiGHS path never needs
        it, and ignores the generated constraints while it compiles one's own."""
        from allocator.formulation.pyomo_model import to_pyomo

        return to_pyomo(self)

    @property
    def rows(self) -> dict[str, Row]:
        """Every active rule row by name, with its text, figure and subjects (made on first use)."""
        if self._rows is not None:
            return self._rows
        rows: dict[str, Row] = {}
        for block in self.row_blocks:
            if not block.active:
                continue
            rhs = block.rhs.tolist() if isinstance(block.rhs, np.ndarray) else block.rhs
            for k, key in enumerate(block.keys):
                name = block.name(key)
                rows[name] = Row(
                    name,
                    block.family,
                    block.sense,
                    rhs[k],
                    block.rule,
                    block.figure(key),
                    block.text(key),
                    block.subjects(key),
                    block.unit,
                )
        self._rows = rows
        return rows

    # -- helpers the rules use ------------------------------------------------------------
    def money_in(self, line: str, year: int) -> Terms:
        """All money a line gets in a year (government, private pool, funds) as terms."""
        terms: Terms = [(1.0, self.gov[line, year])]
        if (line, year) in self.private:
            terms.append((1.0, self.private[line, year]))
        terms += [(1.0, self.draw[f.id, line, year]) for f in self.inst.funds if line in f.lines]
        return terms

    def money(self, amount: float) -> str:
        """An amount in the instance's currency unit, for rule texts."""
        return format_money(amount, self.inst.currency_unit)

    def pillar_name(self, pillar_id: str) -> str:
        """The pillar's name as the instance writes it."""
        return next((p.name for p in self.inst.pillars if p.id == pillar_id), pillar_id)

    def line_max(self, line_id: str, year: int) -> float | None:
        """The line's government-money cap in `year` (None: no cap beyond the budget)."""
        return for_year(self.lines[line_id].max, year, None)

    def line_min(self, line_id: str, year: int) -> float:
        """The line's government-money floor in `year`."""
        value = for_year(self.lines[line_id].min, year, 0.0)
        return value or 0.0

    def select_terms(self, line_id: str, coef: float = 1.0) -> tuple[Terms, float]:
        """`coef·s[line]` as terms, or as a constant when the line is not a go/no-go decision."""
        var = self.selected.get(line_id)
        return ([(coef, var)], 0.0) if var is not None else ([], coef)

    def line_cap(self, line_id: str, year: int) -> float:
        """The line's cap in `year`, or the year's budget where it has none."""
        cap = self.line_max(line_id, year)
        return cap if cap is not None else self.inst.budget_in(year)

    def gov_columns(self, year: int) -> np.ndarray:
        """Column numbers of g[l, year] for every line, in the instance's line order."""
        if year not in self._gov_columns:
            t = self.inst.years.index(year)
            self._gov_columns[year] = np.ascontiguousarray(self.gov_grid()[:, t])
        return self._gov_columns[year]

    def line_mask(self, keep: Callable[[Line], bool]) -> np.ndarray:
        """Which lines (in the instance's order) `keep` accepts."""
        return np.array([keep(line) for line in self.inst.lines], dtype=bool)

    def total_gov(self, year: int, coef: float = 1.0, mask: np.ndarray | None = None) -> Linear:
        """`coef · Σ g[l, year]` over the lines in `mask` (default: every line)."""
        cols = self.gov_columns(year)
        if mask is not None:
            cols = cols[mask]
        return Linear(cols, np.full(cols.size, coef))

    def add(
        self,
        family: str,
        index: tuple[Any, ...],
        terms: Terms | Linear,
        sense: Sense,
        rhs: float,
        constant: float = 0.0,
        figure: str | None = None,
        text: str = "",
        *,
        unit: str,
        **subjects: Any,
    ) -> None:
        """Add one row `Σ terms + constant (sense) rhs` as `family[index]`, saying what it is and
        what it is measured in (`unit`: money, lines, units, points or a KPI's unit)."""
        bound = rhs - constant
        linear = terms if isinstance(terms, Linear) else Linear.of(terms)
        nonzero = linear.coefs != 0
        cols, coefs = linear.cols[nonzero], linear.coefs[nonzero]
        if not cols.size:
            name = f"{family}[{','.join(str(i) for i in index)}]"
            ok = {"<=": bound + 1e-9 >= 0, ">=": bound - 1e-9 <= 0, "==": abs(bound) <= 1e-9}
            detail = f"{constant:g} {sense} {rhs:g}"
            self.constants.append(Constant(name, ok[sense], detail, text))
            return
        self.add_rows(
            family,
            [index],
            (np.zeros(cols.size, np.int64), cols, coefs),
            sense,
            [bound],
            text=lambda _: text,
            figure=lambda _: figure,
            subjects=lambda _: subjects,
            unit=unit,
        )

    def add_rows(
        self,
        family: str,
        keys: list[tuple[Any, ...]],
        entries: tuple[Any, Any, Any],
        sense: Sense,
        rhs: list[float] | np.ndarray,
        *,
        text: Callable[[tuple[Any, ...]], str],
        figure: Callable[[tuple[Any, ...]], str | None],
        subjects: Callable[[tuple[Any, ...]], dict[str, Any]],
        unit: str,
    ) -> None:
        """Add a block of rows `family[key]` at once: `entries` are (row within the block,
        column, coefficient) triplets; the text, figure and subjects of a row are computed from
        its key only when an explanation asks for them."""
        if not keys:
            return
        rows, cols, values = entries
        compact = (
            np.asarray(rows, dtype=np.int32),
            np.asarray(cols, dtype=np.int32),
            np.asarray(values, dtype=float),
        )
        block = RowBlock(
            family, keys, compact, sense, rhs, self._rule, text, figure, subjects, unit
        )
        self.row_blocks.append(block)
        self.row_count += len(keys)
        self._rows = None
