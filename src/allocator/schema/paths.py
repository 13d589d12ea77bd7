"""Dotted paths to the figures of an instance or a model (`budget.2027`, `lines.INF-01.max`), as
scenarios and uncertainty blocks name them."""

from __future__ import annotations

from typing import Any

from allocator.schema.names import unknown_name

_ID_LISTS = ("lines", "pillars", "kpis", "funds", "regions")
"""Lists whose items a path names by id (`lines.INF-01`)."""


def locate_figure(
    data: dict[str, Any], spec: dict[str, Any], parts: list[str], years: list[int]
) -> tuple[dict[str, Any], Any, Any]:
    """The container, key and current value that a dotted path names in the instance's data (or
    the model's), both as dumped with every field: `budget.2027`, `lines.INF-01.max`."""
    head = parts[0]
    if head in data:
        node: Any = data
    elif head in spec:
        node = spec
    else:
        fields = sorted({*data, *spec, "rules"} if spec else set(data))
        raise KeyError(f"{head!r}: {unknown_name('field', fields, head)}")
    i = 0
    while i < len(parts) - 1:
        part, following = parts[i], parts[i + 1]
        child = node.get(part)
        if isinstance(child, list) and part in _ID_LISTS:
            match = [item for item in child if _id(item) == following]
            if not match:
                ids = [str(_id(item)) for item in child]
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


def _id(item: Any) -> Any:
    """An item's id, as plain data or as a validated object (Monte Carlo keeps the items no draw
    changes as they are)."""
    return item.get("id") if isinstance(item, dict) else getattr(item, "id", None)
