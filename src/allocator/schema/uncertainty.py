"""Uncertain figures of an instance: a distribution on each, a seed and a number of samples.

uncertainty:
  seed: 2026
  samples: 200
  parameters:
    - {path: lines.RND-11.leverage, dist: triangular, low: 8, mode: 15, high: 15}
    - {path: lines.INF-01.yields.gpus, dist: uniform, low: 0.8, high: 1.2, relative: true}
    - {path: budget, dist: normal, mean: 1.0, sd: 0.05, relative: true}

Paths are written as in scenario files (`allocator.schema.scenario`). With `relative: true` the
draw multiplies the stated figure (every year of a per-year figure by the same draw); otherwise it
replaces it.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator

from allocator.schema.base import SMALLEST, Finite, Strict
from allocator.schema.names import column_key
from allocator.schema.paths import locate_figure

MAX_SEED = 2**63 - 1
"""The largest random seed (seeds are whole numbers from 0)."""
MAX_SAMPLES = 1_000_000
"""The most samples one Monte Carlo run draws."""

PARAMETERS = {
    "uniform": ("low", "high"),
    "triangular": ("low", "mode", "high"),
    "normal": ("mean", "sd"),
    "lognormal": ("median", "sigma"),
}
"""The figures each distribution needs; normal and lognormal may also take low/high to clip."""


class UncertainParameter(Strict):
    """One uncertain figure and its distribution."""

    path: str
    """The figure, as a scenario path: `lines.RND-11.leverage`, `budget.2027`, `budget`."""
    dist: Literal["uniform", "triangular", "normal", "lognormal"]
    low: Finite | None = None
    """Least value (uniform, triangular); for normal and lognormal, draws below are clipped."""
    high: Finite | None = None
    """Greatest value (uniform, triangular); for normal and lognormal, draws above are clipped."""
    mode: Finite | None = None
    """Most likely value (triangular)."""
    mean: Finite | None = None
    sd: Finite | None = Field(default=None, ge=0)
    """Standard deviation (normal)."""
    median: Finite | None = Field(default=None, gt=0)
    """Median (lognormal): the draw is median · exp(sigma · z)."""
    sigma: Finite | None = Field(default=None, ge=0)
    """Standard deviation of the logarithm (lognormal)."""
    relative: bool = False
    """True: the draw is a factor on the stated figure (1.0 = as stated)."""

    @model_validator(mode="after")
    def _parameters(self) -> UncertainParameter:
        needed = PARAMETERS[self.dist]
        allowed = {*needed, "low", "high"}
        missing = [name for name in needed if getattr(self, name) is None]
        if missing:
            raise ValueError(
                f"a {self.dist} distribution needs {', '.join(needed)}; give {', '.join(missing)}"
            )
        extra = [
            name
            for name in ("mode", "mean", "sd", "median", "sigma")
            if name not in allowed and getattr(self, name) is not None
        ]
        if extra:
            raise ValueError(
                f"a {self.dist} distribution takes {', '.join(sorted(allowed))}, not "
                f"{', '.join(extra)}"
            )
        lo, hi = self.low, self.high
        if lo is not None and hi is not None and lo > hi:
            raise ValueError(f"low {lo:g} is above high {hi:g}")
        if (
            self.mode is not None
            and lo is not None
            and hi is not None
            and not lo <= self.mode <= hi
        ):
            raise ValueError(f"mode {self.mode:g} must lie between low {lo:g} and high {hi:g}")
        return self


class Uncertainty(Strict):
    """The uncertain figures of an instance, and how to sample them reproducibly."""

    seed: int = Field(default=0, ge=0, le=MAX_SEED)
    """Seed of the random draws (0 or more): the same seed gives the same samples and table."""
    samples: int = Field(default=100, ge=1, le=MAX_SAMPLES)
    """How many samples `allocator montecarlo` draws unless told otherwise."""
    parameters: list[UncertainParameter] = Field(min_length=1)


def uncertainty_problems(
    uncertainty: Uncertainty | None, data: dict[str, Any], years: list[int]
) -> list[tuple[str, Any, str]]:
    """Paths of `uncertainty.parameters` that name no number of the instance (given as its dumped
    `data`), or name one twice."""
    if uncertainty is None:
        return []
    problems: list[tuple[str, Any, str]] = []
    seen: dict[str, int] = {}
    for i, param in enumerate(uncertainty.parameters):
        at = f"uncertainty.parameters[{i}].path"
        key = column_key(param.path)
        twin = next(
            (
                j
                for k, j in seen.items()
                if k == key or k.startswith(key + ".") or key.startswith(k + ".")
            ),
            None,
        )
        if twin is not None:
            same = uncertainty.parameters[twin].path
            problems.append(
                (
                    at,
                    param.path,
                    f"this figure is already uncertain (uncertainty.parameters[{twin}], "
                    f"{same}); declare each figure once",
                )
            )
        seen.setdefault(key, i)
        if param.path.split(".")[0] == "rules" or param.path.split(".")[0] not in data:
            problems.append((at, param.path, "name a figure of the instance, e.g. budget.2027"))
            continue
        try:
            _, _, value = locate_figure(data, {}, param.path.split("."), years)
        except KeyError as exc:
            problems.append((at, param.path, str(exc.args[0])))
            continue
        numbers = value.values() if isinstance(value, dict) else [value]
        if value is None or not all(
            isinstance(v, int | float) and not isinstance(v, bool) for v in numbers
        ):
            problems.append((at, param.path, f"the figure is {value!r}, not a number"))
        elif isinstance(value, dict) and not param.relative:
            problems.append(
                (
                    at,
                    param.path,
                    "a per-year figure takes a relative draw (relative: true) or one year's path, "
                    "e.g. budget.2027",
                )
            )
        elif _is_coefficient(param.path):
            problems += _tiny_draws(param, value, f"uncertainty.parameters[{i}]")
    return problems


COEFFICIENTS = ("leverage", "min_leverage", "unit_cost")
"""Figures that multiply money in a rule (with `yields.KPI`): a draw of one is 0 or at least
1e-9 in size, like the figure itself."""


def _is_coefficient(path: str) -> bool:
    parts = path.split(".")
    return parts[-1] in COEFFICIENTS or (len(parts) >= 2 and parts[-2] == "yields")


def _tiny_draws(param: UncertainParameter, value: Any, at: str) -> list[tuple[str, Any, str]]:
    """The bounds and centre of a draw on a coefficient that would be one HiGHS drops."""
    scale = float(value) if param.relative and isinstance(value, int | float) else 1.0
    out: list[tuple[str, Any, str]] = []
    for name in ("low", "high", "mode", "mean", "median"):
        given = getattr(param, name)
        if given is None:
            continue
        drawn = given * scale
        if drawn != 0 and abs(drawn) <= SMALLEST:
            out.append(
                (
                    f"{at}.{name}",
                    given,
                    f"{param.path} would be drawn as {drawn:.3g}, not 0 but at most {SMALLEST:g} "
                    "in size: a coefficient HiGHS drops; state the figure in a larger unit",
                )
            )
    return out
