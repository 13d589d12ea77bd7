"""Monte Carlo's samples: `draw` makes the random figures from the seed, `jobs` turns each draw
into a validated sampled instance (`Job`)."""

from __future__ import annotations

import io
import pickle
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from pydantic import BaseModel

from allocator.errors import InputError, Issue
from allocator.schema import Instance
from allocator.schema.scenario import locate
from allocator.schema.uncertainty import UncertainParameter, Uncertainty
from allocator.schema.validate import validate


@dataclass(frozen=True)
class Job:
    """One sample: its number, the draws by path (a factor where the figure is relative), and
    the instance with the drawn figures in place."""

    index: int
    values: dict[str, float]
    instance: Instance


def draw(uncertainty: Uncertainty, samples: int, seed: int) -> list[dict[str, float]]:
    """`samples` draws of every uncertain figure, from `seed` (same seed, same draws)."""
    rng = np.random.default_rng(seed)
    columns = {p.path: _sample(p, rng, samples) for p in uncertainty.parameters}
    return [{path: float(col[i]) for path, col in columns.items()} for i in range(samples)]


def _sample(p: UncertainParameter, rng: np.random.Generator, n: int) -> np.ndarray:
    def given(name: str) -> float:
        value = getattr(p, name)
        assert value is not None  # the schema requires it for this distribution
        return float(value)

    if p.dist == "uniform":
        return rng.uniform(given("low"), given("high"), n)
    if p.dist == "triangular":
        lo, mode, hi = given("low"), given("mode"), given("high")
        return np.full(n, lo) if lo == hi else rng.triangular(lo, mode, hi, n)
    if p.dist == "normal":
        values = rng.normal(given("mean"), given("sd"), n)
    else:
        values = given("median") * np.exp(given("sigma") * rng.standard_normal(n))
    lo = -np.inf if p.low is None else p.low
    hi = np.inf if p.high is None else p.high
    return np.clip(values, lo, hi)


def jobs(
    inst: Instance, draws: Sequence[dict[str, float]], seed: int = 0, start: int = 0
) -> list[Job]:
    """The sampled instances: each draw put in place of (or, relative, multiplied into) its figure
    and validated like any instance; a draw that breaks the instance is an input error naming the
    sample and the seed. The first draw is sample number `start`."""
    return list(each_job(inst, draws, seed, start))


def each_job(
    inst: Instance, draws: Sequence[dict[str, float]], seed: int = 0, start: int = 0
) -> Iterator[Job]:
    """`jobs`, each sample validated as it is asked for (a batch validates the next sample
    while HiGHS solves this one)."""
    if inst.uncertainty is None:
        raise InputError([Issue(inst.name, "uncertainty", None, NO_UNCERTAINTY)])
    params = inst.uncertainty.parameters
    shell, touched = _shell(inst, [p.path for p in params])
    frozen, kept = _freeze(touched)
    for i, values in enumerate(draws, start=start):
        data = {**shell, **_thaw(frozen, kept)}  # a deep copy of the drawn parts only
        for param in params:
            target, key, before = locate(data, {}, param.path.split("."), inst.years)
            x = values[param.path]
            if not param.relative:
                target[key] = x
            elif isinstance(before, dict):
                target[key] = {year: amount * x for year, amount in before.items()}
            else:
                target[key] = before * x
        sample = validate(Instance, data, f"uncertainty sample {i} (seed {seed}) of {inst.name}")
        sample._files = inst._files
        sample._allow_outside = inst._allow_outside
        yield Job(i, dict(values), sample)


def _shell(inst: Instance, paths: list[str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The instance's fields as they are (validated objects, which validation takes as they are)
    and, apart, the fields the draws change as plain data: in a list of items named by id
    (`lines.INF-01.max`), only the named items. Each sample then validates what was drawn and
    the instance's own rules (cross-references), not every line again."""
    shell: dict[str, Any] = {name: getattr(inst, name) for name in type(inst).model_fields}
    shell["uncertainty"] = None
    touched: dict[str, Any] = {}
    for path in paths:
        head, _, rest = path.partition(".")
        value = shell.get(head)
        if isinstance(value, list) and rest:
            named = rest.split(".")[0]
            items = touched.get(head, list(value))
            touched[head] = [
                item.model_dump() if getattr(item, "id", None) == named else item for item in items
            ]
        elif head not in touched:
            touched[head] = inst.model_dump(include={head})[head] if head in shell else value
    return shell, touched


def _freeze(touched: dict[str, Any]) -> tuple[bytes, list[Any]]:
    """The drawn parts as plain data, pickled once to be copied for each sample, with the
    validated objects among them (the items of a list that no draw touches: `lines` but the
    three drawn) kept aside, to be shared by every sample rather than copied."""
    buffer = io.BytesIO()
    freezer = _Freezer(buffer)
    freezer.dump(touched)
    return buffer.getvalue(), freezer.kept


def _thaw(frozen: bytes, kept: list[Any]) -> dict[str, Any]:
    """A fresh copy of the drawn parts, sharing the validated objects kept aside (`_freeze`)."""
    thawed: dict[str, Any] = _Thawer(frozen, kept).load()
    return thawed


class _Freezer(pickle.Pickler):
    def __init__(self, buffer: io.BytesIO) -> None:
        super().__init__(buffer, protocol=pickle.HIGHEST_PROTOCOL)
        self.kept: list[Any] = []
        self.ids: dict[int, int] = {}

    def persistent_id(self, obj: Any) -> int | None:
        if not isinstance(obj, BaseModel):
            return None
        if id(obj) not in self.ids:
            self.ids[id(obj)] = len(self.kept)
            self.kept.append(obj)
        return self.ids[id(obj)]


class _Thawer(pickle.Unpickler):
    def __init__(self, frozen: bytes, kept: list[Any]) -> None:
        super().__init__(io.BytesIO(frozen))
        self.kept = kept

    def persistent_load(self, pid: Any) -> Any:
        return self.kept[pid]


NO_UNCERTAINTY = (
    "the instance declares no uncertain figures; add an `uncertainty:` block with parameters "
    "(see docs/scenarios.md)"
)
