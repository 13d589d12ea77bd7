"""Commands that solve one instance and show the answer: solve, explain, report."""

from __future__ import annotations

import argparse
from functools import partial
from pathlib import Path
from typing import Any

from allocator.cli.common import (
    EXIT_NOT_OPTIMAL,
    EXIT_OK,
    FORCE_HELP,
    kept_aside,
    progress_bar,
    write_csv,
)
from allocator.report.labels import LANGS, REACH, name_of
from allocator.schema import load_instance, output, resolve_model
from allocator.solver.status import Status

HOW_FIRM = (
    "add the 'how firm' section: lines settled by the rules and lines the optimum does not "
    "decide within SLACK (a share, e.g. 0.02) of the best"
)


def _firmness(res: Any, slack: float | None) -> Any:
    if slack is None or res.status != Status.optimal or res.model.objective == "lexicographic":
        return None
    from allocator.analysis.firmness import how_firm

    return how_firm(res, slack)


def register(commands: Any) -> None:
    """Add this module's commands to the `allocator` parser."""
    run = commands.add_parser("solve", help="solve an instance and print the split")
    run.add_argument("instance", type=Path)
    run.add_argument("--model", type=Path, help="model file (default: the instance's own)")
    run.add_argument("--out", type=Path, help="write CSVs, summary.json and manifest.json here")
    run.add_argument("--force", action="store_true", help=FORCE_HELP)
    run.add_argument("--time-limit", type=float, metavar="S", help="seconds the solver may take")
    run.add_argument("--mip-gap", type=float, default=1e-7, help="relative MIP gap")
    run.add_argument(
        "--solver",
        default="highs",
        metavar="NAME",
        help="highs (default: fast, with prices and diagnosis) or any Pyomo solver: cbc, glpk, ...",
    )
    run.add_argument("--format", choices=["table", "json"], default="table")
    run.add_argument("--xlsx", type=Path, metavar="FILE", help="write the plan as a workbook")
    run.add_argument("--lang", choices=LANGS, default="en", help="labels and money: en or ko")
    run.add_argument("--how-firm", type=float, metavar="SLACK", help=HOW_FIRM)
    run.add_argument(
        "--reach",
        choices=REACH,
        default="auto",
        help="say what the rules allow for each target missed or at its cap (about two more "
        "solves each): auto (when they would take under 1.5 s), always or never",
    )
    run.set_defaults(run=_solve)
    why = commands.add_parser("explain", help="solve and say why: binding rules, prices, costs")
    why.add_argument("instance", type=Path)
    why.add_argument("--model", type=Path, help="model file (default: the instance's own)")
    why.add_argument("--per-rule", action="store_true", help="price every rule instance")
    why.add_argument("--audit", type=Path, metavar="CSV", help="write the full rule audit here")
    why.add_argument("--lang", choices=LANGS, default="en", help="labels and money: en or ko")
    why.add_argument("--force", action="store_true", help=FORCE_HELP)
    why.add_argument(
        "--resolves",
        type=int,
        metavar="N",
        help="for a MIP: the re-solves spent on what each rule's figure is worth (default: "
        "about 5,000 divided by the number of columns)",
    )
    why.add_argument("--quiet", action="store_true", help="no progress bar")
    why.set_defaults(run=_explain)
    page = commands.add_parser("report", help="solve and write a self-contained HTML report")
    page.add_argument("instance", type=Path)
    page.add_argument("--model", type=Path, help="model file (default: the instance's own)")
    page.add_argument("--out", type=Path, required=True, metavar="HTML", help="report file")
    page.add_argument("--lang", choices=LANGS, default="en", help="labels and money: en or ko")
    page.add_argument("--time-limit", type=float, metavar="S", help="seconds HiGHS may take")
    page.add_argument(
        "--sweep",
        action="append",
        default=[],
        metavar="PATH=START:STOP:N",
        help="add a sweep chart over one parameter (repeatable)",
    )
    page.add_argument(
        "--frontier",
        action="append",
        default=[],
        metavar="KPI[@YEAR]",
        help="add a frontier chart of the objective against a KPI (repeatable)",
    )
    page.add_argument("--points", type=int, default=15, help="points per frontier")
    page.add_argument("--force", action="store_true", help=FORCE_HELP)
    page.add_argument("--how-firm", type=float, metavar="SLACK", help=HOW_FIRM)
    page.add_argument("--resolves", type=int, metavar="N", help="as for `explain`")
    page.add_argument("--quiet", action="store_true", help="no progress bar")
    page.set_defaults(run=_report)


