"""The HTML report in a real browser: Debian's headless Chromium driven by Playwright, offline.
Each page must load with no console error and no failed or outside request, draw its charts at a
real size, and show the result's own headline numbers. Screenshots are kept in tests/artifacts/
(git-ignored) for a person to look at; `make test` installs Chromium when it is missing."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, sync_playwright

import allocator
import allocator.report.html
from allocator import analysis as scenarios
from allocator.report.labels import Lang, money
from allocator.words import objective_amount
from tests.helpers import ROOT
from tests.test_html import infeasible

CHROMIUM = Path(os.environ.get("ALLOCATOR_CHROMIUM", "/usr/bin/chromium"))
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = ROOT / "tests" / "artifacts"
WIDTH = 1200


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserContext]:
    """One offline Chromium with a fresh profile for the module."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium; "
            "`make test` does it), or point ALLOCATOR_CHROMIUM at a Chromium binary"
        )
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=str(CHROMIUM),
            headless=True,
            args=ARGS,
            offline=True,
            viewport={"width": WIDTH, "height": 900},
        )
        try:
            yield context
        finally:
            context.close()


@dataclass
class Visit:
    """What happened while a page loaded."""

    page: Page
    url: str
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        """Console errors, uncaught exceptions, failed requests and any request but the page."""
        outside = [u for u in self.requests if u != self.url]
        return (
            [f"console error: {m}" for m in self.console_errors]
            + [f"page error: {m}" for m in self.page_errors]
            + [f"failed request: {u}" for u in self.failed]
            + [f"request outside the page: {u}" for u in outside]
        )


def visit(browser: BrowserContext, path: Path) -> Visit:
    """Open `path` and record what the browser reports while it loads."""
    page = browser.new_page()
    seen = Visit(page, path.resolve().as_uri())
    page.on("console", lambda m: seen.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: seen.page_errors.append(str(e)))
    page.on("requestfailed", lambda r: seen.failed.append(f"{r.url} ({r.failure})"))
    page.on("request", lambda r: seen.requests.append(r.url))
    page.goto(seen.url, wait_until="load")
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => setTimeout(r, 50)))")
    return seen


def screenshot(seen: Visit, tmp_path: Path, name: str) -> Path:
    """A full-page screenshot in pytest's folder, with a copy kept in tests/artifacts/."""
    shot = tmp_path / f"{name}.png"
    seen.page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copy(shot, ARTIFACTS / shot.name)
    return shot


def check_charts(page: Page) -> int:
    """Every chart has a real size on screen, the split's bars are drawn to scale (height per
    amount), and so are one year's KPI bars (width per level over baseline)."""
    charts = page.locator("svg.chart")
    for i in range(charts.count()):
        box = charts.nth(i).bounding_box()
        assert box is not None
        assert box["width"] > 200
        assert box["height"] > 100
    check_scale(page, "svg.chart [data-amount]", "height", "data-amount")
    check_scale(page, "svg.chart [data-level]", "width", "data-level", "data-reference")
    return charts.count()


def check_scale(page: Page, shapes: str, side: str, value: str, per: str = "") -> None:
    """Each shape's size on screen (no stroke) over the number it stands for is one figure."""
    found = page.locator(shapes)
    ratios = []
    for i in range(found.count()):
        shape = found.nth(i)
        box = shape.bounding_box()
        assert box is not None
        assert box["width"] > 5
        assert box["height"] > 0
        number = float(shape.get_attribute(value) or "nan")
        if per:
            number /= float(shape.get_attribute(per) or "nan")
        scale = "e.getScreenCTM().d" if side == "height" else "e.getScreenCTM().a"
        size = shape.evaluate(f"e => e.getBBox().{side} * {scale}")
        if size > 4:
            ratios.append(size / number)
    if ratios:
        assert max(ratios) / min(ratios) == pytest.approx(1.0, abs=0.01)


def check_headline(page: Page, res: allocator.Result, lang: Lang) -> None:
    """The numbers in the page are the result's, in data attributes and in the words shown."""

    def card(name: str) -> tuple[str, str]:
        node = page.locator(f"[data-figure='{name}']")
        return node.get_attribute("data-value") or "", node.locator(".value").inner_text()

    value, shown = card("status")
    assert value == res.status.value
    if not res.status.has_allocation:
        assert page.locator("[data-figure='objective']").count() == 0
        return
    unit = res.instance.currency_unit
    gov, priv = float(res.pillars.government.sum()), float(res.pillars.private.sum())
    assert res.objective is not None
    value, shown = card("objective")
    assert float(value) == res.objective
    kind, cu = res.model.objective, res.instance.currency_unit
    words = objective_amount(res.objective, kind, cu, lang, sig=6)
    assert shown.replace("\n", " ").startswith(words)
    value, shown = card("government")
    assert float(value) == gov
    assert shown.replace("\n", " ") == money(gov, unit, lang)
    value, shown = card("private")
    assert float(value) == priv
    assert shown.replace("\n", " ") == money(priv, unit, lang)
    assert card("verified")[0] == str(res.verified).lower()


def no_sideways_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH


@pytest.mark.parametrize(
    ("instance", "lang", "extras"),
    [("toy", "en", True), ("korea-2026", "ko", False), ("korea-2026-2030", "en", False)],
)
def test_report_in_chromium(
    browser: BrowserContext, tmp_path: Path, instance: str, lang: Lang, extras: bool
) -> None:
    inst = allocator.load_instance(ROOT / "instances" / f"{instance}.yaml")
    res = allocator.solve(inst)
    sweeps = frontiers = None
    if extras:
        sweeps = {"budget": scenarios.sweep(inst, None, [scenarios.parse_vary("budget=20:120:6")])}
        frontiers = {"GPUs 2027": scenarios.frontier(inst, None, "gpus", 2027, 5)}
    path = allocator.report.html.write(
        res, tmp_path / "report.html", lang=lang, sweeps=sweeps, frontiers=frontiers
    )
    seen = visit(browser, path)
    screenshot(seen, tmp_path, f"report-{instance}-{lang}")
    assert seen.problems() == []
    assert seen.page.evaluate("document.documentElement.lang") == lang
    charts = check_charts(seen.page)
    kpi_charts = len(inst.kpis) if len(inst.years) > 1 else 1
    assert charts == 1 + kpi_charts + (3 if extras else 0)
    check_headline(seen.page, res, lang)
    no_sideways_scroll(seen.page)
    seen.page.close()


def test_infeasible_report_in_chromium(browser: BrowserContext, tmp_path: Path) -> None:
    res = infeasible()
    path = allocator.report.html.write(res, tmp_path / "report.html", lang="ko")
    seen = visit(browser, path)
    screenshot(seen, tmp_path, "report-infeasible-ko")
    assert seen.problems() == []
    check_headline(seen.page, res, "ko")
    text = seen.page.locator("#diagnosis").inner_text()
    for rule in res.diagnosis().rules:
        assert rule in text
    seen.page.close()


# The test of the test: pages that are broken in each way the checks look for must fail them.


def test_a_console_error_is_caught(browser: BrowserContext, tmp_path: Path) -> None:
    page = tmp_path / "broken.html"
    page.write_text(
        "<!DOCTYPE html><html><body><p>x</p><script>console.error('boom')</script></body></html>",
        encoding="utf-8",
    )
    seen = visit(browser, page)
    assert seen.problems() == ["console error: boom"]
    seen.page.close()


def test_an_uncaught_exception_and_a_missing_file_are_caught(
    browser: BrowserContext, tmp_path: Path
) -> None:
    page = tmp_path / "broken.html"
    page.write_text(
        "<!DOCTYPE html><html><body><img src='missing.png'>"
        "<script>undefinedFunction()</script></body></html>",
        encoding="utf-8",
    )
    seen = visit(browser, page)
    problems = seen.problems()
    assert any("undefinedFunction is not defined" in p for p in problems)
    assert any(p.startswith("failed request:") and "missing.png" in p for p in problems)
    seen.page.close()


def test_the_report_runs_no_script(browser: BrowserContext, tmp_path: Path) -> None:
    """The page's policy blocks a script slipped into it, and the browser says so."""
    res = allocator.solve(allocator.load_instance(ROOT / "instances" / "toy.yaml"))
    page = allocator.report.html.render(res).replace(
        "</main>", "<script>document.title = 'ran'</script></main>"
    )
    path = tmp_path / "tampered.html"
    path.write_text(page, encoding="utf-8")
    seen = visit(browser, path)
    assert seen.page.title() != "ran"
    assert len(seen.problems()) == 1
    assert "Content Security Policy" in seen.problems()[0]
    seen.page.close()


def test_broken_charts_are_caught(browser: BrowserContext, tmp_path: Path) -> None:
    """A chart drawn at zero size, or bars out of scale, fail the chart checks."""
    res = allocator.solve(allocator.load_instance(ROOT / "instances" / "toy.yaml"))
    page = allocator.report.html.render(res)
    squashed = tmp_path / "squashed.html"
    squashed.write_text(page.replace("</style>", "svg.chart{height:0}</style>"), encoding="utf-8")
    seen = visit(browser, squashed)
    with pytest.raises(AssertionError):
        check_charts(seen.page)
    seen.page.close()
    wrong = tmp_path / "wrong.html"
    assert 'data-amount="70.0"' in page
    wrong.write_text(page.replace('data-amount="70.0"', 'data-amount="35.0"', 1), encoding="utf-8")
    seen = visit(browser, wrong)
    with pytest.raises(AssertionError):
        check_charts(seen.page)
    seen.page.close()


def test_kpi_bars_out_of_scale_are_caught(browser: BrowserContext, tmp_path: Path) -> None:
    """One year's KPI bars: a level that is not the bar's length fails the scale check."""
    res = allocator.solve(allocator.load_instance(ROOT / "instances" / "korea-2026.yaml"))
    page = allocator.report.html.render(res)
    level = next(iter(res.kpis.level))
    shown = f'data-level="{float(level)!r}"'
    assert shown in page
    wrong = tmp_path / "wrong-kpi.html"
    wrong.write_text(page.replace(shown, f'data-level="{float(level) * 1.5!r}"', 1), "utf-8")
    seen = visit(browser, wrong)
    with pytest.raises(AssertionError):
        check_charts(seen.page)
    seen.page.close()


def test_a_wrong_headline_is_caught(browser: BrowserContext, tmp_path: Path) -> None:
    """A headline number that is not the result's, in the data or in the words, fails."""
    res = allocator.solve(allocator.load_instance(ROOT / "instances" / "toy.yaml"))
    page = allocator.report.html.render(res)
    for old, new in (("data-value='310.0'", "data-value='310.5'"), ("0 won", "1 won")):
        assert old in page
        path = tmp_path / "wrong-headline.html"
        path.write_text(page.replace(old, new, 1), encoding="utf-8")
        seen = visit(browser, path)
        with pytest.raises(AssertionError):
            check_headline(seen.page, res, "en")
        seen.page.close()
