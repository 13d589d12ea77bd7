"""The docs site builds with `mkdocs build --strict`: every rule's page carries the formula from its
builder's docstring, every example's page its output, every schema page its keys, and no page
loads anything from the network."""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from allocator import Instance, ModelSpec
from allocator.formulation.ruledoc import RuleDoc, rule_docs

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("docs") / "site"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "DISABLE_MKDOCS_2_WARNING": "true"}
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out


def page(site: Path, path: str) -> str:
    file = site / f"{path}.html"
    if not file.is_file():
        file = site / path / "index.html"
    assert file.is_file(), f"no page {path}"
    return file.read_text(encoding="utf-8")


@pytest.mark.parametrize("doc", rule_docs(), ids=lambda d: d.name)
def test_every_rule_has_a_page_with_its_formula(site: Path, doc: RuleDoc) -> None:
    text = page(site, f"rules/{doc.name}")
    assert '<math xmlns="http://www.w3.org/1998/Math/MathML" display="block">' in text
    assert html.escape(doc.formula) in text  # the TeX annotation of the rendered MathML
    assert html.escape(doc.summary, quote=False) in text
    for name in doc.constraints:
        assert html.escape(name, quote=False) in text
    index = page(site, "rules")
    assert f'href="{doc.name}.html"' in index


def test_rule_index_keeps_the_notation(site: Path) -> None:
    text = page(site, "rules")
    assert "Notation" in text
    assert "<math" in text
    assert "arithmatex" not in text  # every formula became MathML


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.name)
def test_every_example_page_shows_its_output(site: Path, script: Path) -> None:
    text = page(site, f"examples/{script.stem}")
    output = text.split('id="output"', 1)[1].split('id="source"', 1)[0]
    code = re.sub(r"<[^>]+>", "", output.split("<code>", 1)[1].split("</code>", 1)[0])
    assert code.strip(), f"{script.name}: empty output on its page"
    assert f'href="{script.stem}.html"' in page(site, "examples")


def test_the_notebook_page_shows_its_outputs(site: Path) -> None:
    text = page(site, "examples/12_notebook")
    assert "optimal: the best split under every rule" in text  # the result as HTML
    assert text.count('src="data:image/png;base64,') >= 4  # its charts
    assert 'href="12_notebook.html"' in page(site, "examples")


@pytest.mark.parametrize(("kind", "cls"), [("instance", Instance), ("model", ModelSpec)])
def test_schema_pages_list_every_key(site: Path, kind: str, cls: type[Instance]) -> None:
    text = page(site, f"schema/{kind}")
    for key in cls.model_json_schema()["properties"]:
        assert f"<code>{key}</code>" in text
    assert (site / "schema" / f"{kind}.schema.json").is_file()


def test_api_reference_documents_the_public_api(site: Path) -> None:
    text = page(site, "api")
    idents = ("allocator.api.solve", "allocator.Result", "allocator.load_instance")
    for ident in (*idents, "allocator.api.to_pyomo", "allocator.api.write_model"):
        assert f'id="{ident}"' in text


def test_no_page_loads_from_the_network(site: Path) -> None:
    remote = re.compile(r'<(?:script|link|img)[^>]+(?:src|href)="(?:https?:)?//')
    pages = list(site.rglob("*.html"))
    assert len(pages) > 20
    for file in pages:
        assert not remote.search(file.read_text(encoding="utf-8")), file
