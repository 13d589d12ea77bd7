"""The report's explaining sections: the rule audit and what each binding rule is worth, the
infeasibility diagnosis, the provenance of every figure and how the report was made; in English
or Korean, every number with its unit."""

from __future__ import annotations

import math
from collections import Counter

import pandas as pd

from allocator.explain.audit import KINDS_KO
from allocator.report.html.markup import PageContext, esc, figure_value, g
from allocator.results.result import Result
from allocator.schema.provenance import figure_paths, source_finder
from allocator.words import (
    Lang,
    amount,
    figure,
    name_of,
    objective_amount,
    quantity,
    row_unit_words,
    state_text,
)

SHOWN = 12
"""Priced rules shown before the rest fold away."""

OPTIONS_KO = {
    "time_limit": "시간 한도",
    "mip_gap": "MIP 갭",
    "threads": "스레드",
    "seed": "난수 시드",
    "presolve": "사전 처리",
    "highs": "HiGHS 옵션",
    "solver": "솔버",
    "solver_options": "솔버 옵션",
}


def kind_word(kind: str, lang: Lang) -> str:
    """A provenance kind in `lang`."""
    return KINDS_KO.get(kind, kind) if lang == "ko" else kind


def in_unit(value: float, unit: str, currency_unit: str, lang: Lang) -> str:
    """A figure of a rule's unit (`money`, a KPI's unit, `lines`, ...) with that unit."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        if isinstance(value, float) and math.isinf(value):
            return "∞" if value > 0 else "−∞"
        return ""
    if unit == "money":
        return amount(value, currency_unit, lang)
    if unit in ("lines", "level points", "share", "units", "ratio", "years"):
        return f"{figure(value)} {row_unit_words(unit, currency_unit, lang)}"
    return quantity(value, unit, lang)


def per_unit(res: Result, value: float, unit: str, lang: Lang) -> str:
    """A price: the objective's change per one unit of the figure, with both units."""
    if not math.isfinite(value):
        return ""
    inst, kind = res.instance, res.model.objective
    size = objective_amount(
        value, kind, inst.currency_unit, lang, max(1.0, abs(res.objective or 0))
    )
    step = row_unit_words(unit, inst.currency_unit, lang, change=True)
    if lang == "ko":
        return f"{step}당 {size}"
    return f"{size} per {step}"


def rules(page: PageContext, res: Result, resolves: int | None = None) -> str:
    """The rule audit's counts, the priced rules (what one more unit of each figure is worth and
    the figures over which that holds, with units), and every rule folded away."""
    lang, cu = page.lang, res.instance.currency_unit
    audit = res.audit(lang)
    highs = res.solver == "highs"  # prices come from HiGHS's duals and re-solves
    prices = res.shadow_prices(lang, resolves) if highs else pd.DataFrame()
    counts = audit.state.value_counts()
    count_html = " · ".join(
        f"<span class='pill'>{n} {esc(state_text(str(s), lang))}</span>" for s, n in counts.items()
    )
    if len(prices):
        head = (
            f"<tr><th>{page.t('rule')}</th><th class='n'>{page.t('worth')}</th>"
            f"<th class='n'>{page.t('valid')}</th><th>{page.t('text')}</th></tr>"
        )
        rows = []
        for _, r in prices.iterrows():
            unit = str(r["figure_unit"])
            low, high = (in_unit(r[c], unit, cu, lang) for c in ("value_from", "value_to"))
            span = f"{low} … {high}" if low or high else ""
            rows.append(
                f"<tr data-rule='{esc(r['rule'])}' data-value='{_num(r['value'])}'>"
                f"<td><code>{esc(r['rule'])}</code></td>"
                f"<td class='n'>{esc(per_unit(res, r['value'], unit, lang))}</td>"
                f"<td class='n'>{esc(span)}</td><td>{esc(r['sentence'])}</td></tr>"
            )
        priced = f"<table class='data'>{head}{''.join(rows[:SHOWN])}</table>"
        if len(rows) > SHOWN:
            priced += (
                f"<details><summary>{page.t('more')} ({len(rows) - SHOWN})</summary>"
                f"<table class='data'>{head}{''.join(rows[SHOWN:])}</table></details>"
            )
    elif not highs:
        priced = f"<p class='muted'>{page.t('needs_highs_prices')}</p>"
    else:
        priced = f"<p>{page.t('none_priced')}</p>"
    head = (
        f"<tr><th>{page.t('rule')}</th><th>{page.t('state')}</th>"
        f"<th class='n'>{page.t('slack')}</th><th>{page.t('unit')}</th>"
        f"<th class='n'>{page.t('shadow_price')}</th><th>{page.t('text')}</th>"
        f"<th>{page.t('origin')}</th><th>{page.t('source')}</th></tr>"
    )
    rows = []
    for _, r in audit.iterrows():
        state = str(r["state"])
        unit = row_unit_words(str(r["unit"]), cu, lang) if r["unit"] else ""
        rows.append(
            f"<tr class='{'bind' if state != 'slack' else ''}'>"
            f"<td><code>{esc(r['rule'])}</code></td><td>{esc(state_text(state, lang))}</td>"
            f"<td class='n'>{g(r['slack'])}</td><td>{esc(unit)}</td>"
            f"<td class='n'>{g(r['shadow_price'])}</td><td>{esc(r['text'])}</td>"
            f"<td>{esc(r['origin'])}</td><td>{esc(_plain(r['source']))}</td></tr>"
        )
    return (
        f"<section id='rules'><h2>{page.t('rules')}</h2>"
        f"<p>{page.t('rule_counts')}: {count_html}</p>"
        f"<h3>{page.t('binding_rules')}</h3>{priced}"
        f"<details><summary>{page.t('all_rules')} ({len(audit)})</summary>"
        f"<table class='data'>{head}{''.join(rows)}</table></details></section>"
    )


