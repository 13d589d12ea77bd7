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

from pydantic import Field

from allocator.errors import InputError, Issue
from allocator.schema.base import Id, Strict
from allocator.schema.files import read_yaml
from allocator.schema.instance import Instance
from allocator.schema.model import ModelSpec
from allocator.schema.paths import locate_figure
from allocator.schema.rules import RULE_KINDS
from allocator.schema.unknown import unknown_name
from allocator.schema.validate import validate

_RELATIVE = re.compile(r"^\s*(?:([+-]\d+(?:\.\d+)?)\s*%|[x×*]\s*(\d+(?:\.\d+)?))\s*$")


class Scenario(Strict):
    """A named set of changes to an instance and its model."""

    name: Id
    title: str | None = None
    changes: dict[str, Any] = Field(min_length=1)


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
        rules = [
            r for r, s in zip(rules, specs, strict=True) if parts[1] in (s.subject, s.identity)
        ]
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
