"""The HTML report as text: self-contained, escaped, written all or nothing, with the result's
numbers, the diagnosis of an infeasible solve, provenance, and sweep and frontier charts. What
the page looks like in a browser is in test_browser.py."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
import yaml

import allocator
import allocator.report.html
from allocator import analysis as scenarios
from allocator.cli import main
from allocator.report.labels import money
from tests.helpers import ROOT, run, tiny

TOY = ROOT / "instances" / "toy.yaml"


class _Collect(HTMLParser):
    """Tags, attributes and text of a page, parsed strictly enough to catch broken markup."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in {"meta", "link", "br", "rect", "line", "circle", "path", "polyline"}:
            self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if tag in {"rect", "line", "circle", "path", "polyline"}:
            return
        assert self.open, f"</{tag}> closes nothing"
        assert self.open[-1] == tag, f"</{tag}> closes <{self.open[-1]}>"
        self.open.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(page: str) -> _Collect:
    parsed = _Collect()
    parsed.feed(page)
    parsed.close()
    assert parsed.open == [], parsed.open
    return parsed


def figure(parsed: _Collect, name: str) -> str | None:
    return next(a["data-value"] for t, a in parsed.tags if a.get("data-figure") == name)


@pytest.fixture(scope="module")
def toy() -> allocator.Result:
    return allocator.solve(allocator.load_instance(TOY))


def test_headline_numbers_are_the_results(toy: allocator.Result) -> None:
    page = parse(allocator.report.html.render(toy))
    pillars = toy.pillars
    assert toy.objective is not None
    assert float(figure(page, "objective") or "nan") == toy.objective
    assert float(figure(page, "government") or "nan") == pillars.government.sum()
    assert float(figure(page, "private") or "nan") == pillars.private.sum()
    assert figure(page, "status") == "optimal"
    assert figure(page, "verified") == "true"
    text = " ".join(page.text)
    assert "200.0 billion won" in text
    assert "310 impact points" in text


def shapes(parsed: _Collect, attribute: str) -> list[tuple[dict[str, str | None], list[float]]]:
    """Each drawn shape that carries `attribute` (a matplotlib group with its data) with the
    corners of the path drawn inside it: [x0, y0, x1, y1] (viewBox units)."""
    found = []
    for i, (tag, attrs) in enumerate(parsed.tags):
        if tag != "g" or attribute not in attrs:
            continue
        path = next(a for t, a in parsed.tags[i + 1 :] if t == "path")
        numbers = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", str(path["d"]))]
        xs, ys = numbers[0::2], numbers[1::2]
        found.append((attrs, [min(xs), min(ys), max(xs), max(ys)]))
    return found


def test_chart_segments_add_up_to_the_split(toy: allocator.Result) -> None:
    page = parse(allocator.report.html.render(toy))
    segments = [a for a, _ in shapes(page, "data-amount")]
    drawn: dict[tuple[str, int, str], float] = {}
    for a in segments:
        key = (str(a["data-pillar"]), int(str(a["data-year"])), str(a["data-source"]))
        drawn[key] = drawn.get(key, 0.0) + float(str(a["data-amount"]))
    expected = {
        (row.pillar, row.year, source): getattr(row, source)
        for row in toy.pillars.itertuples()
        for source in ("government", "private")
        if getattr(row, source) > 1e-9
    }
    assert drawn == pytest.approx(expected)


def test_bars_are_drawn_to_scale(toy: allocator.Result) -> None:
    """Every segment's height is its amount on one scale: 2026's government bar stacks infra
    70 on talent 30 (instances/toy.yaml), so infra's segment is 7/3 of talent's."""
    page = parse(allocator.report.html.render(toy))
    ratios = [
        (box[3] - box[1]) / float(str(a["data-amount"])) for a, box in shapes(page, "data-amount")
    ]
    assert len(ratios) == 4
    assert max(ratios) / min(ratios) == pytest.approx(1.0, abs=2e-3)  # 0.1-unit rounding


def test_kpi_bars_of_one_year_share_one_scale() -> None:
    """Korea 2026: each KPI's bar is its level over its baseline on one axis (they used to be all
    the same length), so GPUs (13,136 → about 30,000) reach more than twice as far as the
    industry adoption rate (28 → about 39 pp)."""
    res = allocator.solve(allocator.load_instance(ROOT / "instances" / "korea-2026.yaml"))
    page = parse(allocator.report.html.render(res))
    bars = shapes(page, "data-level")
    levels = res.kpis.set_index("kpi").level
    baselines = {k.id: k.baseline for k in res.instance.kpis}
    assert {str(a["data-kpi"]) for a, _ in bars} == set(baselines)
    widths = {}
    for attrs, box in bars:
        kpi = str(attrs["data-kpi"])
        assert float(str(attrs["data-level"])) == pytest.approx(levels[kpi])
        assert float(str(attrs["data-reference"])) == baselines[kpi]
        widths[kpi] = box[2] - box[0]
    per_unit = [widths[k] / (levels[k] / baselines[k]) for k in widths]
    assert max(per_unit) / min(per_unit) == pytest.approx(1.0, abs=2e-3)
    assert widths["gpus"] > 1.5 * widths["industry_adoption"]


