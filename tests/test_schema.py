"""Instance and model files: every error names file, field, value and the fix, all at once."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml

import allocator
from allocator import InputError
from tests.helpers import tiny


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


GOOD = """
    name: small
    years: [2026, 2027]
    pillars:
      - {id: infra, name: Infrastructure}
      - {id: talent, name: Talent}
    budget: {2026: "9.9조", 2027: 10000}
    private_pool: "1.5T"
    kpis:
      - {id: gpus, name: GPUs in service, unit: GPU, baseline: 10000}
    lines: lines.csv
    targets:
      - {kpi: gpus, year: 2027, value: 52000}
"""
LINES = """
    id,name,pillar,new,min,max,max.2027,leverage,impact,yields.gpus,groups
    gpu,GPU procurement,infra,false,1000,,,3,1.0,8,hubs;compute
    ai_grad,AI graduate schools,talent,true,50,130,,,0.8,,
"""


def test_loads_yaml_with_csv_lines_and_units(tmp_path: Path) -> None:
    write(tmp_path, "lines.csv", LINES)
    inst = allocator.load_instance(write(tmp_path, "small.yaml", GOOD))
    assert inst.budget == {2026: 9900.0, 2027: 10000.0}
    assert inst.private_pool == 1500.0
    gpu, grad = inst.lines
    assert gpu.yields == {"gpus": 8.0}
    assert gpu.groups == ["hubs", "compute"]
    assert gpu.max is None
    assert grad.new is True
    assert len(inst.files) == 2


def test_per_year_csv_columns(tmp_path: Path) -> None:
    write(
        tmp_path,
        "lines.csv",
        """
        id,name,pillar,min.2026,min.2027,max
        gpu,GPU,infra,100,"1,200억",500
    """,
    )
    inst = allocator.load_instance(write(tmp_path, "small.yaml", GOOD))
    assert inst.lines[0].min == {2026: 100.0, 2027: 120.0}


def test_every_error_of_a_file_at_once(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "bad.yaml",
        """
        name: bad
        years: [2026]
        pillars: [{id: infra, name: Infrastructure}]
        budget: -5
        lines:
          - {id: gpu, name: GPU, pillar: infra, leverage: .nan, mx: 3}
          - {id: grad, name: Grad, pillar: infra, impact: yes}
    """,
    )
    with pytest.raises(InputError) as caught:
        allocator.load_instance(path)
    issues = {i.path: i for i in caught.value.issues}
    assert set(issues) == {"budget", "lines[gpu].leverage", "lines[gpu].mx", "lines[grad].impact"}
    assert "negative" in issues["budget"].problem
    assert "did you mean 'max'?" in issues["lines[gpu].mx"].problem
    assert all(i.file == str(path) for i in issues.values())
    assert str(path) in str(caught.value)
    assert "-5" in str(caught.value)


def test_csv_errors_name_the_csv_row_and_column(tmp_path: Path) -> None:
    write(
        tmp_path,
        "lines.csv",
        """
        id,name,pillar,min,max
        gpu,GPU,infra,1000,1T
        grad,Grad,talent,abc,
    """,
    )
    with pytest.raises(InputError) as caught:
        allocator.load_instance(write(tmp_path, "small.yaml", GOOD))
    (issue,) = caught.value.issues
    assert issue.file == str(tmp_path / "lines.csv")
    assert issue.path == "row 3 (grad), column min"
    assert issue.value == "abc"


def test_cross_references_are_checked(tmp_path: Path) -> None:
    data = tiny(
        years=[2026],
        kpis=[{"id": "k", "name": "K"}],
        lines=[
            {"id": "x", "name": "X", "pillar": "infra", "yields": {"kk": 1}, "requires": ["z"]},
            {"id": "x", "name": "X2", "pillar": "a", "min": 50, "max": 10},
        ],
        targets=[{"kpi": "k", "year": 2031, "value": 5}],
    )
    (tmp_path / "x.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        allocator.load_instance(tmp_path / "x.yaml")
    text = str(caught.value)
    for expected in (
        "lines[1].min = 50.0: min 50 is above max 10",
        "id 'x' is used 2 times",
        "lines[0].pillar = 'infra': no such pillar",
        "no such KPI; did you mean 'k'?",
        "lines[0].requires = 'z': no such line",
        "targets[0].year = 2031: this year is outside the instance's years (2026–2026)",
    ):
        assert expected in text


def test_unknown_rule_kind_and_names(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "m.yaml",
        """
        name: m
        objective: max_impact
        rules:
          - {rule: pilar_share, pillar: talent, min: 0.1}
          - {rule: pillar_share, pillar: talent, min: 15}
    """,
    )
    with pytest.raises(InputError) as caught:
        allocator.load_model(path)
    first, second = caught.value.issues
    assert first.path == "rules[0]"
    assert "did you mean 'pillar_share'?" in first.problem
    assert second.path == "rules[1].min"
    assert "write 0.15" in second.problem


def test_model_names_must_exist_in_the_instance(tmp_path: Path) -> None:
    spec = allocator.ModelSpec.model_validate(
        {
            "name": "m",
            "rules": [
                {"rule": "pillar_share", "pillar": "bb", "min": 0.1},
                {"rule": "exclusive", "group": "sites"},
            ],
            "targets": {"weights": {"gpus": 2}},
        }
    )
    with pytest.raises(InputError) as caught:
        allocator.solve(allocator.Instance.model_validate(tiny()), spec)
    text = str(caught.value)
    assert "rules[0].pillar = 'bb': no such pillar; did you mean 'b'?" in text
    assert "rules[1].group = 'sites': no such group" in text
    assert "targets.weights.gpus" in text


def test_malformed_yaml_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "broken.yaml", "name: x\nyears: [2026\npillars: []\n")
    with pytest.raises(
        InputError, match=r"broken.yaml: line \d+, column \d+ = 'pillars: \[\]': not valid YAML"
    ):
        allocator.load_instance(path)


def test_missing_file_and_missing_csv(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="file not found"):
        allocator.load_instance(tmp_path / "nope.yaml")
    with pytest.raises(
        InputError, match=r"small.yaml: lines = 'lines.csv': no such file: .*lines.csv"
    ):
        allocator.load_instance(write(tmp_path, "small.yaml", GOOD))


def test_round_trip_changes_nothing(tmp_path: Path) -> None:
    write(tmp_path, "lines.csv", LINES)
    inst = allocator.load_instance(write(tmp_path, "small.yaml", GOOD))
    again = allocator.load_instance(allocator.save(inst, tmp_path / "again.yaml"))
    assert again.model_dump() == inst.model_dump()
    spec = allocator.ModelSpec.model_validate(
        {"name": "m", "rules": [{"rule": "ramp", "max_change": 0.3}], "targets": {"mode": "hard"}}
    )
    assert allocator.load_model(allocator.save(spec, tmp_path / "m.yaml")).model_dump() == (
        spec.model_dump()
    )


def test_json_schema_lists_money_strings() -> None:
    schema = allocator.Instance.model_json_schema()
    budget = schema["properties"]["budget"]
    assert {"type": "string"} in budget["anyOf"]
    assert schema["additionalProperties"] is False


def test_json_schema_describes_each_field_by_its_docstring() -> None:
    """Descriptions come from the docstring under each field, read when a schema is asked for
    (not when the classes are made); a field declared again without one has none."""
    schema = allocator.Instance.model_json_schema()
    assert schema["properties"]["budget"]["description"] == "Government money per year (B)."
    line = schema["$defs"]["Line"]["properties"]
    assert all("description" in line[name] for name in ("impact", "leverage", "min", "max"))
    assert "description" not in line["id"]  # written without a docstring
    rules = allocator.ModelSpec.model_json_schema()["$defs"]
    assert "description" not in rules["Implies"]["properties"]["rule"]  # declared again
    assert rules["Implies"]["properties"]["if"]["description"]  # by its alias
