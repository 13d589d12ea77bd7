"""The numbers the checker reads: money by line, year and source, choices and whole units."""

from __future__ import annotations

from collections.abc import ItemsView, Iterator, Mapping, Sequence, ValuesView
from dataclasses import dataclass, field
from itertools import compress, product
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

Cell = tuple[str, int]


class Cells(Mapping[Cell, float]):
    """Numbers by (line, year) held as a lines × years array, read like a dict (read-only): a
    solve's money comes as arrays, and the checker and the tables take the array itself instead
    of a dict of 100,000 cells built and gathered again. `present` marks the cells that exist
    (a line with no private money has no private cell); all exist when it is None. Keys come
    line by line, year by year."""

    def __init__(
        self,
        ids: Sequence[str],
        years: Sequence[int],
        values: np.ndarray,
        present: np.ndarray | None = None,
    ) -> None:
        import numpy as np  # not at `import allocator`, which loads this module

        self.ids, self.years = list(ids), list(years)
        self.array = np.array(values, dtype=float).reshape(len(self.ids), len(self.years))
        self.array.setflags(write=False)
        self.present = None if present is None or present.all() else present.astype(bool)
        self._row: dict[str, int] | None = None

    def holds(self, ids: Sequence[str], years: Sequence[int]) -> bool:
        """Whether the array is laid out by exactly these lines and years."""
        return (self.ids is ids or self.ids == list(ids)) and self.years == list(years)

    def full(self) -> np.ndarray:
        """The lines × years array, 0 where a cell does not exist."""
        import numpy as np

        return self.array if self.present is None else np.where(self.present, self.array, 0.0)

    def __getitem__(self, cell: Cell) -> float:
        if self._row is None:
            self._row = {lid: i for i, lid in enumerate(self.ids)}
        try:
            line, year = cell
            i, j = self._row[line], self.years.index(year)
        except (KeyError, ValueError, TypeError):
            raise KeyError(cell) from None
        if self.present is not None and not self.present[i, j]:
            raise KeyError(cell)
        return float(self.array[i, j])

    def __iter__(self) -> Iterator[Cell]:
        cells = product(self.ids, self.years)
        return cells if self.present is None else compress(cells, self.present.ravel().tolist())

    def __len__(self) -> int:
        return self.array.size if self.present is None else int(self.present.sum())

    def _flat(self) -> list[float]:
        flat = self.array.ravel()
        return (flat if self.present is None else flat[self.present.ravel()]).tolist()

    def values(self) -> ValuesView[float]:
        return _Values(self)

    def items(self) -> ItemsView[Cell, float]:
        return _Items(self)

    def __repr__(self) -> str:
        return f"Cells({dict(self.items())!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (Cells, (self.ids, self.years, self.array, self.present))


class _Values(ValuesView[float]):
    _mapping: Cells

    def __iter__(self) -> Iterator[float]:
        return iter(self._mapping._flat())


class _Items(ItemsView[Cell, float]):
    _mapping: Cells

    def __iter__(self) -> Iterator[tuple[Cell, float]]:
        return zip(iter(self._mapping), self._mapping._flat(), strict=True)


@dataclass
class Plan:
    """The numbers to check: money by (line, year), go/no-go choices and whole units."""

    gov: Mapping[tuple[str, int], float]
    """A dict, or `Cells` (a solve's numbers, read-only)."""
    private: Mapping[tuple[str, int], float]
    selected: dict[str, bool]
    units: dict[tuple[str, int], float]
    draws: dict[tuple[str, str, int], float] = field(default_factory=dict)
    """Private money from a named fund: (fund, line, year)."""
    carry: dict[int, float] = field(default_factory=dict)
    """Government money carried from a year into the next (out of the last: final cash)."""
    borrow: dict[int, float] = field(default_factory=dict)
    """Money borrowed in a year, repaid with interest the next."""
    scale: dict[str, float] = field(default_factory=dict)
    """The share or copies taken of each profiled line's project (1/0 for a go/no-go one)."""
    starts: dict[tuple[str, int], float] = field(default_factory=dict)
    """Whole units started in a year, for lines with a span."""
    levels: dict[tuple[str, int], float] = field(default_factory=dict)
    """KPI levels as the solve reported them (checked against the levels the money yields)."""

    def money(self, line: str, year: int) -> float:
        """All the money a line gets in a year: government, private pool and funds."""
        funds = sum(v for (_, lid, y), v in self.draws.items() if lid == line and y == year)
        return self.g(line, year) + self.p(line, year) + funds

    def g(self, line: str, year: int) -> float:
        """Government money."""
        return self.gov.get((line, year), 0.0)

    def p(self, line: str, year: int) -> float:
        """Private money."""
        return self.private.get((line, year), 0.0)

    def s(self, line: str) -> float:
        """1 for a funded go/no-go line or a line that is not one, else 0."""
        return 1.0 if self.selected.get(line, True) else 0.0
