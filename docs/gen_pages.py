"""Pages generated at build time (mkdocs-gen-files), so that code and docs cannot drift:

- `rules/`: one page per registered rule and objective, from its builder's docstring
  (`allocator.formulation.ruledoc`), plus the parameters of each policy rule kind from its schema;
- `schema/`: the file formats from the pydantic models' JSON Schemas (and the `.schema.json`
  files themselves, as `allocator schema` prints them);
- `examples/`: every script in `examples/`, run now, with its source and its output, and every
  notebook, run now in a Jupyter kernel (nbclient), with its cells and their outputs.
- `capital-budgeting.md`: the textbook instances of `instances/textbook/`, as their files read.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import mkdocs_gen_files
import yaml

from allocator import Instance, ModelSpec
from allocator.formulation.ruledoc import RuleDoc, rule_docs
from allocator.schema import RULE_KINDS
from allocator.schema.scenario import Scenario

ROOT = Path(__file__).resolve().parent.parent
KINDS = {
    "core": ("Core rules", "every instance carries it"),
    "policy": ("Policy rules", "declared in a model's `rules:`"),
    "objective": ("Objectives", "chosen by a model's `objective:`"),
}
MARKER = "<!-- generated: rule list -->"


def write(path: str, text: str) -> None:
    """Write one generated file into the virtual docs folder."""
    with mkdocs_gen_files.open(path, "w") as handle:
        handle.write(text)


# --- rules ---------------------------------------------------------------------------------


def rule_page(doc: RuleDoc) -> str:
    """One rule's page: summary, formula, notes, constraint names and (policy rules) its keys."""
    label, where = KINDS[doc.kind]
    out = [f"# `{doc.name}`", "", f"*{label[:-1]}: {where}.*", "", doc.summary, ""]
    out += ["$$", doc.formula, "$$", ""]
    if doc.body:
        out += [doc.body, ""]
    if doc.constraints:
        names = ", ".join(f"`{c}`" for c in doc.constraints)
        out += [f"**Constraint names**, as results, audits and diagnoses show them: {names}.", ""]
    if doc.kind == "policy" and doc.name in RULE_KINDS:
        schema = RULE_KINDS[doc.name].model_json_schema()
        out += ["## In a model file", "", schema.get("description", ""), ""]
        out += field_table(schema, schema.get("$defs", {}), link_defs=False)
    out += [
        "## Where it is built",
        "",
        f"`{doc.function}` emits the rows; this page is generated from its docstring. "
        "`allocator.check` re-verifies the rule on every answer with plain arithmetic.",
        "",
    ]
    return "\n".join(out)


def rules_section() -> None:
    """rules/<name>.md for every registered rule, the list on rules/index.md, and the nav."""
    docs = rule_docs()
    names = [d.name for d in docs]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"rules and objectives share names, pages would collide: {duplicates}")
    listing: list[str] = []
    nav = ["* [Rules and objectives](index.md)"]
    for kind, (label, where) in KINDS.items():
        mine = [d for d in docs if d.kind == kind]
        listing += [f"## {label}", "", f"{label} — {where}.", "", "| rule | what it says |"]
        listing += ["| --- | --- |"]
        listing += [f"| [`{d.name}`]({d.name}.md) | {d.summary} |" for d in mine]
        listing.append("")
        nav.append(f"* {label}")
        nav += [f"    * [{d.name}]({d.name}.md)" for d in mine]
        for doc in mine:
            write(f"rules/{doc.name}.md", rule_page(doc))
    with mkdocs_gen_files.open("rules/index.md", "r") as handle:
        index = handle.read()
    if MARKER not in index:
        raise ValueError(f"docs/rules/index.md lost its marker {MARKER!r}")
    write("rules/index.md", index.replace(MARKER, "\n".join(listing)))
    write("rules/SUMMARY.md", "\n".join(nav) + "\n")


# --- file formats ------------------------------------------------------------------------


