"""Figures read exactly or refused: money strings against an independent parser written here
(sharing no code with `allocator.schema.money`), per-year keys in every notation, CSV rows of the
wrong length, names in one spelling, YAML merge keys."""

from __future__ import annotations

import unicodedata
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

import allocator
from allocator import InputError
from allocator.schema import files
from allocator.schema.base import PerYearMoney
from allocator.schema.files import LOADERS
from allocator.schema.money import parse_money
from tests.helpers import run, tiny

# -- an independent reading of money strings ------------------------------------------------------

UNITS = {
    "": 1,
    "조": 10**12,
    "억": 10**8,
    "십억": 10**9,
    "백만": 10**6,
    "천만": 10**7,
    "만": 10**4,
    "천": 10**3,
    "t": 10**12,
    "tn": 10**12,
    "trn": 10**12,
    "trillion": 10**12,
    "b": 10**9,
    "bn": 10**9,
    "billion": 10**9,
    "m": 10**6,
    "mn": 10**6,
    "million": 10**6,
    "k": 10**3,
    "thousand": 10**3,
}
DIGITS = "0123456789"
BN = 10**9


def reference_number(text: str) -> Decimal | None:
    """Digits with at most one point; commas only between groups of three before the point."""
    whole, point, fraction = text.partition(".")
    if "." in fraction or "," in fraction or any(c not in DIGITS for c in fraction):
        return None
    if not whole and not fraction:
        return None
    groups = whole.split(",")
    if len(groups) > 1 and (not 1 <= len(groups[0]) <= 3 or any(len(g) != 3 for g in groups[1:])):
        return None
    if any(c not in DIGITS for g in groups for c in g):
        return None
    digits = "".join(groups) or "0"
    return Decimal(digits + (point + fraction if fraction else ""))


def reference_scientific(text: str) -> Decimal | None:
    """`1e3`, `2.5E-2`: a mantissa, e or E, an optional sign, digits."""
    for mark in "eE":
        if text.count(mark) == 1:
            mantissa, _, exponent = text.partition(mark)
            if exponent[:1] in "+-":
                exponent = exponent[1:]
            if not exponent or any(c not in DIGITS for c in exponent):
                return None
            if "," in mantissa:
                return None
            number = reference_number(mantissa)
            return None if number is None else Decimal(text)
    return None


def reference_unit(text: str) -> tuple[int, bool] | None:
    """(multiplier, whether a unit was written) of a unit text such as `억 원` or `bn KRW`."""
    unit = text.strip()
    written = bool(unit)
    for word in ("원", "won", "krw"):
        if unit.lower().endswith(word):
            unit = unit[: len(unit) - len(word)].strip()
            break
    key = unit.lower() if unit.isascii() else unit
    return (UNITS[key], written) if key in UNITS else None


def reference_money(text: str) -> Decimal | None:
    """The amount in bn KRW that a money string means, or None where it must be refused."""
    s = text.replace("_", " ").strip()
    negative = False
    if s[:1] in ("+", "-"):
        negative, s = s[0] == "-", s[1:]
    if not s or s[0] not in DIGITS + ".":
        return None
    science = reference_scientific(s)
    if science is not None:
        amount = science
    else:
        parts: list[tuple[str, str]] = []
        i = 0
        while i < len(s):
            while i < len(s) and s[i] == " ":
                i += 1
            if i == len(s):
                break
            start = i
            while i < len(s) and (s[i] in DIGITS or s[i] in ",."):
                i += 1
            if start == i:
                return None
            number = s[start:i]
            start = i
            while i < len(s) and s[i] not in DIGITS and s[i] not in ",.+-":
                i += 1
            parts.append((number, s[start:i]))
        if not parts:
            return None
        total, any_unit, last = Decimal(0), False, None
        for number, unit_text in parts:
            value, unit = reference_number(number), reference_unit(unit_text)
            if value is None or unit is None:
                return None
            multiplier, written = unit
            if len(parts) > 1 and not written:
                return None
            if last is not None and multiplier >= last:
                return None
            last, any_unit = multiplier, any_unit or written
            total += value * multiplier
        amount = total / BN if any_unit else total
    if negative and amount != 0:
        return None
    if amount * BN > Decimal(10) ** 16 or float(amount) >= 1e15:
        return None
    return amount


def parsed(text: str) -> float | None:
    try:
        return parse_money(text)
    except ValueError:
        return None


