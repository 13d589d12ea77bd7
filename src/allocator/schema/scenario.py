"""Scenarios: overlay files that patch an instance or a model by path, validated like the rest.

name: budget-cut-10
changes:
  budget.2027: "-10%"                     # relative: "+5%", "-10%", "x1.2"
  lines.INF-01.leverage: 2.0              # absolute
  rules.pillar_share.talent.min: 0.2      # model rules by kind and pillar/group
  must_spend: false                       # model fields by name
  model: ../models/gpu-first.yaml         # another model (relative to this file), changed too
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ConfigDict, Field, field_validator

from allocator.errors import InputError, Issue
from allocator.schema.base import Id, Strict
from allocator.schema.files import read_yaml, reference
from allocator.schema.instance import Instance
from allocator.schema.load import check_model, load_model
from allocator.schema.model import ModelSpec
from allocator.schema.names import column_key, unknown_name
from allocator.schema.paths import locate_figure
from allocator.schema.rules import RULE_KINDS
from allocator.schema.validate import validate

_RELATIVE = re.compile(r"^\s*(?:([+-]\d+(?:\.\d+)?)\s*%|[x×*]\s*(\d+(?:\.\d+)?))\s*$")


class Scenario(Strict):
    """A named set of changes to an instance and its model."""

    model_config = ConfigDict(populate_by_name=True)

    name: Id
    title: str | None = None
    instances: list[str] | None = Field(default=None, alias="for")
    """`for:` the names of the instances the scenario is written for (`korea-2026-2030`): to
    any other, `compare` says it does not apply and goes on with the rest."""
    changes: dict[str, Any] = Field(min_length=1)

    @field_validator("instances", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    def applies_to(self, inst: Instance) -> bool:
        """Whether the scenario is for `inst` (a scenario without `for:` is for any)."""
        return self.instances is None or inst.name in self.instances


@dataclass(frozen=True)
class Change:
    """One input that a scenario changed: where, from what, to what."""

    path: str
    before: Any
    after: Any


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file."""
    return validate(Scenario, read_yaml(Path(path), "scenario"), str(path))


def apply_scenario(
    inst: Instance, model: ModelSpec, scenario: Scenario, file: str = "<scenario>"
) -> tuple[Instance, ModelSpec, list[Change]]:
    """The instance and model with the scenario's changes made, and the list of changes.

    `model: FILE` switches the model (read relative to the scenario file's folder); the other
    changes then apply to that model. Two changes that reach one figure (the same path written
    twice, or a figure and a part of it) are refused."""
    issues = overlapping(list(scenario.changes), file, "changes")
    if issues:
        raise InputError(issues)
    changes: list[Change] = []
    if "model" in scenario.changes:
        value = scenario.changes["model"]
        before = next(iter(model.files), model.name)
        model = _switch_model(inst, model, value, file)
        changes.append(Change("model", before, value))
    data = inst.model_dump()
    spec = model.model_dump()
    reached: dict[tuple[int, Any], str] = {}
    for path, value in scenario.changes.items():
        if path == "model":
            continue
        try:
            target, key, before = locate(data, spec, path.split("."), inst.years)
        except KeyError as exc:
            issues.append(Issue(file, f"changes.{path}", value, str(exc.args[0])))
            continue
        other = reached.setdefault((id(target), key), path)
        if other != path:
            issues.append(
                Issue(
                    file,
                    f"changes.{path}",
                    value,
                    f"changes the same figure as changes.{other}; give one change per figure",
                )
            )
            continue
        after = _new_value(before, value)
        if isinstance(after, str) and after.startswith("!"):
            issues.append(Issue(file, f"changes.{path}", value, after[1:]))
            continue
        target[key] = after
        changes.append(Change(path, before, after))
    if issues:
        raise InputError(issues)
    new_inst = validate(Instance, data, f"{file} (applied to {inst.name})")
    new_model = validate(ModelSpec, spec, f"{file} (applied to {model.name})")
    new_inst._files = inst._files
    new_inst._allow_outside = inst._allow_outside
    new_model._files = model._files
    return new_inst, new_model, changes


