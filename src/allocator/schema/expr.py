"""Relative-rule expressions such as `talent >= 0.5 * rnd`, read without `eval`.

A small tokenizer and a recursive-descent parser turn the text into one linear relation
`Σ c_n · M_n + c_0  (<=, >=, ==)  0` over names `n` (pillars, line groups, lines, regions), where
`M_n` is the money of the lines the name stands for. The grammar:

    relation := sum ("<=" | ">=" | "==") sum
    sum      := term (("+" | "-") term)*
    term     := unary (("*" | "/") unary)*        (a product has at most one non-constant factor;
    unary    := ("+" | "-") unary | atom           a divisor is a constant other than 0)
    atom     := NUMBER | MONEY | NAME years? | "sum" "(" sum ")" | "(" sum ")"
    years    := "[" YEAR ("..." | "..") YEAR "]" | "[" YEAR "]"

Names: a bare name starts with a letter or `_` and holds letters, digits, `_` and `.`; an id with
any other character (`RND-11`, or one starting with a digit) is written in backticks:
`` `RND-11` ``. A name may be qualified by its kind when it is ambiguous: `pillar:talent`,
`group:llm_teams`, `` line:`RND-11` ``, `region:honam`. Numbers are plain (`0.5`, `1,200`,
`1e3`) and count in the instance's currency unit where they stand alone; a number with a money
unit attached (`5000억`, `1.5조`, `500bn`) is an amount of money converted to that unit.

A name may be qualified by a year or a range of years: `rnd[2028]` is R&D's money in 2028,
`talent[2026..2030]` its money summed over 2026 to 2030 (`sum(talent[2026..2030])` says the
same). A name without years stands for its money in the year the relation is read for; a relation
whose every name carries years holds once, across the years it names.

Every error names the offending token by column and shows it under a caret."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Literal

from allocator.schema.money import CURRENCY_UNITS, LARGEST, _parse_money_text, currency_unit

SMALLEST_COEFFICIENT = 1e-9
"""A relation's coefficient is 0 or above this in size (HiGHS drops smaller matrix entries)."""

Comparison = Literal["<=", ">=", "=="]
KINDS = ("pillar", "group", "line", "region")
"""The kinds a name may be qualified with (`pillar:talent`)."""

_NUMBER = re.compile(
    r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?"
)
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")
_UNIT = re.compile(r"[^\s\d+\-*/()<>=!`:,.]+")
_QUOTED = re.compile(r"`([^`]*)`")
_YEARS = re.compile(r"\[\s*(\d+)\s*(?:\.{2,3}\s*(\d+)\s*)?\]")
_OPERATORS = ("<=", ">=", "==", "+", "-", "*", "/", "(", ")")


class ExpressionError(ValueError):
    """An expression that cannot be read, with the column of the offending token and a caret."""

    def __init__(self, text: str, column: int, problem: str) -> None:
        self.text, self.column, self.problem = text, column, problem
        start = max(0, column - 41) if len(text) > 100 else 0
        shown = text[start : start + 80] if len(text) > 100 else text
        before = "..." if start else ""
        after = "..." if start + len(shown) < len(text) else ""
        caret = " " * (len(before) + column - 1 - start) + "^"
        super().__init__(
            f"{problem} (column {column})\n      {before}{shown}{after}\n      {caret}"
        )


@dataclass(frozen=True)
class Token:
    """One token: its kind, its text as written, and its 1-based column."""

    kind: Literal["number", "money", "name", "op", "end"]
    text: str
    column: int
    value: float = 0.0
    """A number's value; a money literal's amount in won."""
    qualifier: str | None = None
    """For a name: the kind it was qualified with (`pillar`, `group`, ...), if any."""
    years: tuple[int, int] | None = None
    """For a name: the first and last year it is qualified with (`rnd[2027]`), if any."""


