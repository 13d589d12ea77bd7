"""The public entry points: load the files, solve, get a verified `Result`.

Pyomo is imported only on the paths that need it (another solver, `to_pyomo`, a `pyomo_model`
handed back): a solve with HiGHS never loads it."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from allocator.errors import InputError, Issue
from allocator.formulation import Formulation, build
from allocator.schema import Instance, ModelSpec, load_instance, output, resolve_model
from allocator.schema.plans import read_plan
from allocator.solver.files import model_format
from allocator.solver.files import write_model as write_formulation
from allocator.solver.highs import Resolver, SolveOptions, run_highs
from allocator.solver.lexicographic import solve_levels
from allocator.solver.options import FAST

if TYPE_CHECKING:
    import pandas as pd

    from allocator.results.result import Result


def solve(
    instance: Instance | str | Path,
    model: ModelSpec | str | Path | None = None,
    *,
    solver: str = FAST,
    time_limit: float | None = None,
    mip_gap: float = 1e-7,
    threads: int | None = None,
    seed: int = 0,
    highs_options: Mapping[str, Any] | None = None,
    solver_options: Mapping[str, Any] | None = None,
    pyomo_model: Any = None,
    pyomo_results: Any = None,
) -> Result:
    """Build and solve `instance` under `model` (default: the instance's own).

    `solver="highs"` (the default) hands the rule rows to HiGHS through highspy: the fast path,
    with shadow prices, ranging and the diagnosis of infeasibility. Any other name (`"cbc"`,
    `"glpk"`, `"gurobi"`, `"appsi_highs"`, ...) solves the complete Pyomo model with that Pyomo
    solver, `mip_gap` passed where allocator knows the solver's option for it and
    `solver_options` passed by the solver's own names. `pyomo_model` is a model from
    `allocator.to_pyomo`, perhaps with constraints of one's own, solved instead of a fresh one;
    with `pyomo_results` (what `SolverFactory(...).solve(m)` returned) it is not solved again:
    the answer in its variables is read as it is.

    The result's allocation exists only for an optimal solve or, after a limit, for an incumbent
    marked as such with its gap; whichever solver found it, the independent checker has
    re-verified it. `instance` may be a file name (YAML or workbook), loaded with
    `load_instance`. `highs_options` passes further HiGHS options by name. Options are checked
    before HiGHS sees them (`InputError` naming the option)."""
    instance = _instance(instance)
    spec = resolve_model(instance, model)
    built = (
        build(instance, spec) if pyomo_model is None else _made_from(pyomo_model, instance, spec)
    )
    options = SolveOptions(
        time_limit=time_limit,
        mip_gap=mip_gap,
        threads=threads,
        seed=seed,
        highs=tuple((highs_options or {}).items()),
        solver=solver,
        solver_options=tuple((solver_options or {}).items()),
    )
    if pyomo_results is not None:
        from allocator.solver.pyomo_solvers import defined, read_answer

        if pyomo_model is None:
            raise InputError([Issue("pyomo_results", "", None, "pass the model it answers too")])
        named = defined(getattr(pyomo_results.solver, "name", None)) or "pyomo"
        name = solver if solver != FAST else named
        return _results().from_solution(
            built, read_answer(built, pyomo_results, replace(options, solver=name))
        )
    if solver != FAST:
        from allocator.solver.pyomo_solvers import pyomo_solver

        pyomo_solver(solver)  # refused here, with the reason, when it cannot run
    result = _solve_built(built, options)
    if result.status.has_allocation and not result.verified and options.presolve and solver == FAST:
        # A verification failure is numerical trouble more often than a wrong model: retry once
        # without presolve before reporting the residuals.
        again = build(instance, spec) if spec.objective == "lexicographic" else built
        retry = _solve_built(again, replace(options, presolve=False))
        retry.retried_without_presolve = True
        return retry if retry.verified or not retry.status.has_allocation else result
    return result


def to_pyomo(instance: Instance, model: ModelSpec | str | Path | None = None) -> Any:
    """The complete Pyomo model of `instance` under `model` (default: the instance's own): every
    rule row a constraint in one indexed component per rule family, named as in the
    explanations (`m.pillar_share_min["talent", 2027]`, `m.budget[2026]`), the variables with
    their names, bounds and integrality (`m.gov["INF-01", 2026]`), and `m.objective`.

    Add constraints of your own and solve it with any Pyomo solver, or hand it back:
    `allocator.solve(inst, model, pyomo_model=m, solver="cbc")` solves it and re-verifies the
    answer (your constraints included)."""
    return build(instance, resolve_model(instance, model)).to_pyomo()


def write_model(
    instance: Instance,
    path: str | Path,
    model: ModelSpec | str | Path | None = None,
    *,
    force: bool = False,
    pyomo_model: Any = None,
) -> Path:
    """Write the model of `instance` under `model` as an MPS or LP file (by `path`'s suffix) for
    any other solver or tool: rows and columns named as in the explanations where the format
    allows (`allocator.solver.files`). An existing file is replaced only with `force`.
    `pyomo_model` (from `to_pyomo`) adds its constraints of one's own."""
    model_format(Path(path))
    spec = resolve_model(instance, model)
    out = output.target(path, force=force, inputs=[*instance.files, *spec.files], flag="--mps/--lp")
    built = (
        build(instance, spec) if pyomo_model is None else _made_from(pyomo_model, instance, spec)
    )
    return output.write_file(out, lambda staged: write_formulation(built, staged))


def _made_from(m: Any, instance: Instance, spec: ModelSpec) -> Formulation:
    """The formulation behind a Pyomo model from `to_pyomo`, if it is of this instance and model."""
    from allocator.formulation.pyomo_model import FORMULATION

    built = getattr(m, FORMULATION, None)
    if not isinstance(built, Formulation):
        raise InputError(
            [Issue("pyomo_model", "", type(m).__name__, "pass a model made by allocator.to_pyomo")]
        )
    if built.inst != instance or built.spec != spec:
        raise InputError(
            [
                Issue(
                    "pyomo_model",
                    "",
                    f"{built.inst.name} under {built.spec.name}",
                    f"it was made of another instance or model than {instance.name} under "
                    f"{spec.name}; pass the ones it was made of",
                )
            ]
        )
    if spec.objective == "lexicographic":
        raise InputError(
            [
                Issue(
                    "pyomo_model",
                    "",
                    spec.name,
                    "a model with prioritised goals is solved level by level, holding each; "
                    "solve it without pyomo_model",
                )
            ]
        )
    built.to_pyomo()  # refreshed: the bounds as they stand on its variables
    return built


def _instance(instance: Any) -> Instance:
    """An `Instance`, loading a file name; anything else is an `InputError` saying what to pass."""
    if isinstance(instance, Instance):
        return instance
    if isinstance(instance, str | Path):
        return load_instance(instance)
    raise InputError(
        [
            Issue(
                "instance",
                "",
                type(instance).__name__,
                "pass an Instance (allocator.load_instance(path) or Instance.model_validate(data))"
                " or the name of an instance file",
            )
        ]
    )


def evaluate(
    instance: Instance,
    plan: str | Path | pd.DataFrame,
    model: ModelSpec | str | Path | None = None,
) -> Result:
    """Score a given plan under `model` (default: the instance's own): its objective and KPI
    levels computed as for a solve, and the independent checker's verdict on every rule.

    `plan` is a CSV path (columns line, year, amount[, source]; a solve's `allocation.csv` is
    one), `BOOK.xlsx[:SHEET]`, a DataFrame with those columns, or `"reported"` (each line's
    reported government money). The result's status is `Status.scored`, never `optimal`;
    `res.verified` is True when the plan satisfies every rule, else `res.violations` lists what
    it breaks, each by how much in the rule's unit. Bad input raises `InputError`."""
    given = read_plan(instance, plan)
    spec = resolve_model(instance, model)
    return _results().from_plan(instance, spec, given)


def _solve_built(built: Formulation, options: SolveOptions) -> Result:
    """One solve of a built model: the priority levels in order for a lexicographic model."""
    lexicographic = built.spec.objective == "lexicographic"
    if options.solver == FAST and not lexicographic:
        sol = run_highs(built, options, meanwhile=_while_highs_runs)
        return _results().from_solution(built, sol)
    if options.solver == FAST:
        levels = solve_levels(built, options, meanwhile=_while_highs_runs)
        return _results().from_solution(built, *levels)
    made = _results()
    from allocator.solver.pyomo_solvers import run_pyomo, solve_levels_with

    if lexicographic:
        return made.from_solution(built, *solve_levels_with(built, options))
    return made.from_solution(built, run_pyomo(built, options))


def _results() -> type[Result]:
    """`Result` and the modules it needs, loaded on first use (during the first solve, while
    HiGHS runs in its thread)."""
    from allocator.results.result import Result

    return Result


TABLES_MEANWHILE = True
"""Whether a solve loads pandas while HiGHS runs (about 0.3 s of CPU, on the other core): the
tables most callers ask for next. The command line turns it off when it prints text only, which
needs no table (then pandas loads, if at all, when a table is first asked for)."""


def _while_highs_runs() -> None:
    """What a solve loads while HiGHS works: `Result`'s modules, and pandas unless told not to."""
    _results()
    if TABLES_MEANWHILE:
        import pandas  # noqa: F401


def solve_many(
    instances: Iterable[Instance],
    model: ModelSpec | str | Path | None = None,
    *,
    warm: bool = False,
    time_limit: float | None = None,
    mip_gap: float = 1e-7,
    solver: str = FAST,
) -> Iterator[Result]:
    """Solve a run of instances that share a shape (a sweep over budgets, say) in one HiGHS
    session, changing only what differs between points; each result is verified as usual.
    `warm` keeps the previous basis (measure it: a cleared basis is often faster). The session
    is HiGHS's: another `solver` is refused (solve each instance with `solve(..., solver=)`)."""
    if solver != FAST:
        raise InputError(
            [
                Issue(
                    "solver",
                    "",
                    solver,
                    "solve_many changes one HiGHS session in place between instances, which "
                    f"only HiGHS does; solve each instance with solve(..., solver={solver!r})",
                )
            ]
        )
    resolver = Resolver(SolveOptions(time_limit=time_limit, mip_gap=mip_gap), warm=warm)
    spec: ModelSpec | None = None
    for inst in instances:
        spec = spec or resolve_model(inst, model)
        if spec.objective == "lexicographic":  # several solves per point: no shared session
            yield solve(inst, spec, time_limit=time_limit, mip_gap=mip_gap)
            continue
        built = build(inst, spec)
        yield _results().from_solution(built, resolver.solve(built, meanwhile=_while_highs_runs))
