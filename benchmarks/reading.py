"""Reading an instance, side by side: `load_instance` against the bare C parse of the same files,
and two allocator trees against each other.

    .venv/bin/python benchmarks/reading.py [--before /work/main] [--sizes 1000,10000] [--runs 3]

For each size (synthetic, 5 years, from `benchmarks/cases.py`) five instance files are read: the
CSV case (instance YAML naming its lines CSV, as `instances/` does), the same instance with its
lines inline in the YAML (written by allocator's `save`), the same again with every third line's
`max` one mapping that PyYAML writes once and aliases, and the five-year Korea plan copied to
that many lines (`scaling.korea`: schedules, curves, names with "&"), inline and with its lines
in a CSV shaped as `instances/korea-2026-2030.lines.csv` (its rows copied, ids suffixed: pillar
shares, `schedule.2026`, `span`, `curve`, `delivers.gpus.2028`, ...). `--only TEXT` reads just
the files whose label holds TEXT (`--only "lines CSV"`). Each measurement is one fresh process
of a tree's own interpreter (`TREE/.venv/bin/python`), imports done before the clock starts;
the trees take turns, run by run. In each process:

- **raw parse** — what `benchmarks/raw_highs.py` reads with: libyaml's C loader
  (`yaml.CSafeLoader`) on the instance YAML, plus pandas' C parser on the lines CSV when there is
  one; nothing checked;
- **load_instance** — allocator's reading: every check, the validated `Instance`.

Then `allocator validate instances/korea-2026.yaml` as a whole process (interpreter start-up and
imports included), the trees in turn. Prints medians (and, for the ratios, the median of the
run-by-run ratios) as a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def worker(path: Path) -> None:
    """Time the raw parse and `load_instance` on `path`, in this process; print JSON."""
    import pandas as pd
    import yaml

    from allocator import load_instance

    started = time.perf_counter()
    data = yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)
    if isinstance(data.get("lines"), str):
        pd.read_csv(path.parent / data["lines"], skipinitialspace=True, engine="c")
    raw = time.perf_counter() - started
    started = time.perf_counter()
    inst = load_instance(path)
    load = time.perf_counter() - started
    print(json.dumps({"raw": raw, "load": load, "lines": len(inst.lines)}))


def _cases(sizes: list[int]) -> list[tuple[str, Path]]:
    sys.path.insert(0, str(HERE))
    from cases import CASES, case_name, write_case

    import allocator

    out: list[tuple[str, Path]] = []
    for size in sizes:
        csv_case = CASES / f"{case_name('lp', size, 5)}.yaml"
        if not csv_case.exists():
            write_case("lp", size, 5)
        inline = CASES / f"{case_name('lp', size, 5)}.inline.yaml"
        if not inline.exists():
            allocator.save(allocator.load_instance(csv_case), inline)
        shared = CASES / f"{case_name('lp', size, 5)}.aliased.yaml"
        if not shared.exists():
            _write_aliased(size, shared)
        korea = CASES / f"korea-like-{size}.yaml"
        if not korea.exists():
            _write_korea_like(size, korea)
        korea_csv = CASES / f"korea-like-{size}.csv.yaml"
        if not korea_csv.exists():
            _write_korea_csv(size, korea_csv)
        out += [(f"{size:,} × 5, lines CSV", csv_case), (f"{size:,} × 5, lines inline", inline)]
        out += [(f"{size:,} × 5, inline, a third sharing one max by alias", shared)]
        out += [(f"Korea plan copied to {size:,} lines, inline", korea)]
        out += [(f"Korea plan copied to {size:,} lines, lines CSV", korea_csv)]
    return out


def _write_aliased(size: int, path: Path) -> None:
    """The synthetic instance inline, every third line's `max` one shared mapping: PyYAML writes
    it once with an anchor and then aliases (as a generator reusing a dict gets)."""
    import yaml

    from allocator.synthetic import synthetic_case

    data, _ = synthetic_case(size, 5)
    shared = {year: 1e6 for year in data["years"]}
    for line in data["lines"][::3]:
        line["max"] = shared
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def _write_korea_like(size: int, path: Path) -> None:
    """korea-2026-2030 with its lines copied to about `size` (`scaling.korea`), inline: schedules,
    curves, a fund's per-line caps, names with "&" in them."""
    import yaml
    from scaling import korea

    class Plain(yaml.SafeDumper):
        def ignore_aliases(self, data: object) -> bool:
            return True  # the copies share nested mappings; written out in full, as by hand

    data, _ = korea(size)
    text = yaml.dump(data, Dumper=Plain, allow_unicode=True, sort_keys=False)
    path.write_text(text, encoding="utf-8")