def overlapping(paths: list[str], file: str, field: str) -> list[Issue]:
    """Paths that name one figure twice: the same figure written two ways (`budget.2026` and
    `budget.02026`), or a figure and a part of it (`budget` and `budget.2026`)."""
    issues: list[Issue] = []
    seen: dict[str, str] = {}
    for path in paths:
        key = column_key(path)
        for other_key, other in seen.items():
            if (
                key == other_key
                or key.startswith(other_key + ".")
                or other_key.startswith(key + ".")
            ):
                what = "the same figure as" if key == other_key else "a figure that overlaps"
                issues.append(
                    Issue(
                        file,
                        f"{field}.{path}",
                        path,
                        f"names {what} {field}.{other}; name each figure once",
                    )
                )
                break
        else:
            seen[key] = path
    return issues


def _switch_model(inst: Instance, model: ModelSpec, value: Any, file: str) -> ModelSpec:
    """The model a scenario's `model: FILE` names (relative to the scenario file's folder)."""
    base = Path(file).parent if file not in ("<scenario>", "--vary") else Path.cwd()
    if not isinstance(value, str) or Path(value).suffix.lower() not in (".yaml", ".yml", ".xlsx"):
        raise InputError(
            [
                Issue(
                    file,
                    "changes.model",
                    value,
                    "a scenario's model is a model file (.yaml, .yml or .xlsx), read relative to "
                    "the scenario file's folder",
                )
            ]
        )
    _, outside = reference(
        base,
        value,
        roots=[base.parent],
        allow=inst._allow_outside,
        what="a scenario's model is read",
    )
    if outside is not None:
        raise InputError([Issue(file, "changes.model", value, outside)])
    spec = load_model(base / value, quote=False)
    check_model(spec, inst, str(base / value))
    return spec


def locate(
    data: dict[str, Any], spec: dict[str, Any], parts: list[str], years: list[int]
) -> tuple[dict[str, Any], Any, Any]:
    """The container, key and current value that a dotted path names (a rule's field, or a
    figure of the instance or the model)."""
    if parts[0] == "rules":
        return _locate_rule(spec, parts[1:])
    return locate_figure(data, spec, parts, years)


def _locate_rule(spec: dict[str, Any], parts: list[str]) -> tuple[dict[str, Any], Any, Any]:
    """`rules.KIND.FIELD` (the kind's only rule) or `rules.KIND.SUBJECT.FIELD`, where SUBJECT is
    what the rule is about (its pillar, group, region or relation label, or its identity such as
    `r2/horizon`): any registered kind."""
    if len(parts) not in (2, 3):
        raise KeyError("write rules.KIND.FIELD or rules.KIND.SUBJECT.FIELD")
    kind = parts[0]
    if kind not in RULE_KINDS:
        raise KeyError(unknown_name("rule kind", list(RULE_KINDS), kind))
    rules = [r for r in spec["rules"] if r["rule"] == kind]
    if len(parts) == 3:
        specs = [RULE_KINDS[kind].model_validate(r) for r in rules]
        rules = [r for r, s in zip(rules, specs, strict=True) if parts[1] in s.path_names]
    if not rules:
        raise KeyError(
            f"the model has no {kind} rule" + (f" on {parts[1]!r}" if len(parts) == 3 else "")
        )
    if len(rules) > 1:
        raise KeyError(
            f"the model has {len(rules)} {kind} rules here; name the one to change by its "
            f"subject, rules.{kind}.SUBJECT.{parts[-1]} (group_total: SUBJECT/year or "
            "SUBJECT/horizon)"
        )
    return rules[0], parts[-1], rules[0].get(parts[-1])


def _new_value(before: Any, value: Any) -> Any:
    """`value`, or `before` changed by a relative string ("+5%", "-10%", "x1.2")."""
    match = _RELATIVE.match(value) if isinstance(value, str) else None
    if match is None:
        return copy.deepcopy(value)
    if isinstance(before, bool) or not isinstance(before, int | float):
        return f"!a relative change needs a number to change; the current value is {before!r}"
    factor = 1 + float(match.group(1)) / 100 if match.group(1) else float(match.group(2))
    return before * factor