def type_of(schema: dict[str, Any], link_defs: bool = True) -> str:
    """A JSON Schema type in a few words: `number or string`, `list of Line`, ..."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return f"[{name}](#{name.lower()})" if link_defs else name
    for key in ("anyOf", "oneOf"):
        if key in schema:
            parts = [type_of(s, link_defs) for s in schema[key]]
            return " or ".join(dict.fromkeys(parts))
    if "const" in schema:
        return f"`{json.dumps(schema['const'])}`"
    if "enum" in schema:
        return " or ".join(f"`{json.dumps(v)}`" for v in schema["enum"])
    kind = schema.get("type", "any")
    if kind == "array":
        return f"list of {type_of(schema.get('items', {}), link_defs)}"
    if kind == "object" and isinstance(schema.get("additionalProperties"), dict):
        return f"mapping to {type_of(schema['additionalProperties'], link_defs)}"
    words = {"number": "number", "integer": "integer", "string": "string", "boolean": "boolean"}
    text = words.get(kind, kind)
    limits = [
        f"{sign} {schema[key]:g}"
        for key, sign in (
            ("minimum", "≥"),
            ("exclusiveMinimum", ">"),
            ("maximum", "≤"),
            ("exclusiveMaximum", "<"),
        )
        if key in schema
    ]
    return f"{text} ({', '.join(limits)})" if limits else text


def field_table(schema: dict[str, Any], defs: dict[str, Any], link_defs: bool = True) -> list[str]:
    """The keys of one object schema as a Markdown table."""
    required = set(schema.get("required", []))
    rows = ["| key | type | required / default | meaning |", "| --- | --- | --- | --- |"]
    for key, prop in schema.get("properties", {}).items():
        need = (
            "required"
            if key in required
            else (
                f"`{json.dumps(prop['default'], ensure_ascii=False)}`" if "default" in prop else ""
            )
        )
        meaning = prop.get("description", "").replace("\n", " ").replace("|", "\\|")
        cell = type_of(prop, link_defs).replace("|", "\\|")
        rows.append(f"| `{key}` | {cell} | {need} | {meaning} |")
    return [*rows, ""]


def schema_page(kind: str, schema: dict[str, Any]) -> str:
    """One file format: the top-level keys, each nested object, and the raw JSON Schema."""
    defs = schema.get("$defs", {})
    out = [
        f"# {kind.capitalize()} schema",
        "",
        f"Generated from `{schema['title']}.model_json_schema()` — the JSON Schema that "
        f"`allocator schema {kind}` prints ([{kind}.schema.json]({kind}.schema.json)). An editor "
        "given it checks a YAML file as it is typed. What the figures mean is in "
        "[File formats](../formats.md) and on the [rule pages](../rules/index.md).",
        "",
        f"## {schema['title']}",
        "",
        schema.get("description", ""),
        "",
        *field_table(schema, defs),
    ]
    for name, sub in defs.items():
        out += [f"## {name}", "", sub.get("description", ""), ""]
        if "properties" in sub:
            out += field_table(sub, defs)
        else:
            out += [f"A {type_of(sub)}.", ""]
    text = json.dumps(schema, indent=2, ensure_ascii=False)
    out += ['??? note "The JSON Schema"', "", "    ```json"]
    out += [f"    {line}" for line in text.splitlines()]
    out += ["    ```", ""]
    return "\n".join(out)


def schema_section() -> None:
    """schema/{instance,model,scenario}.md and the .schema.json files beside them."""
    for kind, cls in (("instance", Instance), ("model", ModelSpec), ("scenario", Scenario)):
        schema = cls.model_json_schema()
        write(f"schema/{kind}.md", schema_page(kind, schema))
        write(f"schema/{kind}.schema.json", json.dumps(schema, indent=2, ensure_ascii=False))


# --- examples ----------------------------------------------------------------------------


def run_example(script: Path) -> str:
    """Run one example as the test suite does; its output, or an error that fails the build."""
    proc = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        timeout=600,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"examples/{script.name} failed:\n{proc.stderr}")
    return proc.stdout


def heading(script: Path) -> tuple[str, str, str]:
    """Title, lead and story from the docstring's first line (`Title: lead.`) and the rest."""
    intro = (ast.get_docstring(ast.parse(script.read_text(encoding="utf-8"))) or "").strip()
    first, _, story = intro.partition("\n")
    title, _, lead = (first or script.stem).rstrip(".").partition(": ")
    number = script.stem[:2]
    return (f"{number}. {title}" if number.isdigit() else title), lead, story.strip()


def example_page(script: Path, output: str) -> str:
    """Title and story from the script's docstring, then the output it printed and its source."""
    title, lead, story = heading(script)
    return "\n".join(
        [
            f"# {title}",
            "",
            f"**{lead[:1].upper()}{lead[1:]}.**" if lead else "",
            "",
            story,
            "",
            f"Run it with `python examples/{script.name}`. The output below was produced by "
            "running it while this site was built.",
            "",
            "## Output",
            "",
            "```text",
            output.rstrip(),
            "```",
            "",
            "## Source",
            "",
            "```python",
            script.read_text(encoding="utf-8").rstrip(),
            "```",
            "",
        ]
    )


