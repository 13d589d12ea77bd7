"""What-if commands: compare, sweep, frontier, montecarlo, near-optimal."""

from __future__ import annotations

import argparse
import math
from contextlib import nullcontext
from pathlib import Path
from typing import Any

from allocator.cli.common import EXIT_BAD_INPUT, EXIT_NOT_OPTIMAL, EXIT_OK, FORCE_HELP, progress_bar
from allocator.errors import MISSING, InputError, Issue
from allocator.schema import load_instance, resolve_model
from allocator.schema.scenario import load_scenario
from allocator.solver.status import Status


def register(commands: Any) -> None:
    """Add this module's commands to the `allocator` parser."""
    what_if = commands.add_parser("compare", help="solve scenarios and show what changed, and why")
    what_if.add_argument("instance", type=Path)
    what_if.add_argument("scenarios", type=Path, nargs="*")
    what_if.add_argument("--model", type=Path)
    what_if.add_argument(
        "--plan",
        help="put a given plan (CSV, BOOK.xlsx[:SHEET] or 'reported') beside the optimum",
    )
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
    grid.add_argument("--force", action="store_true", help=FORCE_HELP)
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
    pareto.add_argument("--force", action="store_true", help=FORCE_HELP)
    pareto.add_argument("--quiet", action="store_true", help="no progress bar")
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
    mc.add_argument(
        "--values",
        action="store_true",
        help="also draw every assumed impact, private impact and KPI yield (±--band) and report "
        "per line and pillar the probability it is funded and its median and 10-90%% range",
    )
    mc.add_argument("--band", type=float, default=0.2, help="relative band of --values")
    mc.add_argument("--workers", type=int, metavar="N", help="local worker processes (1: serial)")
    mc.add_argument("--dask", metavar="ADDR", help="local:N (start N workers) or tcp://HOST:PORT")
    mc.add_argument("--force", action="store_true", help=FORCE_HELP)
    mc.add_argument("--quiet", action="store_true", help="no progress bar")
    mc.set_defaults(run=_montecarlo)
    near = commands.add_parser("near-optimal", help="ranges and alternatives close to the best")
    near.add_argument("instance", type=Path)
    near.add_argument("--slack", type=float, default=0.02, help="share of the optimum to give up")
    near.add_argument("--alternatives", type=int, default=0)
    near.add_argument(
        "--distance",
        type=float,
        metavar="AMOUNT",
        help="government money each alternative moves at least, from the optimum and from each "
        "other (in the currency unit; default 1%% of the horizon's budget)",
    )
    near.add_argument("--model", type=Path)
    near.add_argument("--quiet", action="store_true", help="no progress bar")
    near.set_defaults(run=_near_optimal)


def _compare(args: argparse.Namespace) -> int:
    from allocator import analysis as scenarios
    from allocator.report.text import objective_lines
    from allocator.words import figure, objective_amount, row_unit_words, signed

    inst = load_instance(args.instance)
    if args.plan is not None:
        from allocator.cli.plans import compare_plan

        return compare_plan(inst, args.plan, args.model, args.scenarios)
    if not args.scenarios:
        raise InputError(
            [Issue("compare", "", MISSING, "give scenario files, or --plan PLAN, or both")]
        )
    pairs = []
    code = EXIT_OK
    for path in args.scenarios:
        try:
            pairs.append((load_scenario(path), str(path)))
        except InputError as exc:  # report it and go on with the others
            print(f"== {path}: skipped — {exc}")
            code = EXIT_BAD_INPUT
    comparisons = scenarios.compare(inst, pairs, args.model)
    if comparisons and comparisons[0].base.status.has_allocation:
        print("\n".join(objective_lines(comparisons[0].base)))
    unit = inst.currency_unit
    for comp in comparisons:
        if comp.skipped is not None:
            print(f"== {comp.scenario}: skipped — {comp.skipped}")
            code = EXIT_BAD_INPUT if comp.bad_input else code
            continue
        print(f"== {comp.scenario}: {comp.result.status_text}")
        for change in comp.inputs:
            print(f"  input {change.path}: {change.before!r} → {change.after!r}")
        if not (comp.base.status.has_allocation and comp.result.status.has_allocation):
            code = max(code, EXIT_NOT_OPTIMAL) if code != EXIT_BAD_INPUT else code
            if comp.result.status == Status.infeasible:
                print(comp.result.diagnosis())
            continue
        kind = comp.base.model.objective
        before, after = comp.base.objective or 0.0, comp.result.objective or 0.0
        print(
            f"  objective {figure(before, 9)} → {objective_amount(after, kind, unit, sig=9)} "
            f"({signed(after - before, 6)})"
        )
        pillars = comp.pillars()
        for _, row in pillars[pillars.change.abs() > 1e-6].iterrows():
            print(
                f"  {row['name']} {row['year']}: government money {figure(row['base'], 6)} → "
                f"{figure(row['scenario'], 6)} {row_unit_words('money', unit)} "
                f"({signed(row['change'], 6)})"
            )
        audit = comp.base.audit().set_index("rule").unit
        for _, row in comp.rules().head(12).iterrows():
            per = row_unit_words(str(audit.get(row["rule"], "money") or "money"), unit)
            points = objective_amount(0.0, kind, unit).split(" ", 1)[-1]
            print(
                f"  rule {row['rule']}: {row['base_state']} → {row['state']}, one more {per} "
                f"worth {figure(row['base_price'])} → {figure(row['price'])} {points}"
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
            force=args.force,
        )
    except KeyboardInterrupt:
        return EXIT_NOT_OPTIMAL  # the sweep said what it kept and how to resume
    finally:
        if runner is not None:
            runner.close()
    from allocator.report.text import objective_note

    print(objective_note(inst, resolve_model(inst, args.model)))
    print(table.to_string(index=False))
    return EXIT_OK


