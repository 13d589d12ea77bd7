"""Commands about files: validate, template, export, schema."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from allocator.cli.common import EXIT_OK, FORCE_HELP
from allocator.errors import InputError, Issue
from allocator.schema import Instance, ModelSpec, load_instance, output, resolve_model
from allocator.schema.provenance import summary, unsourced


def register(commands: Any) -> None:
    """Add this module's commands to the `allocator` parser."""
    check = commands.add_parser("validate", help="check an instance (and its model) for errors")
    check.add_argument("instance", type=Path)
    check.add_argument("--model", type=Path)
    check.set_defaults(run=_validate)
    blank = commands.add_parser("template", help="write a workbook to fill in (instance, model)")
    blank.add_argument("out", type=Path)
    blank.add_argument("--force", action="store_true", help=FORCE_HELP)
    blank.set_defaults(run=_template)
    book = commands.add_parser(
        "export", help="write an instance and its model as a workbook, or the model as MPS/LP"
    )
    book.add_argument("instance", type=Path)
    book.add_argument("--model", type=Path, help="model file (default: the instance's own)")
    target = book.add_mutually_exclusive_group(required=True)
    target.add_argument("--out", type=Path, metavar="FILE.xlsx", help="instance and model")
    target.add_argument("--mps", type=Path, metavar="FILE", help="the model as free MPS")
    target.add_argument("--lp", type=Path, metavar="FILE", help="the model as CPLEX LP")
    book.add_argument("--force", action="store_true", help=FORCE_HELP)
    book.set_defaults(run=_export)
    schema = commands.add_parser("schema", help="print the JSON Schema of a file format")
    schema.add_argument("kind", choices=["instance", "model"], nargs="?", default="instance")
    schema.add_argument("--out", type=Path, help="write to this file instead of stdout")
    schema.add_argument("--force", action="store_true", help=FORCE_HELP)
    schema.set_defaults(run=_schema)


def _validate(args: argparse.Namespace) -> int:
    inst = load_instance(args.instance)
    spec = resolve_model(inst, args.model)
    print(
        f"{args.instance}: valid — {len(inst.lines)} lines in {len(inst.pillars)} pillars, "
        f"years {inst.years[0]}–{inst.years[-1]}; model {spec.name} "
        f"({spec.objective}, {len(spec.rules)} rules)"
    )
    print(summary(inst))
    missing = unsourced(inst)
    if missing:
        shown = ", ".join(missing[:8]) + (", ..." if len(missing) > 8 else "")
        print(f"{len(missing)} figures have no provenance in `sources`: {shown}")
    return EXIT_OK


def _template(args: argparse.Namespace) -> int:
    from allocator.report import workbook as excel

    excel.template(args.out, force=args.force)
    print(f"{args.out}: a workbook to fill in; check it with `allocator validate {args.out}`")
    return EXIT_OK


def _export(args: argparse.Namespace) -> int:
    from allocator.report import workbook as excel

    if args.mps or args.lp:
        return _export_model(args, args.mps or args.lp)

    excel.check_target(args.out, force=args.force)
    inst = load_instance(args.instance)
    excel.export(inst, resolve_model(inst, args.model), args.out, force=args.force)
    print(f"{args.out}: instance {inst.name} and its model; `allocator solve {args.out}` solves it")
    return EXIT_OK


def _export_model(args: argparse.Namespace, path: Path) -> int:
    from allocator.api import write_model

    kind = "mps" if args.mps else "lp"
    if path.suffix.lower() != f".{kind}":
        raise InputError([Issue(f"--{kind}", "", str(path), f"name a .{kind} file")])
    inst = load_instance(args.instance)
    spec = resolve_model(inst, args.model)
    write_model(inst, path, spec, force=args.force)
    print(f"{path}: the model of {inst.name} under {spec.name} as {kind.upper()}, names kept")
    return EXIT_OK


def _schema(args: argparse.Namespace) -> int:
    cls = Instance if args.kind == "instance" else ModelSpec
    text = json.dumps(cls.model_json_schema(), indent=2, ensure_ascii=False)
    if args.out:
        out = output.target(args.out, force=args.force)
        output.write_file(out, lambda staged: staged.write_text(text + "\n", encoding="utf-8"))
    else:
        print(text)
    return EXIT_OK
