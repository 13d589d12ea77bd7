"""Field descriptions from the docstrings under a model's fields, read when asked (a JSON schema,
a workbook template's notes) rather than when the class is made: pydantic's
`use_attribute_docstrings` reads and tokenizes every model's source at import, a fifth of
`import allocator`."""

from __future__ import annotations

import ast
import inspect
import textwrap
from functools import cache
from itertools import pairwise
from typing import Any

from pydantic import BaseModel


@cache
def field_docs(cls: type[BaseModel]) -> dict[str, str]:
    """field name → the docstring written under it, in `cls` or the model it extends (a field
    declared again without one has none, as with pydantic's own reading)."""
    docs: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        if isinstance(klass, type) and issubclass(klass, BaseModel) and klass is not BaseModel:
            for name in inspect.get_annotations(klass):
                docs.pop(name, None)
            docs.update(_own_docs(klass))
    return docs


def _own_docs(klass: type) -> dict[str, str]:
    try:
        source = textwrap.dedent(inspect.getsource(klass))
    except (OSError, TypeError):  # no source (a class made at run time): no descriptions
        return {}
    body = ast.parse(source).body
    if not body or not isinstance(body[0], ast.ClassDef):
        return {}
    found: dict[str, str] = {}
    statements = body[0].body
    for node, after in pairwise(statements):
        if (
            isinstance(node, ast.AnnAssign)
            and isinstance(node.target, ast.Name)
            and isinstance(after, ast.Expr)
            and isinstance(after.value, ast.Constant)
            and isinstance(after.value.value, str)
        ):
            found[node.target.id] = inspect.cleandoc(after.value.value)
    return found


def describe_fields(schema: dict[str, Any], cls: type[BaseModel]) -> None:
    """`json_schema_extra`: each property's description from its field's docstring (where the
    field does not state one itself), as `use_attribute_docstrings` would have put it."""
    docs = field_docs(cls)
    properties = schema.get("properties", {})
    for name, info in cls.model_fields.items():
        prop = properties.get(info.alias or name)
        if prop is not None and name in docs and "description" not in prop:
            prop["description"] = docs[name]
