"""Markup the report's page and charts share: escaping, cards, the document shell with its
stylesheet (`style.css`, shipped beside this module) and the page context charts draw for."""

from __future__ import annotations

import html as _html
import math
from datetime import UTC, datetime
from importlib import resources
from typing import Any, Protocol

from allocator.report.labels import (
    Lang,
)
from allocator.results.charts import PALETTE as CHART_COLOURS
from allocator.schema import Instance

PALETTE = CHART_COLOURS
"""Pillar colours, in the instance's pillar order (the charts' palette)."""

POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
"""The page's Content-Security-Policy: nothing but its own inline styles; no script, no fetch."""


CSS = "\n" + resources.files(__package__).joinpath("style.css").read_text(encoding="utf-8")
"""The page's stylesheet, inlined into every report (the CSP allows only inline styles)."""


class PageContext(Protocol):
    """What a chart needs of the page it is drawn for: the result, the language, unique ids."""

    lang: Lang

    @property
    def inst(self) -> Instance: ...

    def t(self, key: str) -> str: ...

    def uid(self, prefix: str) -> str: ...


def esc(value: Any) -> str:
    """Text of the instance (or anything else) made safe for HTML text and attributes."""
    return _html.escape("" if value is None else str(value), quote=True)


def num_attr(value: float | None) -> str:
    """A number as a data attribute: the exact float (repr round-trips), empty when missing."""
    return "" if value is None or not math.isfinite(value) else repr(float(value))


def card(figure: str, value: str, label: str, shown: str, tone: str = "", note: str = "") -> str:
    extra = f"<div class='note'>{note}</div>" if note else ""
    return (
        f"<div class='card {tone}' data-figure='{figure}' data-value='{esc(value)}'>"
        f"<div class='label'>{label}</div><div class='value'>{shown}</div>{extra}</div>"
    )


def g(value: Any) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return ""
    return f"{float(value):,.4g}"


def range_text(low: float, high: float) -> str:
    def end(v: float) -> str:
        if abs(v) >= 1e20:
            return "∞" if v > 0 else "−∞"
        return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:,.4g}"

    return f"{end(low)} … {end(high)}"


def figure_value(inst: Instance, path: str) -> str:
    """The number a figure path names, as the instance states it (empty if it cannot be read)."""
    parts = path.split(".")
    try:
        if parts[0] in ("budget", "private_pool"):
            value: Any = getattr(inst, parts[0])
            if len(parts) > 1:
                value = value[int(parts[1])]
        elif parts[0] == "kpis":
            value = next(k for k in inst.kpis if k.id == parts[1]).baseline
        elif parts[0] == "targets":
            value = next(
                t.value for t in inst.targets if t.kpi == parts[1] and t.year == int(parts[2])
            )
        elif parts[0] == "lines":
            line = next(ln for ln in inst.lines if ln.id == parts[1])
            value = getattr(line, parts[2])
            if len(parts) > 3:
                value = value[parts[3]] if parts[2] == "yields" else value[int(parts[3])]
        else:
            return ""
    except (StopIteration, KeyError, AttributeError, ValueError, TypeError, IndexError):
        return ""
    return f"{float(value):,.6g}" if isinstance(value, int | float) else ""


def document(title: str, lang: Lang, body: str) -> str:
    generated = datetime.now(UTC).isoformat(timespec="seconds")
    return (
        "<!DOCTYPE html>\n"
        f"<html lang='{lang}'>\n<head>\n<meta charset='utf-8'>\n"
        f'<meta http-equiv="Content-Security-Policy" content="{POLICY}">\n'
        "<meta name='viewport' content='width=device-width, initial-scale=1'>\n"
        f"<meta name='generator' content='allocator'>\n<meta name='created' content='{generated}'>"
        f"\n<title>{esc(title)}</title>\n<link rel='icon' href='data:,'>\n"
        f"<style>{CSS}</style>\n</head>\n<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n"
    )


def membership(shares: dict[str, float], names: dict[str, str]) -> str:
    """`AI talent`, or `AI infrastructure 70% / R&D 30%` for a line in several pillars."""
    if len(shares) == 1:
        return names.get(next(iter(shares)), next(iter(shares)))
    return " / ".join(f"{names.get(p, p)} {w:.0%}" for p, w in shares.items())


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values covering [low, high]: steps of 1, 2, 2.5 or 5 times a power of ten."""
    if not (math.isfinite(low) and math.isfinite(high)) or high <= low:
        high = low + 1.0
    raw = (high - low) / max(count, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    start = math.floor(low / step) * step
    ticks = []
    value = start
    while value < high + step * 0.999:
        ticks.append(round(value, 12))
        value += step
    return ticks
