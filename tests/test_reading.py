"""Reading fast without reading differently: libyaml's C loader beside PyYAML's own (the same
files accepted, the same refused with the same located messages), and large tables validated a
column at a time giving the same `Instance` as one pydantic object per row."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import yaml

import allocator
from allocator.schema import files
from allocator.schema.files import LOADERS, load_yaml_text
from tests.catalogue_safety import BOMB, DEEP

ROOT = Path(__file__).resolve().parent.parent
C_ONLY = pytest.mark.skipif("c" not in LOADERS, reason="PyYAML built without libyaml")


def test_libyaml_is_the_loader_where_present() -> None:
    assert ("c" if yaml.__with_libyaml__ else "python") == files.LOADER
    assert "python" in LOADERS


@C_ONLY
def test_the_c_loader_itself_refuses_an_alias_bomb_fast() -> None:
    """Not through the fallback: libyaml's loader counts the aliases before constructing."""
    started = time.perf_counter()
    with pytest.raises(yaml.composer.ComposerError, match="at most 100,000 values may come"):
        yaml.load(BOMB, Loader=LOADERS["c"])
    assert time.perf_counter() - started < 1.0


@C_ONLY
@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("a: {b: 1, b: 2}\n", "key 'b' is given twice in this mapping (first at line 1)"),
        ("a: " + "[" * 70 + "]" * 70 + "\n", "more than 64 levels"),
        (DEEP, "exceeded maximum nesting depth"),  # libyaml's own limit, at 1,000 levels
        ("n: " + "1" * 5000 + "\n", "a whole number with 5,000 digits"),
        (
            "a: &x [1]\nb: &y [*x, *x]\nc: [*y, *y, *y]\n" + "d: " + "[" * 63 + "*y" + "]" * 63,
            "followed through its aliases, the file nests more than 64 levels deep",
        ),
    ],
)
def test_the_c_loader_itself_refuses_what_pyyaml_refuses(text: str, problem: str) -> None:
    with pytest.raises(yaml.YAMLError, match=problem.replace("(", r"\(").replace(")", r"\)")):
        yaml.load(text, Loader=LOADERS["c"])


@pytest.mark.parametrize(
    "text",
    [
        "a: &d {p: 1, q: 2}\nb: {<<: *d, q: 3}\nc: [*d, *d]\n",
        "budget: {2026: 1.5, '2027': 2, 02028: 3}\nx: 1_000\ny: 0x1f\nz: 1e3\nw: .5\n",
        "t: 2026-01-01\nb: [yes, no, on, off, true, False]\nn: ~\ns: '12.0'\n",
        "k: !!str 12\nv: !!float 3\nm: |\n  two\n  lines\n",
    ],
)
def test_both_loaders_read_the_same_values(text: str) -> None:
    read = {name: load_yaml_text(text, name) for name in LOADERS}
    assert all(value == read["python"] for value in read.values())
    assert all(repr(value) == repr(read["python"]) for value in read.values())


@pytest.mark.parametrize("name", ["korea-2026.yaml", "korea-2026-2030.yaml", "toy.yaml"])
def test_both_loaders_load_the_same_instances(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    loaded = {}
    for loader in sorted(LOADERS):
        monkeypatch.setattr(files, "LOADER", loader)
        loaded[loader] = allocator.load_instance(ROOT / "instances" / name)
    assert all(inst == loaded["python"] for inst in loaded.values())
