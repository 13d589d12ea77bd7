"""Analysis layer: what-ifs on top of solving — scenario comparison, sweeps, frontiers,
near-optimal ranges and alternatives, Monte Carlo. Never imported from below."""

from allocator.analysis.compare import Comparison, compare
from allocator.analysis.frontier import Frontier, frontier, pareto
from allocator.analysis.montecarlo import MonteCarlo, monte_carlo
from allocator.analysis.near_optimal import NearOptimal, near_optimal
from allocator.analysis.sweep import parse_vary, sweep

__all__ = [
    "Comparison",
    "Frontier",
    "MonteCarlo",
    "NearOptimal",
    "compare",
    "frontier",
    "monte_carlo",
    "near_optimal",
    "pareto",
    "parse_vary",
    "sweep",
]
