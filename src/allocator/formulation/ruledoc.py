"""Every registered rule's documentation, read from its builder's docstring.

The docs' rule pages are generated from these (`docs/gen_pages.py`), and `tests/test_registry.py`
fails when a registered rule's docstring does not follow the format, so code and docs cannot
drift. The format, in order, paragraphs separated by blank lines:

1. one line: a one-sentence summary in plain words, ending with a full stop;
2. the formula: a paragraph that opens with `$$` and closes with `$$` (LaTeX; one or more lines);
3. optionally, paragraphs of Markdown (inline maths in `$...$`) on parameters and special cases;
4. for core and policy rules, the constraints the rule emits, on the last line(s), starting with
   ``Name: `budget[2026]`.`` or ``Names: `line_min[TAL-01,2026]`, `line_max[TAL-01,2026]`.``
   (best as a paragraph of its own; each name in backticks as `family[key,...]`; words in
   between are allowed). Objectives emit no constraint and need no such line.

Docstrings holding backslashes are raw strings (`r\"\"\"...\"\"\"`).
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from allocator.formulation.registry import CORE_RULES, OBJECTIVES, POLICY_RULES

Kind = Literal["core", "policy", "objective"]
_NAMES = re.compile(r"^Names?: `")
_NAME = re.compile(r"`([A-Za-z_]\w*\[[^`\]]*\])`")


class RuleDocError(ValueError):
    """A registered rule's docstring does not follow the format above."""


@dataclass(frozen=True)
class RuleDoc:
    """One rule's documentation: what it says, its formula, and the constraint names it emits."""

    kind: Kind
    name: str
    summary: str
    formula: str
    """The LaTeX between the `$$` delimiters."""
    body: str
    """Markdown paragraphs after the formula (without the names paragraph); may be empty."""
    constraints: tuple[str, ...]
    """Example constraint names, such as `budget[2026]`; empty for objectives."""
    function: str
    """The builder's dotted path, such as `allocator.formulation.core_rules.budget`."""


def parse(kind: Kind, name: str, fn: Callable[..., Any]) -> RuleDoc:
    """Read `fn`'s docstring in the format above; raise RuleDocError saying what is missing."""
    where = f"{kind} rule {name!r} ({fn.__module__}.{fn.__qualname__})"
    doc = inspect.getdoc(fn)
    if not doc:
        raise RuleDocError(f"{where} has no docstring; write its summary and $$formula$$")
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", doc.strip())]
    summary = paragraphs[0]
    if "\n" in summary or not summary.endswith(".") or "$$" in summary:
        raise RuleDocError(
            f"{where}: the docstring's first paragraph must be one line, a sentence ending "
            f"with '.', got {summary!r}"
        )
    if len(paragraphs) < 2 or not (
        paragraphs[1].startswith("$$") and paragraphs[1].endswith("$$") and len(paragraphs[1]) > 4
    ):
        raise RuleDocError(f"{where}: the second paragraph of the docstring must be a $$formula$$")
    formula = paragraphs[1][2:-2].strip()
    rest = paragraphs[2:]
    constraints: tuple[str, ...] = ()
    last = rest[-1].splitlines() if rest else []
    at = next((i for i, line in enumerate(last) if _NAMES.match(line.strip())), None)
    if at is not None:
        constraints = tuple(_NAME.findall(" ".join(last[at:])))
        kept = "\n".join(last[:at]).strip()
        rest = [*rest[:-1], kept] if kept else rest[:-1]
    if not constraints and kind != "objective":
        raise RuleDocError(
            f"{where}: the docstring must end with the constraint names it emits, as in "
            "'Name: `budget[2026]`.' or 'Names: `line_min[l,y]`, `line_max[l,y]`.'"
        )
    if any("$$" in p for p in rest):
        raise RuleDocError(f"{where}: one $$formula$$ per rule, right after the summary")
    return RuleDoc(
        kind,
        name,
        summary,
        formula,
        "\n\n".join(rest),
        constraints,
        f"{fn.__module__}.{fn.__qualname__}",
    )


def rule_docs() -> list[RuleDoc]:
    """Every registered core rule, policy rule and objective, in registration order."""
    tables: list[tuple[Kind, dict[str, Callable[..., Any]]]] = [
        ("core", dict(CORE_RULES)),
        ("policy", dict(POLICY_RULES)),
        ("objective", dict(OBJECTIVES)),
    ]
    return [parse(kind, name, fn) for kind, table in tables for name, fn in table.items()]
