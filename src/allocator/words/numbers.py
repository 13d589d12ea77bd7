"""Numbers for people: at least three significant digits, thousands separators, near-zero values
written as zero, a real minus sign, and shares as percentages."""

from __future__ import annotations

import math

ZERO = 1e-9
"""A value within this share of its scale (at least 1) is written as 0: solver noise such as
7.3e-12 is not a figure."""
MINUS = "−"


def is_zero(value: float, scale: float = 1.0) -> bool:
    """Whether `value` is noise next to `scale` (see `ZERO`)."""
    return abs(value) <= ZERO * max(1.0, abs(scale))


def figure(value: float | None, sig: int = 4, scale: float = 1.0, least: int = 0) -> str:
    """`value` with at least `sig` (never fewer than 3) significant digits and at least `least`
    decimals, trailing zeros dropped down to those `least` decimals: 1.127, 0.111, 112.7,
    11,033, 20.0 (`least=1`). Near-zero values (next to `scale`) are 0; missing ones a dash."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if math.isinf(value):
        return "∞" if value > 0 else f"{MINUS}∞"
    if is_zero(value, scale):
        return "0" if least == 0 else f"{0:.{least}f}"
    sig = max(sig, 3)
    exponent = math.floor(math.log10(abs(value)))
    decimals = max(least, sig - 1 - exponent)
    text = f"{abs(value):,.{decimals}f}"
    if decimals > least and "." in text:
        text = text.rstrip("0")
        whole, _, part = text.partition(".")
        part = part.ljust(least, "0")
        text = f"{whole}.{part}" if part else whole
    return (MINUS if value < 0 and text.strip("0.,") else "") + text


def signed(value: float, sig: int = 4, scale: float = 1.0) -> str:
    """`figure` with its sign always shown: +1.127, −0.5, 0."""
    text = figure(value, sig, scale)
    return text if text.startswith((MINUS, "0", "—")) else f"+{text}"


def number(value: float | None, digits: int = 0) -> str:
    """A figure with a fixed number of decimals and thousands separators (table cells), or a
    dash for a missing one."""
    if value is None or not math.isfinite(value):
        return "—"
    return f"{value:,.{digits}f}"


def percent(share: float, sig: int = 3) -> str:
    """A share as a percentage with at least three significant digits: 0.477 → 47.7%,
    0.4272 → 42.72% (with `sig=4`), 0.3 → 30.0%."""
    return figure(100 * share, sig, least=1) + "%"