def notebook_page(path: Path) -> tuple[str, str]:
    """The notebook run now in a Jupyter kernel: its title, and its cells with their outputs
    (text, tables as HTML, charts as inline PNG)."""
    import nbformat
    from nbclient import NotebookClient

    os.environ.setdefault("JUPYTER_PLATFORM_DIRS", "1")
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    ).execute()
    first = notebook.cells[0].source.splitlines()[0].lstrip("# ")
    title = f"{path.stem[:2]}. {first}" if path.stem[:2].isdigit() else first
    parts = [f"# {title}", ""]
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            parts += [
                cell.source.partition("\n")[2] if cell.source.startswith("# ") else cell.source,
                "",
            ]
            continue
        parts += ["```python", cell.source, "```", ""]
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if "text" in out:
                parts += ["```text", out["text"].rstrip(), "```", ""]
            elif "image/png" in data:
                png = data["image/png"].replace("\n", "")
                parts += [f'<img alt="chart" src="data:image/png;base64,{png}">', ""]
            elif "text/html" in data:
                parts += [
                    '<div class="notebook-output" markdown="0">',
                    data["text/html"],
                    "</div>",
                    "",
                ]
            elif "text/plain" in data:
                parts += ["```text", data["text/plain"], "```", ""]
    return title, "\n".join(parts)


def examples_section() -> None:
    """examples/<script>.md for every example, run two at a time, a page for every notebook,
    and the gallery's index."""
    scripts = sorted((ROOT / "examples").glob("*.py"))
    with ThreadPoolExecutor(max_workers=2) as pool:
        outputs = list(pool.map(run_example, scripts))
    nav = ["* [Examples](index.md)"]
    rows = ["| example | what it shows |", "| --- | --- |"]
    for script, output in zip(scripts, outputs, strict=True):
        write(f"examples/{script.stem}.md", example_page(script, output))
        title, lead, _ = heading(script)
        nav.append(f"* [{title}]({script.stem}.md)")
        what = (title.partition(". ")[2] or title) + (f": {lead}" if lead else "")
        rows.append(f"| [{script.name}]({script.stem}.md) | {what} |")
    for path in sorted((ROOT / "examples").glob("*.ipynb")):
        title, page = notebook_page(path)
        write(f"examples/{path.stem}.md", page)
        nav.append(f"* [{title}]({path.stem}.md)")
        what = "a notebook: load, solve, charts, why, a sweep, another solver (run in the tests)"
        rows.append(f"| [{path.name}]({path.stem}.md) | {what} |")
    index = [
        "# Examples",
        "",
        "The scripts in `examples/` tell the story of Korea's AI budget plan, one step at a time. "
        "Each runs in the test suite (`tests/test_examples.py`, the notebook in "
        "`tests/test_notebooks.py`), and each page shows the output it printed when this site "
        "was built.",
        "",
        *rows,
        "",
    ]
    write("examples/index.md", "\n".join(index))
    write("examples/SUMMARY.md", "\n".join(nav) + "\n")


# --- capital budgeting ----------------------------------------------------------------------

TEXTBOOK_MARKER = "<!-- generated: textbook problems -->"


def textbook_section() -> None:
    """capital-budgeting.md with each textbook instance in `instances/textbook/` and its model,
    as the files read."""
    with mkdocs_gen_files.open("capital-budgeting.md", "r") as handle:
        page = handle.read()
    if TEXTBOOK_MARKER not in page:
        raise ValueError(f"docs/capital-budgeting.md lost its marker {TEXTBOOK_MARKER!r}")
    parts: list[str] = []
    for path in sorted((ROOT / "instances" / "textbook").glob("*.yaml")):
        inst = Instance.model_validate(yaml.safe_load(path.read_text("utf-8")))
        model = (path.parent / str(inst.model)).resolve()
        parts += [
            f"### {inst.title or inst.name}",
            "",
            f"`instances/textbook/{path.name}`:",
            "",
            "```yaml",
            path.read_text(encoding="utf-8").rstrip(),
            "```",
            "",
            f"`instances/textbook/models/{model.name}`:",
            "",
            "```yaml",
            model.read_text(encoding="utf-8").rstrip(),
            "```",
            "",
        ]
    write("capital-budgeting.md", page.replace(TEXTBOOK_MARKER, "\n".join(parts)))


rules_section()
schema_section()
examples_section()
textbook_section()