def _plain(value: object) -> str:
    """Text of a cell, empty for a missing one (None or NaN)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def _option(value: object, lang: Lang) -> str:
    if isinstance(value, bool) and lang == "ko":
        return "예" if value else "아니오"
    return str(value)


def _num(value: float) -> str:
    return "" if not isinstance(value, float) or not math.isfinite(value) else repr(value)


def diagnosis(page: PageContext, res: Result) -> str:
    """The colliding rules, the sums that make the collision visible, and the repairs."""
    lang = page.lang
    if res.solver != "highs":  # the IIS and repairs come from HiGHS
        return (
            f"<section id='diagnosis' class='alert'><p>{esc(page.t('needs_highs'))}</p></section>"
        )
    diag = res.diagnosis()
    items = "".join(
        f"<li><code>{esc(name)}</code>: {esc(words)}</li>"
        for name, words in zip(diag.rules, diag.rule_texts(lang), strict=True)
    )
    context = "".join(
        f"<li class='muted'>{esc(c)}</li>"
        for c in (diag.context_ko if lang == "ko" else diag.context)
    )
    fixes = [r for r in diag.repairs if not math.isnan(r.change)]
    stuck = [r for r in diag.repairs if math.isnan(r.change)]
    parts = [
        f"<section id='diagnosis' class='alert'><h2>{page.t('diagnosis')}</h2>",
        f"<h3>{page.t('colliding')}</h3><ul class='collide'>{items}{context}</ul>",
    ]
    if fixes:
        repairs = "".join(f"<li>{esc(r.text(lang))}</li>" for r in fixes)
        parts.append(f"<h3>{page.t('repairs')}</h3><ol>{repairs}</ol>")
    if stuck:
        reasons = "".join(f"<li>{esc(r.text(lang))}</li>" for r in stuck)
        parts.append(f"<h3>{page.t('no_repair')}</h3><ul>{reasons}</ul>")
    if diag.method:
        parts.append(f"<p class='muted'>{esc(diag.method_text(lang))}</p>")
    parts.append("</section>")
    return "\n".join(parts)


def provenance(page: PageContext, res: Result) -> str:
    """Every source and how many figures it covers; every figure and its source."""
    inst, lang = res.instance, page.lang
    paths = figure_paths(inst)
    finder = source_finder(inst)
    first: dict[str, int | None] = {p: finder(p) for p in paths}
    covered = Counter(first.values())
    counts = [covered[k] for k in range(len(inst.sources))]
    head = (
        f"<tr><th>{page.t('about')}</th><th>{page.t('kind')}</th><th>{page.t('cite')}</th>"
        f"<th>{page.t('note')}</th><th class='n'>{page.t('covers')}</th></tr>"
    )
    rows = [
        f"<tr><td><code>{esc(s.about)}</code></td><td><span class='kind {esc(s.kind)}'>"
        f"{esc(kind_word(s.kind, lang))}</span></td><td>{esc(s.cite or '')}</td>"
        f"<td>{esc(s.note or '')}</td><td class='n'>{n}</td></tr>"
        for s, n in zip(inst.sources, counts, strict=True)
    ]
    missing = [p for p, i in first.items() if i is None]
    every = []
    for p, i in first.items():
        value = figure_value(inst, p)
        if i is None:
            where = f"<span class='no'>{page.t('unsourced')}</span>"
        else:
            s = inst.sources[i]
            where = f"{esc(kind_word(s.kind, lang))}: {esc(s.cite or s.note or '')}"
        every.append(
            f"<tr><td><code>{esc(p)}</code></td><td class='n'>{esc(value)}</td>"
            f"<td>{where}</td></tr>"
        )
    note = (
        f"<p class='warn'>{len(missing)} {page.t('unsourced')}: "
        + ", ".join(f"<code>{esc(m)}</code>" for m in missing[:20])
        + (", …" if len(missing) > 20 else "")
        + "</p>"
        if missing
        else ""
    )
    kinds: dict[str, int] = {}
    for i in first.values():
        if i is not None:
            kind = inst.sources[i].kind
            kinds[kind] = kinds.get(kind, 0) + 1
    summary = [
        f"<span class='kind {esc(k)}'>{esc(kind_word(k, lang))}</span> {n}"
        for k, n in sorted(kinds.items())
    ]
    if missing:
        summary.append(f"<span class='no'>{page.t('unsourced')}</span> {len(missing)}")
    return (
        f"<section id='provenance'><h2>{page.t('provenance')}</h2>{note}"
        f"<p data-figures='{len(paths)}'>{len(paths)} {page.t('figures_stated')}: "
        + " · ".join(summary)
        + "</p>"
        f"<details><summary>{page.t('sources')} ({len(inst.sources)})</summary>"
        f"<table class='data'>{head}{''.join(rows)}</table></details>"
        f"<details><summary>{page.t('every_figure')} ({len(paths)})</summary>"
        f"<table class='data'><tr><th>{page.t('figure')}</th><th class='n'>"
        f"{page.t('value')}</th><th>{page.t('source')}</th></tr>{''.join(every)}</table>"
        "</details></section>"
    )


def how_made(page: PageContext, res: Result) -> str:
    """Input files and their hashes, software versions, HiGHS options, time, when written."""
    lang = page.lang
    manifest = res.manifest()
    files = "".join(
        f"<li><code>{esc(name)}</code> <small class='id'>{esc(digest)}</small></li>"
        for name, digest in manifest["inputs"].items()
    )
    versions = ", ".join(f"{esc(k)} {esc(v)}" for k, v in manifest["versions"].items())
    options = ", ".join(
        f"{esc(OPTIONS_KO.get(k, k) if lang == 'ko' else k)}={esc(_option(v, lang))}"
        for k, v in manifest["options"].items()
        if v not in (None, {}) and not (k == "solver" and v == "highs")
    )
    return (
        f"<footer id='how'><h2>{page.t('how_made')}</h2><dl>"
        + (f"<dt>{page.t('inputs')}</dt><dd><ul>{files}</ul></dd>" if files else "")
        + f"<dt>{page.t('versions')}</dt><dd>{versions}</dd>"
        + (f"<dt>HiGHS</dt><dd>{options}</dd>" if options else "")
        + f"<dt>{page.t('solve_seconds')}</dt><dd>{manifest['solve_seconds']:.3f}</dd>"
        + f"<dt>{page.t('written_at')}</dt><dd>{esc(manifest['written_at'])}</dd>"
        + "</dl></footer>"
    )


def caps(page: PageContext, res: Result, verdicts: dict[tuple[str, int], str]) -> str:
    """The at-most targets (a cap on a KPI, such as the government's share of the GPUs): the
    level, the cap and, for one the plan sits at, the lowest level the rules allow."""
    lang = page.lang
    table = res.kpis.dropna(subset=["at_most"])
    if not len(table):
        return ""
    kpis = {k.id: k for k in res.instance.kpis}
    items = []
    for _, row in table.iterrows():
        key = (str(row["kpi"]), int(row["year"]))
        level = quantity(row["level"], row["unit"], lang)
        cap = quantity(row["at_most"], row["unit"], lang)
        head = f"{name_of(kpis[key[0]], lang)} {key[1]}: {level}, "
        head += f"상한 {cap}" if lang == "ko" else f"at most {cap}"
        said = verdicts.get(key, "")
        items.append(
            f"<li data-kpi='{esc(key[0])}' data-year='{key[1]}'>{esc(head)}"
            + (f" — <span class='reach'>{esc(said)}</span>" if said else "")
            + "</li>"
        )
    return f"<ul class='caps'>{''.join(items)}</ul>"


def cash_row(said: str, year: int, columns: int) -> str:
    """A table row under a year's totals saying where its government money went when spending
    is not simply the budget (`report.text.cash_lines`); empty when there is nothing to say."""
    if not said:
        return ""
    return (
        f"<tr class='cash' data-year='{int(year)}'><td></td>"
        f"<td colspan='{columns}'>{esc(said)}</td></tr>"
    )
