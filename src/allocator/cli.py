"""The `allocator` command. Exit codes: 0 optimal and verified; 1 solved but no verified optimum
(the status in plain words); 2 bad input (the message, never a traceback)."""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from collections.abc import Sequence
from contextlib import nullcontext
from pathlib import Path

import pandas as pd

from allocator.errors import AllocatorError, InputError, Issue
from allocator.report.labels import LANGS, name_of
from allocator.results.output import check_output_dir, table_format, write_table
from allocator.schema import Instance, ModelSpec, load_instance, resolve_model
from allocator.schema.provenance import unsourced
from allocator.schema.scenario import load_scenario
from allocator.solver.status import Status

EXIT_OK, EXIT_NOT_OPTIMAL, EXIT_BAD_INPUT, EXIT_INTERNAL = 0, 1, 2, 3

# The commands import the solving, analysis and report layers when they run (not at the top), so
# `allocator validate` and `allocator schema` never load Pyomo, HiGHS or SciPy.


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = _parser().parse_args(argv)
    try:
        code: int = args.run(args)
        return code
    except AllocatorError as exc:
        print(f"allocator: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:  # the reader stopped reading (`allocator solve ... | head`)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except KeyboardInterrupt:  # before or after HiGHS runs; during the solve HiGHS stops itself
        print(f"{Status.interrupted.describe()}; nothing was written")
        return EXIT_NOT_OPTIMAL
    except Exception as exc:  # the CLI never shows a traceback unless asked to
        if os.environ.get("ALLOCATOR_DEBUG"):
            raise
        print(
            f"allocator: internal error: {type(exc).__name__}: {exc} "
            "(set ALLOCATOR_DEBUG=1 for the traceback)",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="allocator", description=__doc__)
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    run = commands.add_parser("solve", help="solve an instance and print the split")
    run.add_argument("instance", type=Path)
    run.add_argument("--model", type=Path, help="model file (default: the instance's own)")
    run.add_argument("--out", type=Path, help="write CSVs, summary.json and manifest.json here")
    run.add_argument("--force", action="store_true", help="replace a non-empty --out folder")
    run.add_argument("--time-limit", type=float, metavar="S", help="seconds HiGHS may take")
    run.add_argument("--mip-gap", type=float, default=1e-7, help="relative MIP gap")
    run.add_argument("--format", choices=["table", "json"], default="table")
    run.add_argument("--xlsx", type=Path, metavar="FILE", help="write the plan as a workbook")
    run.add_argument("--lang", choices=LANGS, default="en", help="labels and money: en or ko")
    run.set_defaults(run=_solve)

    why = commands.add_parser("explain", help="solve and say why: binding rules, prices, costs")
    why.add_argument("instance", type=Path)
    why.add_argument("--model", type=Path, help="model file (default: the instance's own)")
    why.add_argument("--per-rule", action="store_true", help="price every rule instance")
    why.add_argument("--audit", type=Path, metavar="CSV", help="write the full rule audit here")
    why.add_argument("--lang", choices=LANGS, default="en", help="labels and money: en or ko")
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
    page.set_defaults(run=_report)

    what_if = commands.add_parser("compare", help="solve scenarios and show what changed, and why")
    what_if.add_argument("instance", type=Path)
    what_if.add_argument("scenarios", type=Path, nargs="+")
    what_if.add_argument("--model", type=Path)
    what_if.set_defaults(run=_compare)

    grid = commands.add_parser("sweep", help="solve a grid over one to three parameters")
    grid.add_argument("instance", type=Path)
    grid.add_argument("--vary", action="append", required=True, metavar="PATH=START:STOP:N")
    grid.add_argument("--model", type=Path)
    grid.add_argument(
        "--out", type=Path, help=".csv or .parquet (rows journalled as points arrive)"
    )
    grid.add_argument("--workers", type=int, metavar="N", help="local worker processes (1: serial)")
    grid.add_argument("--dask", metavar="ADDR", help="local:N (start N workers) or tcp://HOST:PORT")
    grid.add_argument("--resume", action="store_true", help="finish an interrupted --out sweep")
    grid.add_argument("--warm", action="store_true", help="start each point from the last basis")
    grid.add_argument("--quiet", action="store_true", help="no progress bar")
    grid.set_defaults(run=_sweep)

    pareto = commands.add_parser("frontier", help="the trade-off between two criteria")
    pareto.add_argument("instance", type=Path)
    which = pareto.add_mutually_exclusive_group(required=True)
    which.add_argument(
        "--between",
        nargs=2,
        metavar=("FIRST", "SECOND"),
        help="objective (or its name, e.g. impact), KPI[@YEAR] or cost[@YEAR]; the first is "
        "optimised with the second bounded",
    )
    which.add_argument("--kpi", help="objective against KPI[@YEAR] (default year: the last)")
    pareto.add_argument("--points", type=int, default=25)
    pareto.add_argument("--model", type=Path)
    pareto.add_argument("--out", type=Path, help="write the points to a .csv or .parquet file")
    pareto.set_defaults(run=_frontier)

    mc = commands.add_parser("montecarlo", help="re-optimise samples of the uncertain figures")
    mc.add_argument("instance", type=Path)
    mc.add_argument("--samples", type=int, help="how many (default: the instance's)")
    mc.add_argument("--seed", type=int, help="random seed (default: the instance's)")
    mc.add_argument("--model", type=Path)
    mc.add_argument(
        "--hold",
        choices=["exact", "pro-rata"],
        default="exact",
        help="the base plan under a sampled budget: held exactly, or scaled pro rata within each "
        "line's min and max where it no longer fits (or under must_spend)",
    )
    mc.add_argument(
        "--out", type=Path, help=".csv (written as samples arrive) or .parquet (at the end)"
    )
    mc.add_argument("--workers", type=int, metavar="N", help="local worker processes (1: serial)")
    mc.add_argument("--dask", metavar="ADDR", help="local:N (start N workers) or tcp://HOST:PORT")
    mc.set_defaults(run=_montecarlo)

    near = commands.add_parser("near-optimal", help="ranges and alternatives close to the best")
    near.add_argument("instance", type=Path)
    near.add_argument("--slack", type=float, default=0.02, help="share of the optimum to give up")
    near.add_argument("--alternatives", type=int, default=0)
    near.add_argument("--model", type=Path)
    near.set_defaults(run=_near_optimal)

    check = commands.add_parser("validate", help="check an instance (and its model) for errors")
    check.add_argument("instance", type=Path)
    check.add_argument("--model", type=Path)
    check.set_defaults(run=_validate)

    blank = commands.add_parser("template", help="write a workbook to fill in (instance, model)")
    blank.add_argument("out", type=Path)
    blank.set_defaults(run=_template)

    book = commands.add_parser("export", help="write an instance and its model as one workbook")
    book.add_argument("instance", type=Path)
    book.add_argument("--model", type=Path, help="model file (default: the instance's own)")
    book.add_argument("--out", type=Path, required=True, metavar="FILE.xlsx")
    book.set_defaults(run=_export)

    schema = commands.add_parser("schema", help="print the JSON Schema of a file format")
    schema.add_argument("kind", choices=["instance", "model"], nargs="?", default="instance")
    schema.add_argument("--out", type=Path, help="write to this file instead of stdout")
    schema.set_defaults(run=_schema)
    return parser


def _solve(args: argparse.Namespace) -> int:
    from allocator.api import solve
    from allocator.report import text as report
    from allocator.report import workbook as excel

    if args.out:
        check_output_dir(args.out, args.force)
    if args.xlsx:
        excel.check_target(args.xlsx)
    inst = load_instance(args.instance)
    res = solve(inst, args.model, time_limit=args.time_limit, mip_gap=args.mip_gap)
    if args.out and res.status != Status.interrupted:
        res.to_dir(args.out, force=args.force)
    if args.xlsx and res.status != Status.interrupted:
        excel.write_result(res, args.xlsx)
    print(report.as_json(res) if args.format == "json" else report.table(res, args.lang))
    if args.format == "table" and res.model.levels:
        print(report.levels(res))
    if res.status == Status.optimal and res.verified:
        return EXIT_OK
    return EXIT_NOT_OPTIMAL


def _explain(args: argparse.Namespace) -> int:
    from allocator.api import solve
    from allocator.report import text as report

    res = solve(load_instance(args.instance), args.model)
    print(report.explanation(res, args.per_rule, args.lang))
    if args.audit and res.status.has_allocation:
        _write_csv(res.audit(), args.audit)
    return EXIT_OK if res.status == Status.optimal and res.verified else EXIT_NOT_OPTIMAL


def _report(args: argparse.Namespace) -> int:
    from allocator import analysis as scenarios
    from allocator.api import solve
    from allocator.report import html
    from allocator.report import text as report

    inst = load_instance(args.instance)
    spec = resolve_model(inst, args.model)
    sweeps = {}
    for vary in args.sweep:
        path, values = scenarios.parse_vary(vary)
        sweeps[path] = scenarios.sweep(inst, spec, [(path, values)])
    res = solve(inst, spec, time_limit=args.time_limit)
    frontiers = {}
    for wanted in args.frontier:
        kpi, _, year = wanted.partition("@")
        if not res.status.has_allocation:
            print(f"frontier {wanted} skipped: the base problem has no answer")
            continue
        when = int(year) if year else inst.years[-1]
        known = {k.id: k for k in inst.kpis}
        title = f"{name_of(known[kpi], args.lang) if kpi in known else kpi} {when}"
        frontiers[title] = scenarios.frontier(inst, spec, kpi, when, args.points)
    html.write(res, args.out, lang=args.lang, sweeps=sweeps, frontiers=frontiers)
    print(f"{args.out}: {report.table(res, args.lang).splitlines()[0]}")
    return EXIT_OK if res.status == Status.optimal and res.verified else EXIT_NOT_OPTIMAL


def _compare(args: argparse.Namespace) -> int:
    from allocator import analysis as scenarios

    inst = load_instance(args.instance)
    pairs = [(load_scenario(path), str(path)) for path in args.scenarios]
    code = EXIT_OK
    for comp in scenarios.compare(inst, pairs, args.model):
        print(f"== {comp.scenario}: {comp.result.status.describe()}")
        for change in comp.inputs:
            print(f"  input {change.path}: {change.before!r} → {change.after!r}")
        if not (comp.base.status.has_allocation and comp.result.status.has_allocation):
            code = EXIT_NOT_OPTIMAL
            if comp.result.status == Status.infeasible:
                print(comp.result.diagnosis())
            continue
        delta = (comp.result.objective or 0.0) - (comp.base.objective or 0.0)
        print(
            f"  objective {comp.base.objective:,.4f} → {comp.result.objective:,.4f} ({delta:+,.4f})"
        )
        pillars = comp.pillars()
        for _, row in pillars[pillars.change.abs() > 1e-6].iterrows():
            print(
                f"  {row['name']} {row['year']}: {row['base']:,.1f} → {row['scenario']:,.1f}"
                f" ({row['change']:+,.1f})"
            )
        for _, row in comp.rules().head(12).iterrows():
            print(
                f"  rule {row['rule']}: {row['base_state']} → {row['state']}, price "
                f"{row['base_price']:.4g} → {row['price']:.4g}"
            )
    return code


def _sweep(args: argparse.Namespace) -> int:
    from allocator import analysis as scenarios
    from allocator import execute

    if args.resume and args.out is None:
        raise InputError([Issue("--resume", "", True, "resume needs the --out of the sweep")])
    inst = load_instance(args.instance)
    vary = [scenarios.parse_vary(v) for v in args.vary]
    points = math.prod(len(values) for _, values in vary)
    named = args.dask is not None or args.workers is not None
    runner = execute.executor_for(points, args.workers, args.dask) if named else None
    try:
        table = scenarios.sweep(
            inst,
            args.model,
            vary,
            args.out,
            executor=runner,
            resume=args.resume,
            progress=False if args.quiet else None,
            warm=args.warm,
        )
    except KeyboardInterrupt:
        return EXIT_NOT_OPTIMAL  # the sweep said what it kept and how to resume
    finally:
        if runner is not None:
            runner.close()
    print(table.to_string(index=False))
    return EXIT_OK


def _frontier(args: argparse.Namespace) -> int:
    from allocator import analysis as scenarios

    if args.out:
        table_format(args.out)
    first, second = args.between or ("objective", args.kpi)
    found = scenarios.pareto(load_instance(args.instance), args.model, first, second, args.points)
    if args.out:
        write_table(found.points, args.out)
    print(f"{found.between[0]} ({found.senses[0]}) against {found.between[1]} ({found.senses[1]})")
    print(found.points.to_string(index=False))
    if found.unsolved:
        print(f"{found.unsolved} bounds had no answer and are left out")
    return EXIT_OK


def _montecarlo(args: argparse.Namespace) -> int:
    from allocator import execute
    from allocator.analysis import montecarlo as uncertainty

    inst = load_instance(args.instance)
    named = args.dask is not None or args.workers is not None
    samples = args.samples or (inst.uncertainty.samples if inst.uncertainty else 1)
    with execute.executor_for(samples, args.workers, args.dask) if named else nullcontext() as ex:
        run = uncertainty.monte_carlo(
            inst,
            args.model,
            samples=args.samples,
            seed=args.seed,
            out=args.out,
            hold="pro_rata" if args.hold == "pro-rata" else "exact",
            executor=ex,
        )
    counts = ", ".join(f"{n} {status}" for status, n in run.statuses().items())
    print(f"{run.samples} samples of {inst.name} (seed {run.seed}): {counts}")
    if len(run.answered) < run.samples:
        print("samples without a verified optimum are left out of every figure below")
    with pd.option_context("display.width", 160, "display.float_format", "{:,.2f}".format):
        print("\nOutcomes, re-optimised per sample (base = the plan for the stated figures):")
        print(run.outcomes().to_string(index=False))
        funded = run.funded()
        unsure = funded[(funded.probability < 1) | ~funded.base_funded]
        print(f"\nLines not funded in every sample (funded: over {run.threshold:g}):")
        print(unsure.to_string(index=False) if len(unsure) else "  none: every line is funded")
        print(
            f"\nThe base plan (government money held, {args.hold}) is feasible in "
            f"{run.base_plan_feasible:.1%} of samples (in {run.base_plan_over_budget:.1%} a "
            "year's budget is below what it spends)"
        )
        if run.base_plan_feasible > 0:
            print("Where it is feasible:")
            print(run.base_plan().to_string(index=False))
        broken = run.base_plan_breaks()
        if len(broken):
            print("\nWhat the held base plan breaks (share of samples):")
            print(broken.head(12).to_string(index=False, formatters={"share": "{:.1%}".format}))
    return EXIT_OK


def _near_optimal(args: argparse.Namespace) -> int:
    from allocator import analysis as scenarios

    found = scenarios.near_optimal(
        load_instance(args.instance), args.model, args.slack, args.alternatives
    )
    print("\n".join(found.sentences()))
    for i, plan in enumerate(found.alternatives, start=1):
        print(f"\nalternative {i}: objective {plan.objective:,.4f}, verified {plan.verified}")
        print(plan.pillars[["name", "year", "government", "share"]].to_string(index=False))
    return EXIT_OK


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    frame.to_csv(tmp, index=False)
    tmp.replace(path)


def _validate(args: argparse.Namespace) -> int:
    inst = load_instance(args.instance)
    spec = resolve_model(inst, args.model)
    print(
        f"{args.instance}: valid — {len(inst.lines)} lines in {len(inst.pillars)} pillars, "
        f"years {inst.years[0]}–{inst.years[-1]}; model {spec.name} "
        f"({spec.objective}, {len(spec.rules)} rules)"
    )
    missing = unsourced(inst)
    if missing:
        shown = ", ".join(missing[:8]) + (", ..." if len(missing) > 8 else "")
        print(f"{len(missing)} figures have no provenance in `sources`: {shown}")
    return EXIT_OK


def _template(args: argparse.Namespace) -> int:
    from allocator.report import workbook as excel

    excel.check_target(args.out)
    excel.template(args.out)
    print(f"{args.out}: a workbook to fill in; check it with `allocator validate {args.out}`")
    return EXIT_OK


def _export(args: argparse.Namespace) -> int:
    from allocator.report import workbook as excel

    excel.check_target(args.out)
    inst = load_instance(args.instance)
    excel.export(inst, resolve_model(inst, args.model), args.out)
    print(f"{args.out}: instance {inst.name} and its model; `allocator solve {args.out}` solves it")
    return EXIT_OK


def _schema(args: argparse.Namespace) -> int:
    cls = Instance if args.kind == "instance" else ModelSpec
    text = json.dumps(cls.model_json_schema(), indent=2, ensure_ascii=False)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    else:
        print(text)
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