def _write_korea_csv(size: int, path: Path) -> None:
    """The Korea-like instance of `_write_korea_like`, its lines in a CSV beside it: the rows of
    `instances/korea-2026-2030.lines.csv` copied as `scaling.korea` copies its lines (ids and
    names suffixed), the same header."""
    import csv

    import yaml
    from scaling import korea

    class Plain(yaml.SafeDumper):
        def ignore_aliases(self, data: object) -> bool:
            return True

    data, _ = korea(size)
    source = ROOT / "instances" / "korea-2026-2030.lines.csv"
    header, *rows = list(csv.reader(source.read_text(encoding="utf-8-sig").splitlines()))
    copies = len(data["lines"]) // len(rows)
    table = path.with_name(path.name.removesuffix(".yaml") + ".lines.csv")
    with table.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        for j in range(copies):
            for row in rows:
                cells = dict(zip(header, row, strict=True))
                cells["id"] = f"{cells['id']}-{j}" if j else cells["id"]
                cells["name"] = f"{cells['name']} ({j})"
                writer.writerow(cells.values())
    data["lines"] = table.name
    text = yaml.dump(data, Dumper=Plain, allow_unicode=True, sort_keys=False)
    path.write_text(text, encoding="utf-8")


def _run(tree: Path, path: Path) -> dict[str, float]:
    python = tree / ".venv" / "bin" / "python"
    proc = subprocess.run(
        [str(python), str(Path(__file__).resolve()), "--worker", str(path)],
        capture_output=True,
        text=True,
        check=True,
        cwd=tree,
    )
    result: dict[str, float] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def _validate(tree: Path) -> float:
    python = tree / ".venv" / "bin" / "python"
    started = time.perf_counter()
    subprocess.run(
        [str(python), "-m", "allocator.cli", "validate", str(ROOT / "instances/korea-2026.yaml")],
        capture_output=True,
        check=True,
        cwd=tree,
    )
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, default=Path("/work/main"))
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", default="", help="read just the files whose label holds this")
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker is not None:
        worker(args.worker)
        return 0
    trees = {"before": args.before, "after": ROOT}
    print("| file | raw parse (s) | load before (s) | load after (s) | before/raw | after/raw |")
    print("| --- | --- | --- | --- | --- | --- |")
    for label, path in _cases([int(s) for s in args.sizes.split(",")]):
        if args.only not in label:
            continue
        runs: dict[str, list[dict[str, float]]] = {"before": [], "after": []}
        for _ in range(args.runs):
            for side, tree in trees.items():
                runs[side].append(_run(tree, path))
        raw = statistics.median(r["raw"] for side in runs.values() for r in side)
        load = {side: statistics.median(r["load"] for r in rs) for side, rs in runs.items()}
        ratio = {
            side: statistics.median(r["load"] / r["raw"] for r in rs) for side, rs in runs.items()
        }
        print(
            f"| {label} | {raw:.3f} | {load['before']:.3f} | {load['after']:.3f} | "
            f"{ratio['before']:.2f}× | {ratio['after']:.2f}× |",
            flush=True,
        )
    times: dict[str, list[float]] = {"before": [], "after": []}
    for _ in range(args.runs):
        for side, tree in trees.items():
            times[side].append(_validate(tree))
    before, after = (statistics.median(times[s]) for s in ("before", "after"))
    print(
        f"\n`allocator validate instances/korea-2026.yaml`, whole process: before {before:.3f} s, "
        f"after {after:.3f} s ({after / before:.2f}×)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
