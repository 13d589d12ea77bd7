"""The numbers the checker reads: money by line, year and source, choices and whole units."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Plan:
    """The numbers to check: money by (line, year), go/no-go choices and whole units."""

    gov: dict[tuple[str, int], float]
    private: dict[tuple[str, int], float]
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