def _frontier(args: argparse.Namespace) -> int:
    from allocator import analysis as scenarios
    from allocator.report.text import objective_lines
    from allocator.results.output import table_target, write_table

    inst = load_instance(args.instance)
    spec = resolve_model(inst, args.model)
    inputs = [*inst.files, *spec.files]
    if args.out:
        table_target(args.out, force=args.force, inputs=inputs)
    first, second = args.between or ("objective", args.kpi)
    with progress_bar(args.quiet, "points") as bar:
        found = scenarios.pareto(inst, spec, first, second, args.points, bar)
    if args.out:
        write_table(found.points, args.out, force=args.force, inputs=inputs)
    print(f"{found.between[0]} ({found.senses[0]}) against {found.between[1]} ({found.senses[1]})")
    if found.results:
        print("\n".join(objective_lines(found.results[0])[1:]))
    print(found.points.to_string(index=False))
    if found.unsolved:
        print(f"{found.unsolved} bounds had no answer and are left out")
    return EXIT_OK


def _montecarlo(args: argparse.Namespace) -> int:
    import pandas as pd

    from allocator import execute
    from allocator.analysis import montecarlo as uncertainty

    inst = load_instance(args.instance)
    if args.values:
        from allocator.analysis.firmness import value_bands

        inst = value_bands(inst, args.band)
    named = args.dask is not None or args.workers is not None
    samples = args.samples or (inst.uncertainty.samples if inst.uncertainty else 1)
    runner = execute.executor_for(samples, args.workers, args.dask) if named else nullcontext()
    with runner as ex, progress_bar(args.quiet, "samples") as bar:
        run = uncertainty.monte_carlo(
            inst,
            args.model,
            samples=args.samples,
            seed=args.seed,
            out=args.out,
            hold="pro_rata" if args.hold == "pro-rata" else "exact",
            executor=ex,
            force=args.force,
            progress=bar,
        )
    counts = ", ".join(f"{n} {status}" for status, n in run.statuses().items())
    print(f"{run.samples} samples of {inst.name} (seed {run.seed}): {counts}")
    from allocator.report.text import objective_note

    print(objective_note(inst, run.base.model))
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
        if args.values:
            from allocator.analysis.firmness import value_ranges

            lines, pillars = value_ranges(run)
            shown = {"probability": "{:.0%}".format}
            print("\nPer line over the samples (government money, funded = over the threshold):")
            print(lines.to_string(index=False, formatters=shown))
            print("\nPer pillar:")
            print(pillars.to_string(index=False, formatters=shown))
    return EXIT_OK


def _near_optimal(args: argparse.Namespace) -> int:
    import pandas as pd

    from allocator import analysis as scenarios
    from allocator.report.text import objective_lines
    from allocator.words import amount, percent

    with progress_bar(args.quiet) as bar:
        found = scenarios.near_optimal(
            load_instance(args.instance),
            args.model,
            args.slack,
            args.alternatives,
            args.distance,
            progress=bar,
        )
    print("\n".join(found.sentences()))
    for i, plan in enumerate(found.alternatives, start=1):
        print(f"\nalternative {i}: verified {plan.verified}")
        print("\n".join(objective_lines(plan)[:1]))
        print(found.alternative_sentences(args.alternatives)[i - 1])
        unit = plan.instance.currency_unit
        table = pd.DataFrame(
            {
                "pillar": plan.pillars.name,
                "year": plan.pillars.year,
                "government": [amount(x, unit) for x in plan.pillars.government],
                "share of government money": [percent(x) for x in plan.pillars.share],
            }
        )
        print(table.to_string(index=False))
    extra = found.alternative_sentences(args.alternatives)[len(found.alternatives) :]
    if extra:
        print("\n" + "\n".join(extra))
    return EXIT_OK
