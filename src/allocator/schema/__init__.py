"""Schema layer: pydantic models of instances and models, units, and file loading."""

from allocator.schema.instance import Instance, Kpi, Line, Pillar, Source, Target
from allocator.schema.load import (
    check_model,
    default_model_path,
    load_default_model,
    load_instance,
    load_model,
    resolve_model,
    save,
)
from allocator.schema.model import RULE_KINDS, ModelSpec, Rule, TargetPolicy

__all__ = [
    "RULE_KINDS",
    "Instance",
    "Kpi",
    "Line",
    "ModelSpec",
    "Pillar",
    "Rule",
    "Source",
    "Target",
    "TargetPolicy",
    "check_model",
    "default_model_path",
    "load_default_model",
    "load_instance",
    "load_model",
    "resolve_model",
    "save",
]
