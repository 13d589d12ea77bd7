"""Scenarios: overlay files that patch an instance or a model by path, validated like the rest.

name: budget-cut-10
changes:
  budget.2027: "-10%"                     # relative: "+5%", "-10%", "x1.2"
  lines.INF-01.leverage: 2.0              # absolute
  rules.pillar_share.talent.min: 0.2      # model rules by kind and pillar/group
  must_spend: false                       # model fields by name
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
from allocator.schema.files import read_yaml
from allocator.schema.instance import Instance, unknown_name
from allocator.schema.model import ModelSpec
from allocator.schema.validate import validate

_RELATIVE = re.compile(r"^\s*(?:([+-]\d+(?:\.\d+)?)\s*%|[x×*]\s*(\d+(?:\.\d+)?))\s*$")
_ID_LISTS = ("lines", "pillars", "kpis", "funds", "regions")


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
    """The instance and model with the scenario's changes made, and the list of changes."""
    data = inst.model_dump()
    spec = model.model_dump()
    changes: list[Change] = []
    issues: list[Issue] = []
    for path, value in scenario.changes.items():
        try:
            target, key, before = locate(data, spec, path.split("."), inst.years)
        except KeyError as exc:
            issues.append(Issue(file, f"changes.{path}", value, str(exc.args[0])))
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
    new_model._files = model._files
    return new_inst, new_model, changes


def locate(
    data: dict[str, Any], spec: dict[str, Any], parts: list[str], years: list[int]
) -> tuple[dict[str, Any], Any, Any]:
    """The container, key and current value that a dotted path names."""
    head = parts[0]
    if head == "rules":
        return _locate_rule(spec, parts[1:])
    if head in data or head in Instance.model_fields:
        node: Any = data
    elif head in ModelSpec.model_fields:
        node = spec
    else:
        fields = sorted({*Instance.model_fields, *ModelSpec.model_fields, "rules"})
        raise KeyError(f"{head!r}: {unknown_name('field', fields, head)}")
    i = 0
    while i < len(parts) - 1:
        part, following = parts[i], parts[i + 1]
        child = node.get(part)
        if isinstance(child, list) and part in _ID_LISTS:
            match = [item for item in child if item.get("id") == following]
            if not match:
                ids = [str(item.get("id")) for item in child]
                raise KeyError(f"{following!r}: {unknown_name(part[:-1], ids, following)}")
            node, i = match[0], i + 2
            continue
        if isinstance(child, int | float) and not isinstance(child, bool) and following.isdigit():
            child = node[part] = {y: float(child) for y in years}
        if not isinstance(child, dict):
            raise KeyError(f"{'.'.join(parts[: i + 1])} has no part {following!r}")
        node, i = child, i + 1
    if i != len(parts) - 1:
        raise KeyError("name a field of the item, e.g. lines.INF-01.max")
    key: Any = int(parts[-1]) if parts[-1].isdigit() else parts[-1]
    return node, key, node.get(key)


def _locate_rule(spec: dict[str, Any], parts: list[str]) -> tuple[dict[str, Any], Any, Any]:
    if len(parts) < 2:
        raise KeyError("write rules.KIND.FIELD or rules.KIND.PILLAR_OR_GROUP.FIELD")
    kind = parts[0]
    rules = [r for r in spec["rules"] if r["rule"] == kind]
    if len(parts) == 3:
        rules = [r for r in rules if parts[1] in (r.get("pillar"), r.get("group"))]
    if not rules:
        raise KeyError(
            f"the model has no {kind} rule" + (f" on {parts[1]!r}" if len(parts) == 3 else "")
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
