"""Labels in English and Korean: money in trillion/billion won or 조/억, names in the reader's
language where the instance gives them, fixed headings, and `--lang` on the CLI."""

from __future__ import annotations

import pytest

import allocator
from allocator.cli import main
from allocator.report import text as report
from allocator.report.labels import LANGS, STATUS_KO, TEXT, money, money_tick, name_of
from allocator.solver.status import Status
from tests.helpers import ROOT

TOY = ROOT / "instances" / "toy.yaml"


@pytest.mark.parametrize(
    ("amount", "unit", "en", "ko"),
    [
        (9933.4, "bn_krw", "9.93 trillion won", "9조 9,334억원"),
        (600, "bn_krw", "600.0 billion won", "6,000억원"),
        (60, "bn_krw", "60.0 billion won", "600억원"),
        (3000, "bn_krw", "3.00 trillion won", "3조원"),
        (0.05, "bn_krw", "50.0 million won", "5,000만원"),
        (0, "bn_krw", "0 won", "0원"),
        (1936, "eok_krw", "193.6 billion won", "1,936억원"),
        (1.8, "tn_krw", "1.80 trillion won", "1조 8,000억원"),
        (-250, "bn_krw", "−250.0 billion won", "−2,500억원"),
    ],
)
def test_money_in_each_language(amount: float, unit: str, en: str, ko: str) -> None:
    assert money(amount, unit, "en") == en
    assert money(amount, unit, "ko") == ko


def test_money_rounds_up_into_the_next_unit() -> None:
    """999.96 bn is written as 1.00 trillion won, not 1,000.0 billion won."""
    assert money(999.96, "bn_krw", "en") == "1.00 trillion won"
    assert money(9_999.99, "eok_krw", "ko") == "1조원"
    assert money(0.99999, "eok_krw", "ko") == "1억원"


def test_axis_ticks() -> None:
    assert money_tick(2.5e12, "en") == "2.5 tn"
    assert money_tick(2.5e12, "ko") == "2.5조"
    assert money_tick(5e11, "ko") == "5,000억"
    assert money_tick(5e11, "en") == "500 bn"
    assert money_tick(0, "ko") == "0"


def test_names_fall_back_to_english() -> None:
    inst = allocator.Instance.model_validate(
        {
            "name": "n",
            "years": [2026],
            "pillars": [{"id": "a", "name": "Talent", "name_ko": "인재"}, {"id": "b", "name": "B"}],
            "budget": 1,
            "lines": [{"id": "x", "name": "X", "pillar": "a"}],
        }
    )
    a, b = inst.pillars
    assert (name_of(a, "ko"), name_of(a, "en")) == ("인재", "Talent")
    assert name_of(b, "ko") == "B"


def test_every_heading_and_status_in_both_languages() -> None:
    for key, words in TEXT.items():
        assert set(words) == set(LANGS), key
        assert all(words[lang].strip() for lang in LANGS), key
    assert set(STATUS_KO) == set(Status)


def test_table_in_korean_and_english() -> None:
    res = allocator.solve(allocator.load_instance(TOY))
    en, ko = report.table(res, "en"), report.table(res, "ko")
    assert "Infrastructure" in en
    assert "70.0 billion won" in en
    assert "100.0 billion won" in en
    assert "인프라" in ko
    assert "인재" in ko
    assert "700억원" in ko
    assert "1,000억원" in ko
    assert "Infrastructure" not in ko
    assert "구매 GPU 2027: 1,000대 / 1,200대 — 부족 200대" in ko
    assert "GPUs bought 2027: 1,000 GPU of 1,200 GPU — short by 200 GPU" in en


@pytest.mark.parametrize("command", ["solve", "explain"])
def test_cli_lang(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([command, str(TOY), "--lang", "ko"]) == 0
    ko = capsys.readouterr().out
    assert "인프라" in ko
    assert "300억원" in ko
    assert "목표" in ko
    assert main([command, str(TOY), "--lang", "en"]) == 0
    en = capsys.readouterr().out
    assert "Talent" in en
    assert "30.0 billion won" in en
    assert "인프라" not in en


def test_cli_refuses_an_unknown_language(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["solve", str(TOY), "--lang", "fr"])
    assert stop.value.code == 2
    assert "invalid choice: 'fr'" in capsys.readouterr().err


def test_korean_names_in_the_korea_instance() -> None:
    """The shipped Korea instance names every pillar in Korean; the report uses those names."""
    inst = allocator.load_instance(ROOT / "instances" / "korea-2026.yaml")
    assert all(p.name_ko for p in inst.pillars)
    text = report.table(allocator.solve(inst), "ko")
    for pillar in inst.pillars:
        assert pillar.name_ko is not None
        assert pillar.name_ko in text
