"""Commands that take a given plan: evaluate (score it against every rule) and implied-values
(the objective values under which it would be the optimum)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from allocator.cli.common import EXIT_NOT_OPTIMAL, EXIT_OK
from allocator.errors import InputError, Issue
from allocator.schema import Instance, load_instance

PLAN_HELP = (
    "the plan: a CSV with line, year, amount[, source] (a solve's allocation.csv is one), "
    "BOOK.xlsx[:SHEET], or 'reported' (each line's reported government money)"
)


def register(commands: Any) -> None:
    """Add this module's commands to the `allocator` parser."""
    score = commands.add_parser("evaluate", help="score a given plan against every rule")
    score.add_argument("instance", type=Path)
    score.add_argument("--plan", required=True, help=PLAN_HELP)
    score.add_argument("--model", type=Path, help="model file (default: the instance's own)")
    score.add_argument("--format", choices=["table", "json"], default="table")
    score.set_defaults(run=_evaluate)
    implied = commands.add_parser(
        "implied-values",
        help="the objective values closest to the instance's under which a plan is optimal",
    )
    implied.add_argument("instance", type=Path)
    implied.add_argument("--plan", required=True, help=PLAN_HELP)
    implied.add_argument("--model", type=Path, help="model file (default: the instance's own)")
    implied.add_argument(
        "--figure",
        action="append",
        default=[],
        metavar="PATH",
        help="a figure that may move (lines.ID.impact, lines.ID.private_impact, weights.KPI; "
        "globs allowed; repeatable). Default: every assumed one",
    )
    implied.add_argument("--format", choices=["table", "json"], default="table")
    implied.set_defaults(run=_implied)


def _evaluate(args: argparse.Namespace) -> int:
    from allocator.api import evaluate
    from allocator.report import plans as report

    res = evaluate(load_instance(args.instance), args.plan, args.model)
    print(
        json.dumps(report.score_json(res), indent=2) if args.format == "json" else report.score(res)
    )
    return EXIT_OK if res.verified else EXIT_NOT_OPTIMAL


def compare_plan(inst: Instance, plan: str, model: Path | None, scenarios: list[Path]) -> int:
    """`allocator compare INSTANCE --plan PLAN`: the plan beside the optimum (exit 0 when the
    optimum is verified, 1 when there is none)."""
    from allocator.api import solve
    from allocator.report import plans as report
    from allocator.schema.plans import read_plan

    if scenarios:
        raise InputError(
            [Issue("compare", "--plan", plan, "compare a plan or scenarios, not both at once")]
        )
    read_plan(inst, plan)  # bad plans are refused before solving
    best = solve(inst, model)
    if not best.status.has_allocation:
        print(f"the optimum: {best.status.describe()}")
        return EXIT_NOT_OPTIMAL
    print(report.comparison(best.against(plan)))
    return EXIT_OK if best.verified else EXIT_NOT_OPTIMAL


def _implied(args: argparse.Namespace) -> int:
    from allocator.analysis.implied import implied_values
    from allocator.report import plans as report

    inst = load_instance(args.instance)
    found = implied_values(inst, args.plan, args.model, figures=args.figure or None)
    if args.format == "json":
        print(json.dumps(report.implied_json(found), indent=2))
    else:
        print(report.implied(found))
    return EXIT_OK if found.possible else EXIT_NOT_OPTIMAL
