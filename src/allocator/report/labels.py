"""The reports' fixed headings in English or Korean. Numbers, money, units, names and statuses
in words come from `allocator.words` (shared with the explanations) and are re-exported here."""

from __future__ import annotations

from allocator.words import (
    LANGS,
    STATE_KO,
    STATUS_KO,
    Lang,
    Named,
    money,
    money_tick,
    name_of,
    number,
    state_text,
    status_text,
    won,
)

REACH = ("auto", "always", "never")
"""Whether a result's text says, for each target missed or at its cap, what the rules allow
(`Result.reach`: about two more solves of the model for each): `auto` when they are quick
(`report.text.REACH_AUTO_SECONDS`)."""

__all__ = [
    "LANGS",
    "REACH",
    "STATE_KO",
    "STATUS_KO",
    "TEXT",
    "Lang",
    "Named",
    "money",
    "money_tick",
    "name_of",
    "number",
    "state_text",
    "status_text",
    "text",
    "won",
]

TEXT: dict[str, dict[Lang, str]] = {
    "report": {"en": "Budget allocation report", "ko": "예산 배분 보고서"},
    "under": {"en": "{instance} under {model}", "ko": "{instance} · {model} 모형"},
    "objective_line": {"en": "objective", "ko": "목적함수 값"},
    "verified_line": {
        "en": "verified: every rule re-checked",
        "ko": "검증됨: 모든 규칙을 다시 확인함",
    },
    "headline": {"en": "Headline", "ko": "요약"},
    "status": {"en": "Status", "ko": "상태"},
    "objective": {"en": "Objective", "ko": "목적함수 값"},
    "verified": {"en": "Verified", "ko": "검증"},
    "verified_yes": {
        "en": "every rule re-checked on the returned numbers",
        "ko": "반환된 값으로 모든 규칙을 다시 확인함",
    },
    "verified_no": {"en": "NOT VERIFIED", "ko": "검증 실패"},
    "government": {"en": "government", "ko": "정부 재정"},
    "private": {"en": "private, pool and funds", "ko": "민간 자금(풀·펀드 합계)"},
    "private_pool": {"en": "private pool", "ko": "민간 풀 자금"},
    "share_gov": {"en": "share of government money", "ko": "정부 재정 중 비중"},
    "gov_short": {"en": "gov.", "ko": "정부"},
    "private_short": {"en": "private", "ko": "민간"},
    "government_total": {"en": "Government money", "ko": "정부 재정 합계"},
    "private_total": {"en": "Private money, pool and funds", "ko": "민간 자금 합계(풀·펀드)"},
    "split": {"en": "Split by pillar and year", "ko": "분야·연도별 배분"},
    "split_table": {"en": "The split as a table", "ko": "배분 표"},
    "pillar": {"en": "pillar", "ko": "분야"},
    "line": {"en": "line", "ko": "사업"},
    "year": {"en": "year", "ko": "연도"},
    "share": {"en": "share", "ko": "비중"},
    "total": {"en": "total", "ko": "합계"},
    "funds": {"en": "funds (private money drawn, by year)", "ko": "펀드 (연도별 민간 자금 조달액)"},
    "lines": {"en": "Money by line", "ko": "사업별 배분"},
    "kpis": {"en": "KPI paths against targets", "ko": "성과지표 경로와 목표"},
    "kpi": {"en": "KPI", "ko": "성과지표"},
    "targets": {"en": "targets", "ko": "목표"},
    "care": {"en": "Figures to treat with care", "ko": "주의해서 볼 수치"},
    "outside_budget": {"en": "of them added outside the budget", "ko": "예산 밖 추가"},
    "level": {"en": "level", "ko": "수준"},
    "target": {"en": "target", "ko": "목표"},
    "baseline": {"en": "baseline (before the first year)", "ko": "기준값 (첫해 이전)"},
    "of": {"en": "of", "ko": "/"},
    "met": {"en": "met", "ko": "달성"},
    "reach": {"en": "under the rules", "ko": "규칙상 도달 가능성"},
    "short_by": {"en": "short by", "ko": "부족"},
    "rules": {"en": "Rule audit and shadow prices", "ko": "규칙 점검과 잠재가격"},
    "binding_rules": {
        "en": "Binding rules and what one more unit of each is worth",
        "ko": "구속력 있는 규칙과 한 단위 완화의 가치",
    },
    "none_priced": {"en": "(none with a non-zero price)", "ko": "(0이 아닌 잠재가격 없음)"},
    "policy_price": {
        "en": "Price of each policy (objective change when it is removed)",
        "ko": "정책별 비용 (그 규칙을 없앨 때 목적함수 변화)",
    },
    "audit_hint": {
        "en": "Result.audit() has every rule with its slack, price and source",
        "ko": "모든 규칙의 여유, 잠재가격, 근거는 규칙 점검표(감사표)에 있음",
    },
    "vacuous": {"en": "Rules that built nothing here", "ko": "여기서 아무 제약도 만들지 않은 규칙"},
    "more": {"en": "More priced rules", "ko": "나머지 잠재가격"},
    "all_rules": {"en": "Every rule", "ko": "모든 규칙"},
    "rule": {"en": "rule", "ko": "규칙"},
    "text": {"en": "what it says", "ko": "내용"},
    "state": {"en": "state", "ko": "상태"},
    "slack": {"en": "slack", "ko": "여유"},
    "unit": {"en": "unit", "ko": "단위"},
    "shadow_price": {"en": "shadow price", "ko": "잠재가격"},
    "valid": {"en": "holds from … to", "ko": "유효 범위"},
    "worth": {"en": "one more unit is worth", "ko": "한 단위 더의 가치"},
    "value": {"en": "value", "ko": "값"},
    "objective_note": {"en": "objective", "ko": "목적함수"},
    "origin": {"en": "origin", "ko": "출처(규칙)"},
    "source": {"en": "source", "ko": "근거"},
    "rule_counts": {"en": "Rule audit", "ko": "규칙 점검"},
    "diagnosis": {"en": "Why there is no answer", "ko": "해가 없는 이유"},
    "colliding": {"en": "These rules cannot hold together", "ko": "동시에 만족할 수 없는 규칙"},
    "repairs": {
        "en": "Smallest repairs, one rule at a time (smallest first)",
        "ko": "규칙 하나씩의 최소 수정안 (작은 순)",
    },
    "no_repair": {
        "en": "Changing any one of these alone cannot restore feasibility",
        "ko": "다음 규칙은 하나만 바꿔서는 해를 되살릴 수 없음",
    },
    "no_allocation": {
        "en": "This solve has no allocation to show",
        "ko": "이 풀이에는 보여줄 배분이 없음",
    },
    "incumbent": {
        "en": "The numbers below are the best found before a limit, not a proven optimum.",
        "ko": "아래 수치는 한도 내에서 찾은 최선의 해이며, 최적임이 증명되지 않았습니다.",
    },
    "violations": {
        "en": "Rules the returned numbers break",
        "ko": "반환된 값이 어기는 규칙",
    },
    "provenance": {"en": "Provenance of the figures", "ko": "수치의 출처"},
    "about": {"en": "figures", "ko": "대상 수치"},
    "kind": {"en": "kind", "ko": "종류"},
    "cite": {"en": "citation", "ko": "인용"},
    "note": {"en": "note", "ko": "설명"},
    "covers": {"en": "covers", "ko": "해당 수치 수"},
    "figures_stated": {"en": "figures stated in the instance", "ko": "개 수치가 입력에 있음"},
    "sources": {"en": "Sources", "ko": "근거 목록"},
    "every_figure": {"en": "Every figure and its source", "ko": "모든 수치와 근거"},
    "figure": {"en": "figure", "ko": "수치"},
    "unsourced": {"en": "figures with no source", "ko": "출처 없는 수치"},
    "how_made": {"en": "How this report was made", "ko": "보고서 생성 정보"},
    "inputs": {"en": "input files (SHA-256)", "ko": "입력 파일 (SHA-256)"},
    "versions": {"en": "software", "ko": "소프트웨어"},
    "solve_seconds": {"en": "solve time (s)", "ko": "풀이 시간 (초)"},
    "written_at": {"en": "written at", "ko": "작성 시각"},
    "sweeps": {"en": "Parameter sweeps", "ko": "매개변수 변화 분석"},
    "frontiers": {"en": "Trade-off frontiers", "ko": "상충관계 경계"},
    "points_failed": {"en": "points have no answer", "ko": "지점은 해가 없음"},
    "no_points": {"en": "no solved points to draw", "ko": "그릴 수 있는 해가 없음"},
    "money_axis": {"en": "government money", "ko": "정부 재정"},
    "gap": {"en": "gap", "ko": "갭"},
    "solved_with": {"en": "solved with", "ko": "솔버"},
    "kpi_scale": {"en": "level ÷ baseline", "ko": "수준 ÷ 기준값"},
    "needs_highs_prices": {
        "en": "Shadow prices are HiGHS's duals: this plan was solved with another solver.",
        "ko": "잠재가격은 HiGHS의 쌍대값입니다: 이 계획은 다른 솔버로 풀었습니다.",
    },
    "needs_highs": {
        "en": "The colliding rules and their repairs come from HiGHS (its irreducible infeasible "
        "subset): solve again without --solver to see them.",
        "ko": "충돌하는 규칙과 수정안은 HiGHS(기약 불가능 부분집합)로 구합니다: --solver 없이 다시 "
        "풀면 볼 수 있습니다.",
    },
}
"""Fixed headings and words of the reports, by key and language."""


def text(key: str, lang: Lang = "en") -> str:
    """The fixed string `key` in `lang`."""
    return TEXT[key][lang]
