"""Korean all the way: with `--lang ko` the reports (HTML and text) say everything in Korean —
titles, headings, units (명, 대, %, %p for a change), the rules and the explanations' sentences —
except names the instance gives only in English, the sources it cites, identifiers (rule names
such as `budget[2026]`, the instance's and model's names) and the software's names."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

import allocator
from allocator.cli import main
from allocator.report import html
from allocator.report import text as report
from allocator.words import Named
from tests.helpers import ROOT, run, tiny

WORD = re.compile(r"[A-Za-z][A-Za-z'’]+")
IDENTIFIER = re.compile(r"[A-Za-z_][\w-]*\[[^\]]*\]|\b[a-z_]+(?:\.[\w-]+)+")
"""Rule names (`budget[2026]`) and figure paths (`lines.x.min`): identifiers, not words."""
SOFTWARE = {"allocator", "pyomo", "highspy", "HiGHS"}


class _Visible(HTMLParser):
    """The text a reader sees: not the stylesheet, not code (identifiers, paths) and not ids."""

    def __init__(self) -> None:
        super().__init__()
        self.hidden = 0
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "code") or (tag == "small" and dict(attrs).get("class") == "id"):
            self.hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "code", "small") and self.hidden:
            self.hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.text.append(data)


def allowed(res: allocator.Result) -> set[str]:
    """Words that may stay in English: names given only in English, the words of Korean names
    (이노코어(InnoCORE)), the sources' text, the instance's and model's names."""
    inst = res.instance
    names: list[str] = [inst.name, res.model.name, inst.title or ""]
    items: list[Named] = [*inst.pillars, *inst.lines, *inst.kpis, *inst.funds, *inst.regions]
    for item in items:
        names.append(item.name_ko or item.name)
    for line in inst.lines:
        names += line.groups
    names += [f"{s.about} {s.cite or ''} {s.note or ''} {s.conflict or ''}" for s in inst.sources]
    names += [str(rule.model_dump()) for rule in res.model.rules]
    return {w for text in names for w in WORD.findall(text)} | SOFTWARE


def english_words(text: str, res: allocator.Result) -> list[str]:
    """English words left in `text`, beyond what may stay (acronyms such as AI and GPU too)."""
    text = IDENTIFIER.sub(" ", text)
    text = re.sub(r"\d[\d.,]*e[-+]?\d+", " ", text)  # 1e-07
    ok = allowed(res)
    return [w for w in WORD.findall(text) if w not in ok and not w.isupper()]


@pytest.fixture(scope="module", params=["toy", "korea-2026", "korea-2026-2030"])
def res(request: pytest.FixtureRequest) -> allocator.Result:
    return allocator.solve(allocator.load_instance(ROOT / "instances" / f"{request.param}.yaml"))


def test_the_html_report_in_korean_has_no_english_left(res: allocator.Result) -> None:
    seen = _Visible()
    seen.feed(html.render(res, lang="ko"))
    assert english_words(" ".join(seen.text), res) == []


def test_the_explanation_in_korean_has_no_english_left(res: allocator.Result) -> None:
    assert english_words(report.explanation(res, lang="ko"), res) == []


def test_a_diagnosis_in_korean() -> None:
    lines = [
        {"id": "x", "name": "Committed X", "pillar": "a", "min": 70},
        {"id": "y", "name": "Line Y", "pillar": "b", "min": 10},
        {"id": "z", "name": "Line Z", "pillar": "b", "max": 5},
    ]
    infeasible = run(tiny(lines=lines), [{"rule": "pillar_share", "pillar": "b", "min": 0.4}])
    text = report.table(infeasible, "ko")
    assert "동시에 만족할 수 없는 규칙" in text
    assert english_words(text, infeasible) == []
    seen = _Visible()
    seen.feed(html.render(infeasible, lang="ko"))
    assert english_words(" ".join(seen.text), infeasible) == []


def test_korean_units_levels_in_percent_changes_in_percentage_points() -> None:
    """An adoption rate is at 84.27 % against a target of 70 %, never '84 of 70 pp'; a
    shortfall, a change, is in pp (%p); people are 명 and GPUs 대."""
    inst = allocator.load_instance(ROOT / "instances" / "korea-2026-2030.yaml")
    res = allocator.solve(inst)
    en, ko = report.table(res, "en"), report.table(res, "ko")
    adoption = next(line for line in en.splitlines() if "adoption rate in industry 2030" in line)
    assert re.search(r": [\d.]+% of 70% — ", adoption), adoption
    assert " pp" not in adoption
    assert "산업 AI 도입률 2030: " in ko
    assert "% / 70% — " in ko
    assert "명 / 200,000명 — 부족 " in ko
    assert "대 / 260,000대 — 달성" in ko
    assert allocator.words.quantity(5.0, "pp", "ko", change=True) == "5%p"
    assert allocator.words.quantity(5.0, "pp", "en", change=True) == "5 pp"
    assert allocator.words.quantity(84.27, "pp", "en") == "84.27%"


def test_the_title_is_korean_where_the_instance_gives_one(res: allocator.Result) -> None:
    page = html.render(res, lang="ko")
    assert res.instance.title_ko is not None
    assert f"<h1>{res.instance.title_ko}</h1>" in page
    assert f"<title>{res.instance.title_ko}</title>" in page


def test_cli_explain_in_korean(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", str(ROOT / "instances" / "toy.yaml"), "--lang", "ko"]) == 0
    out = capsys.readouterr().out
    assert "이 수치가 10억원 늘면 영향 점수가 1.35점 늘어남" in out
    assert "규칙 1번 연간 증감 한도의 비용은 10점" in out


def test_every_rule_family_is_said_in_korean() -> None:
    """Each rule family of every registered rule (the tamper cases: one per core rule and rule
    kind) has its own Korean sentence, not the generic fallback, with no English word but the
    instance's own names."""
    from allocator.explain.korean import FAMILIES_KO, rule_text
    from allocator.formulation import build
    from tests.test_tamper import CASES

    for name, case in sorted(CASES.items()):
        instance, rules, fields = case[:3]
        inst = allocator.Instance.model_validate(instance)
        spec = allocator.ModelSpec.model_validate({"name": name, "rules": rules, **fields})
        built = build(inst, spec)
        items: list[Named] = [*inst.pillars, *inst.lines, *inst.kpis, *inst.funds, *inst.regions]
        ok = {w for item in items for w in WORD.findall(item.name_ko or item.name)}
        ok |= {w for line in inst.lines for g in line.groups for w in WORD.findall(g)}
        ok |= {w for r in inst.resources for w in WORD.findall(f"{r.name} {r.unit}")}
        ok |= {w for rule in spec.rules for w in WORD.findall(str(rule.model_dump()))}
        for row in built.rows.values():
            assert row.family in FAMILIES_KO, f"{name}: {row.family} has no Korean name"
            said = rule_text(built, row)
            assert said != f"{FAMILIES_KO[row.family]} 규칙", f"{name}: {row.name} is not said"
            left = [w for w in WORD.findall(IDENTIFIER.sub(" ", said)) if w not in ok]
            assert not [w for w in left if not w.isupper()], f"{name}: {row.name}: {said}"