def tokenize(text: str) -> list[Token]:
    """The tokens of `text`, ending with an `end` token."""
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        col = i + 1
        if ch.isspace():
            i += 1
            continue
        two = text[i : i + 2]
        if two in ("<=", ">=", "=="):
            tokens.append(Token("op", two, col))
            i += 2
            continue
        if ch in "<>=!":
            hint = {"<": "<=", ">": ">=", "=": "==", "!": "<=, >= or =="}[ch]
            raise ExpressionError(
                text, col, f"unknown comparison {two.strip() or ch!r}; write {hint}"
            )
        if ch in "+-*/()":
            tokens.append(Token("op", ch, col))
            i += 1
            continue
        number = _NUMBER.match(text, i)
        if number:
            i = number.end()
            unit = _UNIT.match(text, i)
            if unit:
                tokens.append(_money(text, col, number.group() + unit.group()))
                i = unit.end()
            else:
                value = float(number.group().replace(",", ""))
                if not value < LARGEST:
                    raise ExpressionError(
                        text, col, f"{number.group()} is too large (figures are below {LARGEST:g})"
                    )
                tokens.append(Token("number", number.group(), col, value))
            continue
        name, qualifier, i = _name(text, i)
        years, i = _years(text, i)
        tokens.append(Token("name", name, col, qualifier=qualifier, years=years))
    tokens.append(Token("end", "", n + 1))
    return tokens


def _money(text: str, column: int, literal: str) -> Token:
    """A number with a money unit attached (`5000억`), as an amount in won."""
    try:
        with currency_unit("krw"):
            won, given = _parse_money_text(literal)
    except ValueError:
        raise ExpressionError(
            text,
            column,
            f"cannot read {literal!r}: a number may carry a money unit (조, 억, 만, bn, tn, "
            "trillion, billion, million), as in 5000억 or 1.5조; put a space or an operator "
            "between a number and a name (0.5 * rnd)",
        ) from None
    assert given
    return Token("money", literal, column, float(won))


def _name(text: str, i: int) -> tuple[str, str | None, int]:
    """A bare or backtick-quoted name starting at `i`, with an optional `kind:` qualifier."""
    col = i + 1
    word = _WORD.match(text, i)
    qualifier = None
    if word and text[word.end() : word.end() + 1] == ":":
        qualifier = word.group()
        if qualifier not in KINDS:
            raise ExpressionError(
                text, col, f"unknown kind {qualifier!r} before `:`; use one of {', '.join(KINDS)}"
            )
        i = word.end() + 1
        col = i + 1
        word = _WORD.match(text, i)
    quoted = _QUOTED.match(text, i)
    if quoted:
        if not quoted.group(1).strip():
            raise ExpressionError(text, col, "empty name in backticks")
        return quoted.group(1).strip(), qualifier, quoted.end()
    if text[i : i + 1] == "`":
        raise ExpressionError(text, col, "a backtick-quoted name is not closed; add a closing `")
    if word:
        return word.group(), qualifier, word.end()
    ch = text[i : i + 1]
    what = f"unexpected character {ch!r}" if ch else "a name is missing after `:`"
    raise ExpressionError(
        text,
        col,
        f"{what}; an expression holds names, numbers, + - * / ( ) and one of <= >= ==; "
        "write an id holding `-` in backticks, as in `RND-11`",
    )


def _years(text: str, i: int) -> tuple[tuple[int, int] | None, int]:
    """An optional `[2027]` or `[2026..2030]` after a name at `i`."""
    if text[i : i + 1] != "[":
        return None, i
    found = _YEARS.match(text, i)
    if not found:
        raise ExpressionError(
            text,
            i + 1,
            "after a name, `[` takes a year or a range of years: rnd[2028], talent[2026..2030]",
        )
    first = int(found.group(1))
    last = int(found.group(2)) if found.group(2) else first
    if last < first:
        raise ExpressionError(text, i + 1, f"the range {first}..{last} runs backwards")
    return (first, last), found.end()


Ref = tuple[str | None, str, tuple[int, int] | None]
"""A name as written: (qualifier or None, name, its years or None for the row's year)."""


@dataclass
class Linear:
    """A linear expression while parsing: coefficients by name, a plain constant (in the
    instance's currency unit) and a money constant (in won)."""

    coefs: dict[Ref, float] = field(default_factory=dict)
    plain: float = 0.0
    won: float = 0.0

    def constant(self) -> bool:
        return not any(self.coefs.values())

    def scaled(self, k: float) -> Linear:
        return Linear({r: k * c for r, c in self.coefs.items()}, k * self.plain, k * self.won)

    def plus(self, other: Linear, sign: float = 1.0) -> Linear:
        coefs = dict(self.coefs)
        for ref, c in other.coefs.items():
            coefs[ref] = coefs.get(ref, 0.0) + sign * c
        return Linear(coefs, self.plain + sign * other.plain, self.won + sign * other.won)


