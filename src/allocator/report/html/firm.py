"""The report's "how firm" section: which lines the rules settle and which the optimum does not
decide (from `allocator.analysis.firmness.how_firm`)."""

from __future__ import annotations

from typing import Any

from allocator.report.html.markup import esc
from allocator.report.labels import Lang

HEADINGS = {"en": "How firm is the optimum", "ko": "최적해는 얼마나 확고한가"}
COLUMNS = {
    "en": ("line", "optimum", "within the slack", "verdict"),
    "ko": ("사업", "최적", "허용 범위 안", "판정"),
}


def section(firmness: Any, lang: Lang = "en") -> str:
    """The section: a sentence per verdict and a table of every line's range."""
    t = firmness.table
    settled = int((t.verdict == "settled by the rules").sum())
    undecided = int((t.verdict == "not decided by the optimum").sum())
    lead = (
        f"{settled} of {len(t)} lines are settled by the rules; {undecided} are not decided by "
        f"the optimum (any amount in their range is within {firmness.slack * 100:g} % of the best)."
    )
    head = "".join(f"<th>{esc(c)}</th>" for c in COLUMNS[lang])
    rows = "".join(
        f"<tr data-line='{esc(r.line)}' data-verdict='{esc(r.verdict)}'><td>{esc(r.name)}</td>"
        f"<td class='num'>{r.optimum:,.1f}</td><td class='num'>{r.low:,.1f} – {r.high:,.1f}</td>"
        f"<td>{esc(r.verdict)}</td></tr>"
        for r in t.itertuples()
    )
    return (
        f"<section id='how-firm'><h2>{esc(HEADINGS[lang])}</h2><p>{esc(lead)}</p>"
        f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></section>"
    )