def _solve(args: argparse.Namespace) -> int:
    from allocator import api

    with kept_aside():
        inst = load_instance(args.instance)
        spec = resolve_model(inst, args.model)
        inputs = [*inst.files, *spec.files]
        if args.out:
            from allocator.results.output import check_output_dir

            check_output_dir(args.out, args.force, inputs)
        if args.xlsx:
            from allocator.report import workbook as excel

            excel.check_target(args.xlsx, force=args.force, inputs=inputs)
        # pandas loads while HiGHS runs only for what makes a table: the split as text needs
        # none (0.3 s of CPU and 70 MiB kept off)
        tables = args.format == "json" or args.out or args.xlsx or args.how_firm is not None
        saved, api.TABLES_MEANWHILE = (
            api.TABLES_MEANWHILE,
            bool(tables or spec.levels or spec.robust is not None),
        )
        try:
            res = api.solve(
                inst, spec, solver=args.solver, time_limit=args.time_limit, mip_gap=args.mip_gap
            )
        finally:
            api.TABLES_MEANWHILE = saved
    from allocator.report import text as report

    firmness = _firmness(res, args.how_firm)
    if args.out and res.status != Status.interrupted:
        res.to_dir(args.out, force=args.force)
    if args.xlsx and res.status != Status.interrupted:
        from allocator.report import workbook as excel

        excel.write_result(res, args.xlsx, firmness, force=args.force)
    shown = report.as_json if args.format == "json" else partial(report.table, lang=args.lang)
    made = args.xlsx and args.reach == "auto"  # the workbook's targets sheet worked it out
    print(shown(res, reach="always" if made else args.reach))
    if firmness is not None and args.format == "table":
        from allocator.report.plans import how_firm

        print("\n" + how_firm(firmness))
    if args.format == "table" and res.model.levels:
        print(report.levels(res))
    if args.format == "table" and res.model.robust is not None and res.status.has_allocation:
        from allocator.analysis.robust import robustness

        print(robustness(inst, res.model).sentence())
    return _exit(res)


def _explain(args: argparse.Namespace) -> int:
    from allocator.api import solve
    from allocator.report import text as report

    inst = load_instance(args.instance)
    spec = resolve_model(inst, args.model)
    audit = None
    if args.audit:
        inputs = [*inst.files, *spec.files]
        audit = output.target(args.audit, force=args.force, inputs=inputs, flag="--audit")
    res = solve(inst, spec)
    with progress_bar(args.quiet, "rules") as bar:
        text = report.explanation(res, args.per_rule, args.lang, args.resolves, bar)
    print(text)
    if audit is not None and res.status.has_allocation:
        write_csv(audit, res.audit())
    return _exit(res)


def _report(args: argparse.Namespace) -> int:
    from allocator import analysis as scenarios
    from allocator.api import solve
    from allocator.report import html
    from allocator.report import text as report

    inst = load_instance(args.instance)
    spec = resolve_model(inst, args.model)
    inputs = [*inst.files, *spec.files]
    output.target(args.out, force=args.force, inputs=inputs, make_parents=True)
    sweeps = {}
    for vary in args.sweep:
        path, values = scenarios.parse_vary(vary)
        quiet = False if args.quiet else None  # None: a bar when on a terminal
        sweeps[path] = scenarios.sweep(inst, spec, [(path, values)], progress=quiet)
    res = solve(inst, spec, time_limit=args.time_limit)
    if res.status.has_allocation:
        with progress_bar(args.quiet, "rules") as bar:
            res.shadow_prices(args.lang, args.resolves, bar)  # the report reuses them
    frontiers = {}
    for wanted in args.frontier:
        kpi, _, year = wanted.partition("@")
        if not res.status.has_allocation:
            print(f"frontier {wanted} skipped: the base problem has no answer")
            continue
        when = int(year) if year else inst.years[-1]
        known = {k.id: k for k in inst.kpis}
        title = f"{name_of(known[kpi], args.lang) if kpi in known else kpi} {when}"
        with progress_bar(args.quiet, "points") as bar:
            frontiers[title] = scenarios.frontier(inst, spec, kpi, when, args.points, bar)
    firmness = _firmness(res, args.how_firm)
    html.write(
        res,
        args.out,
        lang=args.lang,
        sweeps=sweeps,
        frontiers=frontiers,
        force=args.force,
        firmness=firmness,
        resolves=args.resolves,
    )
    print(f"{args.out}: {report.table(res, args.lang, 'never').splitlines()[0]}")
    return _exit(res)


def _exit(res: Any) -> int:
    """0 for a verified optimum (proven within `LOOSE_GAP`), 1 otherwise."""
    proven = res.status == Status.optimal and res.verified and res.loose_gap is None
    return EXIT_OK if proven else EXIT_NOT_OPTIMAL