@dataclass(frozen=True)
class Relation:
    """A parsed relation `Σ coefs[n]·M_n + constant (sense) 0` (right side moved to the left)."""

    text: str
    sense: Comparison
    coefs: dict[Ref, float]
    plain: float
    """Constant in the instance's currency unit."""
    won: float
    """Constant given with money units, in won."""
    columns: dict[Ref, int]
    """Where each name first appears (1-based column), for errors about names."""
    canonical: str
    """The expression without spaces or backticks: `talent>=0.5*rnd` (for rule names)."""

    def constant(self, unit: str) -> float:
        """The relation's constant term in the currency unit `unit`."""
        return self.plain + float(Decimal(repr(self.won)) / CURRENCY_UNITS[unit])

    @property
    def across_years(self) -> bool:
        """True when every name carries its years: the relation holds once, not each year."""
        return all(ref[2] is not None for ref in self.coefs)


def years_of(ref: Ref, year: int | None, horizon: list[int]) -> list[int]:
    """The years whose money a name counts: its own range (within `horizon`) or `year`."""
    if ref[2] is None:
        return [year] if year is not None else []
    first, last = ref[2]
    return [y for y in horizon if first <= y <= last]


@lru_cache(maxsize=4096)
def parse(text: str) -> Relation:
    """Parse `text` into a linear relation; raises `ExpressionError` pointing at a token.

    Remembered by text (the last 4,096 texts): a model's relations are read again for every row
    name, every build and every check — a Monte Carlo sample read the same texts 15 times. The
    relation returned is shared, never to be altered; an error is not remembered (it is raised
    again, pointing at the same token, each time)."""
    if not text.strip():
        raise ExpressionError(
            text, 1, "the expression is empty; write one such as talent >= 0.5 * rnd"
        )
    if len(text) > MAX_LENGTH:
        raise ExpressionError(
            text[:60] + "...",
            1,
            f"the expression is {len(text):,} characters long; at most {MAX_LENGTH:,}",
        )
    parser = _Parser(text, tokenize(text))
    left = parser.sum()
    op = parser.peek()
    if op.text not in ("<=", ">=", "=="):
        raise ExpressionError(
            text,
            op.column,
            f"expected a comparison (<=, >= or ==) here, found {_shown(op)}"
            if op.kind != "end"
            else "the expression has no comparison; write one of <=, >= or ==, as in "
            "talent >= 0.5 * rnd",
        )
    parser.next()
    right = parser.sum()
    rest = parser.peek()
    if rest.kind != "end":
        more = " (a relation has one comparison)" if rest.text in ("<=", ">=", "==") else ""
        raise ExpressionError(text, rest.column, f"unexpected {_shown(rest)}{more}")
    both = left.plus(right, -1.0)
    coefs = {r: c for r, c in both.coefs.items() if c != 0.0}
    if not coefs:
        raise ExpressionError(
            text, 1, "the relation names nothing to decide (its names cancel or there are none)"
        )
    for ref, c in coefs.items():
        name = f"{ref[0]}:{ref[1]}" if ref[0] else ref[1]
        column = parser.columns.get(ref, 1)
        if not (math.isfinite(c) and abs(c) < LARGEST):
            raise ExpressionError(
                text, column, f"{name}'s coefficient works out to {c:.3g}, beyond {LARGEST:g}"
            )
        if abs(c) <= SMALLEST_COEFFICIENT:
            raise ExpressionError(
                text,
                column,
                f"{name}'s coefficient works out to {c:.3g}, not 0 but at most "
                f"{SMALLEST_COEFFICIENT:g} in size, which HiGHS drops; scale the relation",
            )
    for constant in (both.plain, both.won / 1e9):
        if not (math.isfinite(constant) and abs(constant) < LARGEST):
            raise ExpressionError(
                text, 1, f"the relation's constant works out to {constant:.3g}, beyond {LARGEST:g}"
            )
    sense: Comparison = op.text  # type: ignore[assignment]
    canonical = "".join(_canonical(t) for t in parser.tokens if t.kind != "end")
    return Relation(text, sense, coefs, both.plain, both.won, parser.columns, canonical)