def test_self_contained(toy: allocator.Result) -> None:
    """No script, no external resource; the policy forbids both; only data: URLs."""
    html = allocator.report.html.render(toy, sweeps={"s": _sweep()}, frontiers={"f": _frontier()})
    page = parse(html)
    assert not [t for t, _ in page.tags if t in {"script", "iframe", "object", "embed", "img"}]
    ids = {a["id"] for _, a in page.tags if "id" in a}
    for _tag, attrs in page.tags:
        for key in ("src", "href"):
            value = str(attrs.get(key) or "")
            if value.startswith("#"):  # a chart's marker or pattern, defined in the page
                assert value[1:] in ids, value
            elif value:
                assert value.startswith("data:"), (key, value)
    assert len(ids) == len([a for _, a in page.tags if "id" in a])  # ids unique in the page
    assert set(re.findall(r"https?://[^'\" ]+", html)) == {"http://www.w3.org/2000/svg"}
    policy = next(
        a["content"] for t, a in page.tags if a.get("http-equiv") == "Content-Security-Policy"
    )
    assert policy == "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def test_instance_text_is_escaped(tmp_path: Path) -> None:
    evil = "<script>alert(1)</script>"
    data = tiny(
        title=f"Plan {evil}",
        pillars=[
            {"id": "a", "name": f"A {evil}", "name_ko": f"가 {evil}"},
            {"id": "b", "name": "B' onmouseover='x"},
        ],
        lines=[
            {"id": "x", "name": f"X {evil}", "pillar": "a", "impact": 3, "max": 80},
            {"id": "y", "name": "Y & <b>", "pillar": "b", "impact": 1, "max": 100},
        ],
        sources=[{"about": "budget", "kind": "assumed", "note": f"n {evil}"}],
        kpis=[{"id": "k", "name": f"K {evil}", "unit": "<u>"}],
        targets=[{"kpi": "k", "year": 2026, "value": 5}],
    )
    res = run(data)
    for lang in ("en", "ko"):
        html = allocator.report.html.render(res, lang=lang)
        assert "<script" not in html
        assert "<b>" not in html
        assert "<u>" not in html
        page = parse(html)
        assert "onmouseover" not in {k for _, a in page.tags for k in a}
        text = "".join(page.text)
        assert evil in text  # shown as text, not run
        assert "Y & <b>" in text


def test_korean_report(toy: allocator.Result) -> None:
    page = parse(allocator.report.html.render(toy, lang="ko"))
    text = " ".join(page.text)
    assert next(a["lang"] for t, a in page.tags if t == "html") == "ko"
    for word in ("인프라", "인재", "구매 GPU", "GPU 구매", "2,000억원", "분야·연도별 배분", "요약"):
        assert word in text, word
    assert "Infrastructure" not in text
    english = " ".join(parse(allocator.report.html.render(toy, lang="en")).text)
    assert "Infrastructure" in english
    assert "200.0 billion won" in english
    assert "인프라" not in english


def test_refuses_an_unknown_language(toy: allocator.Result) -> None:
    with pytest.raises(ValueError, match="lang must be 'en' or 'ko'"):
        allocator.report.html.render(toy, lang="fr")  # type: ignore[arg-type]


def infeasible() -> allocator.Result:
    data = tiny(
        lines=[
            {"id": "x", "name": "Line X", "pillar": "a", "impact": 3, "min": 70, "max": 80},
            {"id": "y", "name": "Line Y", "pillar": "b", "impact": 1, "min": 20, "max": 100},
        ]
    )
    res = run(data, [{"rule": "pillar_share", "pillar": "b", "min": 0.4}])
    assert res.status == allocator.Status.infeasible
    return res


def test_infeasible_report_says_so_and_shows_the_diagnosis(tmp_path: Path) -> None:
    res = infeasible()
    out = allocator.report.html.write(res, tmp_path / "r.html")
    page = parse(out.read_text(encoding="utf-8"))
    assert figure(page, "status") == "infeasible"
    assert not [a for _, a in page.tags if a.get("data-figure") == "objective"]
    assert not [a for _, a in page.tags if "data-amount" in a]
    text = " ".join(page.text)
    assert "infeasible: the rules cannot all hold at once" in text
    assert "Why there is no answer" in text
    diag = res.diagnosis()
    for rule in diag.rules:
        assert rule in text
    for repair in diag.repairs:
        assert repair.sentence in text