ALPHABET = "0123456789,. +-_eE조억만천원bnBNTtrilowkKRW"
PIECES = ["1", "5", "12", "999", "1,500", "1,5", "0.5", ".5", "2.", "1.000,5", "1e3", "1E-2"]
UNIT_WORDS = [
    "",
    "조",
    "억",
    "만",
    "천만",
    "bn",
    "T",
    "trillion",
    "million",
    " 원",
    "억 원",
    " KRW",
]


@st.composite
def money_like(draw: Any) -> str:
    """A money string as people write them (or nearly): a sign, one to three number-unit parts."""
    sign = draw(st.sampled_from(["", "", "+", "-", "+-", "- "]))
    count = draw(st.integers(1, 3))
    parts = [
        draw(st.sampled_from(PIECES)) + draw(st.sampled_from(UNIT_WORDS)) for _ in range(count)
    ]
    return sign + draw(st.sampled_from([" ", ""])).join(parts)


@settings(max_examples=600, derandomize=True)
@given(st.one_of(money_like(), st.text(alphabet=ALPHABET, max_size=14)))
@example("1,5조")
@example("1,2,3")
@example("1.000,5억")
@example("+-5조")
@example("1,500억")
@example("1조 2,000억")
@example("1e+3")
def test_money_strings_read_as_an_independent_parser_reads_them(text: str) -> None:
    """Property: parse_money accepts exactly the strings the reference accepts, with the same
    amount (to the last bit of the float)."""
    expected = reference_money(text)
    got = parsed(text)
    if expected is None:
        assert got is None, f"{text!r} read as {got}, the reference refuses it"
    else:
        assert got == float(expected), f"{text!r}: {got} != {expected}"


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("1,5조", "not a number with thousands separators"),
        ("1,2,3", "not a number with thousands separators"),
        ("1.000,5억", "comma after the decimal point"),
        ("+-5조", "2 signs in front"),
        ("1조 -2000억", "goes only in front"),
        ("1.2.3억", "more than one decimal point"),
    ],
)
def test_bad_money_strings_say_why(text: str, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        parse_money(text)


def test_thousands_separators_are_read() -> None:
    assert parse_money("1,500억") == 150.0
    assert parse_money("1,234,567.5") == 1234567.5
    assert parse_money("+5조") == 5000.0


# -- per-year keys in every notation ------------------------------------------------------------

PER_YEAR: TypeAdapter[Any] = TypeAdapter(PerYearMoney)


def reference_years(keys: list[Any]) -> dict[int, int] | None:
    """{year: position} for keys that are digits (as numbers or text, zero-padded or spaced);
    None when a key is no year or one year appears twice."""
    out: dict[int, int] = {}
    for i, key in enumerate(keys):
        text = str(key).strip() if not isinstance(key, bool) else "x"
        if not text or any(c not in DIGITS for c in text) or len(text) > 9:
            return None
        year = int(text)
        if year in out:
            return None
        out[year] = i
    return out


YEAR_KEY = st.one_of(
    st.integers(2024, 2030),
    st.integers(2024, 2030).map(str),
    st.integers(2024, 2030).map(lambda y: f"0{y}"),
    st.integers(2024, 2030).map(lambda y: f" {y} "),
    st.sampled_from(["20x6", "", "+2026", "2_026", True]),
)


@settings(max_examples=300, derandomize=True)
@given(st.lists(YEAR_KEY, min_size=1, max_size=4, unique_by=lambda k: (type(k), k)))
@example([2026, "2026"])
@example(["2026", "02026"])
def test_per_year_keys_in_any_notation(keys: list[Any]) -> None:
    """Property: a year given twice in any notation is refused naming both; otherwise every
    year keeps its own figure."""
    data = {key: 100 + i for i, key in enumerate(keys)}
    expected = reference_years(keys)
    if expected is None:
        with pytest.raises(ValueError, match=r"is not a year|is given twice"):
            PER_YEAR.validate_python(data)
        return
    got = PER_YEAR.validate_python(data)
    assert got == {year: 100.0 + i for year, i in expected.items()}


def test_a_year_twice_names_both_spellings() -> None:
    with pytest.raises(ValueError, match=r"year 2026 is given twice, as 2026 and as '2026'"):
        PER_YEAR.validate_python({2026: 100, "2026": 5})


# -- names in one spelling ----------------------------------------------------------------------

HUB = "허브"


def _hubs(first: str, second: str) -> dict[str, Any]:
    lines = [
        {"id": "x", "name": "X", "pillar": "a", "impact": 3, "select": True, "groups": [first]},
        {"id": "y", "name": "Y", "pillar": "b", "impact": 2, "select": True, "groups": [second]},
    ]
    return tiny(lines=lines)


def test_one_group_in_two_unicode_forms_is_refused() -> None:
    """Under NFC and NFD the two lines would be two groups, and an `exclusive` rule on the group
    would silently miss one of them."""
    with pytest.raises(ValidationError, match="stored decomposed, NFD"):
        allocator.Instance.model_validate(_hubs(HUB, unicodedata.normalize("NFD", HUB)))


def test_a_rule_in_another_unicode_form_finds_its_group() -> None:
    """A model written by another program (NFD) names the instance's group (NFC): one group."""
    res = run(_hubs(HUB, HUB), [{"rule": "exclusive", "group": unicodedata.normalize("NFD", HUB)}])
    assert res.selected.selected.sum() == 1  # the exclusive rule holds: x alone, 100 × 3
    assert res.objective == pytest.approx(300)


def test_names_are_stripped_and_put_in_nfc() -> None:
    inst = allocator.Instance.model_validate(
        tiny(pillars=[{"id": " a ", "name": " Pillar A "}, {"id": "b", "name": "B"}])
    )
    assert (inst.pillars[0].id, inst.pillars[0].name) == ("a", "Pillar A")


# -- CSV rows and YAML merge keys ---------------------------------------------------------------


def test_a_csv_row_with_too_few_cells_is_refused(tmp_path: Path) -> None:
    (tmp_path / "lines.csv").write_text(
        "id,name,pillar,impact,max,yields.k,requires\nx,X,a,1,5,2,\ny,Y,a\n"
    )
    data = tiny(lines="lines.csv", kpis=[{"id": "k", "name": "K"}])
    (tmp_path / "i.yaml").write_text(yaml.safe_dump(data))
    with pytest.raises(InputError, match=r"lines.csv: row 3 = 'y,Y,a': 3 cells for 7 columns"):
        allocator.load_instance(tmp_path / "i.yaml")


MERGED = """name: merged
years: [2026]
pillars: [{id: a, name: A}]
budget: 100
lines:
  - &first {id: x, name: X, pillar: a, impact: 1, max: 30}
  - {<<: *first, id: y, name: Y, max: 50}
"""


@pytest.fixture(params=sorted(LOADERS))
def loader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each YAML loader in turn: libyaml's C loader (where present) and PyYAML's own."""
    monkeypatch.setattr(files, "LOADER", request.param)
    return str(request.param)


def test_yaml_merge_keys_work(tmp_path: Path, loader: str) -> None:
    """`<<: *first` copies the anchored mapping; the mapping's own keys override it."""
    (tmp_path / "i.yaml").write_text(MERGED)
    inst = allocator.load_instance(tmp_path / "i.yaml")
    assert [(ln.id, ln.max, ln.impact) for ln in inst.lines] == [("x", 30.0, 1.0), ("y", 50.0, 1.0)]


def test_a_key_twice_beside_a_merge_is_still_refused(tmp_path: Path, loader: str) -> None:
    (tmp_path / "i.yaml").write_text(MERGED.replace("max: 50}", "max: 50, max: 60}"))
    with pytest.raises(InputError, match="key 'max' is given twice in this mapping"):
        allocator.load_instance(tmp_path / "i.yaml")


REORDERING = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f"


@given(st.text(max_size=6), st.booleans())
@example("a\u0085b", False)  # a C1 control character (NEXT LINE)
@example("notes\n\tindented", True)
@settings(max_examples=300, deadline=None)
def test_control_characters_are_refused_exactly(text: str, prose: bool) -> None:
    """A name is refused exactly when it holds one of Unicode's control characters (category
    Cc) or a character that reorders text on screen; a title (prose) may hold newlines and tabs."""
    allowed = "\n\t" if prose else ""
    bad = [
        ch
        for ch in unicodedata.normalize("NFC", text)
        if ch not in allowed and (unicodedata.category(ch) == "Cc" or ch in REORDERING)
    ]
    data = tiny()
    if prose:
        data["title"] = "x" + text + "x"
    else:
        data["pillars"][0]["name"] = "x" + text + "x"
    if bad:
        with pytest.raises(ValidationError, match="control character"):
            allocator.Instance.model_validate(data)
    else:
        allocator.Instance.model_validate(data)