def _canonical(token: Token) -> str:
    if token.kind == "name":
        bare = _WORD.fullmatch(token.text)
        name = token.text if bare else f"`{token.text}`"
        if token.years is not None:
            first, last = token.years
            name += f"[{first}]" if first == last else f"[{first}..{last}]"
        return f"{token.qualifier}:{name}" if token.qualifier else name
    if token.kind == "number":
        return f"{token.value:g}"
    return token.text.replace(",", "")


def _shown(token: Token) -> str:
    return "the end of the expression" if token.kind == "end" else f"`{token.text}`"


MAX_DEPTH = 50
"""How deeply parentheses and signs may nest in one expression."""
MAX_LENGTH = 10_000
"""The longest expression, in characters."""


class _Parser:
    def __init__(self, text: str, tokens: list[Token]) -> None:
        self.text, self.tokens, self.at = text, tokens, 0
        self.columns: dict[Ref, int] = {}
        self.depth = 0

    def peek(self) -> Token:
        return self.tokens[self.at]

    def next(self) -> Token:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def sum(self) -> Linear:
        value = self.term()
        while self.peek().text in ("+", "-") and self.peek().kind == "op":
            sign = 1.0 if self.next().text == "+" else -1.0
            value = value.plus(self.term(), sign)
        return value

    def term(self) -> Linear:
        value = self.unary()
        while self.peek().text in ("*", "/") and self.peek().kind == "op":
            op = self.next()
            start = self.peek()
            other = self.unary()
            value = self._product(value, other, op, start)
        return value

    def _product(self, a: Linear, b: Linear, op: Token, start: Token) -> Linear:
        if op.text == "/":
            if not b.constant():
                raise ExpressionError(
                    self.text, start.column, "division by a name is not linear; divide by a number"
                )
            if b.won:
                raise ExpressionError(
                    self.text, start.column, "divide by a plain number, not an amount of money"
                )
            if b.plain == 0:
                raise ExpressionError(self.text, start.column, "division by zero")
            return a.scaled(1.0 / b.plain)
        if not a.constant() and not b.constant():
            raise ExpressionError(
                self.text,
                op.column,
                "a product of two names is not linear; multiply a name by a number only "
                "(0.5 * rnd)",
            )
        const, other = (a, b) if a.constant() else (b, a)
        if const.won and (other.won or not other.constant()):
            raise ExpressionError(
                self.text,
                op.column,
                "an amount of money multiplies only a plain number; write the money on its own",
            )
        if const.won:
            return Linear({}, 0.0, const.won * other.plain)
        return other.scaled(const.plain)

    def unary(self) -> Linear:
        token = self.peek()
        if self.depth >= MAX_DEPTH:
            raise ExpressionError(
                self.text,
                token.column,
                f"parentheses and signs nest more than {MAX_DEPTH} deep here; write the "
                "expression more simply",
            )
        self.depth += 1
        try:
            if token.kind == "op" and token.text in ("+", "-"):
                self.next()
                inner = self.unary()
                return inner if token.text == "+" else inner.scaled(-1.0)
            return self.atom()
        finally:
            self.depth -= 1

    def atom(self) -> Linear:
        token = self.next()
        summed = token.kind == "name" and token.text == "sum" and not token.years
        if summed and self.peek().kind == "op" and self.peek().text == "(":
            token = self.next()  # `sum(...)`: the parenthesised sum itself
        value = self._value(token)
        after = self.peek()
        if after.kind in ("name", "number", "money") or (after.kind == "op" and after.text == "("):
            raise ExpressionError(
                self.text,
                after.column,
                f"{_shown(after)} follows {_shown(token)} without an operator; put + - * or / "
                "between them (an id holding `-` goes in backticks: `RND-11`)",
            )
        return value

    def _value(self, token: Token) -> Linear:
        if token.kind == "number":
            return Linear({}, token.value, 0.0)
        if token.kind == "money":
            return Linear({}, 0.0, token.value)
        if token.kind == "name":
            ref: Ref = (token.qualifier, token.text, token.years)
            self.columns.setdefault(ref, token.column)
            return Linear({ref: 1.0})
        if token.kind == "op" and token.text == "(":
            inner = self.sum()
            close = self.next()
            if close.text != ")" or close.kind != "op":
                raise ExpressionError(
                    self.text,
                    close.column,
                    f"expected `)` to close the `(` at column {token.column}, "
                    f"found {_shown(close)}",
                )
            return inner
        raise ExpressionError(
            self.text, token.column, f"expected a number, a name or `(`, found {_shown(token)}"
        )