def test_written_all_or_nothing(
    toy: allocator.Result, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "report.html"
    target.write_text("the old report", encoding="utf-8")

    def broken(*args: object, **kwargs: object) -> int:
        raise OSError("disk full")

    monkeypatch.setattr(Path, "write_text", broken)
    with pytest.raises(OSError, match="disk full"):
        allocator.report.html.write(toy, target, force=True)
    monkeypatch.undo()
    assert target.read_text(encoding="utf-8") == "the old report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]
    with pytest.raises(allocator.OutputExistsError, match="force"):
        allocator.report.html.write(toy, target)
    allocator.report.html.write(toy, target, force=True)
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]


def test_provenance_of_every_figure(toy: allocator.Result) -> None:
    page = parse(allocator.report.html.render(toy))
    text = " ".join(page.text)
    inst = toy.instance
    for source in inst.sources:
        assert source.about in text
        assert (source.note or source.cite or "") in text
    counted = next(a["data-figures"] for _, a in page.tags if "data-figures" in a)
    assert counted == str(len(allocator.schema.provenance.figure_paths(inst)))
    assert "lines.gpu.max.2027" in text
    assert "figures with no source" not in text  # the toy instance sources every figure


def test_unsourced_figures_are_flagged() -> None:
    page = parse(allocator.report.html.render(run(tiny())))
    text = " ".join(page.text)
    assert "figures with no source" in text
    assert "lines.x.impact" in text


def test_rule_audit_and_shadow_prices(toy: allocator.Result) -> None:
    page = parse(allocator.report.html.render(toy))
    text = " ".join(page.text)
    for sentence in toy.shadow_prices().sentence:
        assert sentence in text
    for rule in toy.audit().rule:
        assert rule in text


def _sweep() -> pd.DataFrame:
    inst = allocator.load_instance(TOY)
    return scenarios.sweep(inst, None, [scenarios.parse_vary("budget=20:120:6")])


def _frontier() -> pd.DataFrame:
    inst = allocator.load_instance(TOY)
    return scenarios.frontier(inst, None, "gpus", 2027, 5)


def test_sweep_and_frontier_charts(toy: allocator.Result) -> None:
    sweep, frontier = _sweep(), _frontier()
    page = parse(
        allocator.report.html.render(
            toy,
            sweeps={"Budget": sweep},
            frontiers={"GPUs 2027": frontier},
        )
    )
    charts = [a["data-chart"] for t, a in page.tags if t == "svg"]
    assert charts.count("sweep") == 1
    assert charts.count("sweep-pillars") == 1
    assert charts.count("frontier") == 1
    text = " ".join(page.text)
    assert "Parameter sweeps" in text
    assert "Trade-off frontiers" in text
    assert "GPUs 2027" in text


def test_cli_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "report.html"
    code = main(
        [
            "report",
            str(TOY),
            "--out",
            str(out),
            "--lang",
            "ko",
            "--sweep",
            "budget=60:120:4",
            "--frontier",
            "gpus@2027",
            "--points",
            "4",
        ]
    )
    assert code == 0
    assert str(out) in capsys.readouterr().out
    page = parse(out.read_text(encoding="utf-8"))
    charts = [a["data-chart"] for t, a in page.tags if t == "svg"]
    assert {"split", "kpi-gpus", "sweep", "sweep-pillars", "frontier"} <= set(charts)
    assert "구매 GPU 2027" in " ".join(page.text)


def test_cli_report_of_an_infeasible_instance(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    res = infeasible()
    (tmp_path / "m.yaml").write_text(yaml.safe_dump(res.model.model_dump()), encoding="utf-8")
    data = res.instance.model_dump(exclude_defaults=True) | {"model": "m.yaml"}
    (tmp_path / "i.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    out = tmp_path / "r.html"
    assert main(["report", str(tmp_path / "i.yaml"), "--out", str(out), "--frontier", "k"]) == 1
    printed = capsys.readouterr().out
    assert "infeasible" in printed
    assert "frontier k skipped" in printed
    assert figure(parse(out.read_text(encoding="utf-8")), "status") == "infeasible"


def test_cli_report_bad_input_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "r.html"
    assert main(["report", str(TOY), "--out", str(out), "--frontier", "nope"]) == 2
    assert "no such KPI" in capsys.readouterr().err
    assert not out.exists()
    assert main(["report", str(TOY), "--out", str(out), "--sweep", "budget=a:b"]) == 2
    assert not out.exists()


def test_money_in_cards_matches_the_labels(toy: allocator.Result) -> None:
    for lang in ("en", "ko"):
        text = " ".join(parse(allocator.report.html.render(toy, lang=lang)).text)
        assert money(float(toy.pillars.government.sum()), "bn_krw", lang) in text
