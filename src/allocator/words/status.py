"""A solve's status and a rule's state in words, in English or Korean."""

from __future__ import annotations

from allocator.solver.status import LOOSE_GAP, Status, percent
from allocator.words.language import Lang

STATUS_KO: dict[Status, str] = {
    Status.optimal: "최적: 모든 규칙을 지키는 가장 좋은 배분",
    Status.infeasible: "실행 불가능: 모든 규칙을 동시에 지킬 수 없음",
    Status.unbounded: "무한: 목적함수가 한없이 커질 수 있음",
    Status.infeasible_or_unbounded: "실행 불가능 또는 무한 (솔버가 구분하지 못함)",
    Status.time_limit: "시간 한도 도달: 모든 규칙을 지키는 배분을 찾지 못함",
    Status.time_limit_incumbent: "시간 한도 도달: 지금까지 찾은 최선의 배분 (최적 증명 안 됨)",
    Status.limit: "풀이 한도 도달: 모든 규칙을 지키는 배분을 찾지 못함",
    Status.limit_incumbent: "풀이 한도 도달: 지금까지 찾은 최선의 배분 (최적 증명 안 됨)",
    Status.interrupted: "풀이가 중단됨",
    Status.error: "솔버 오류",
    Status.scored: "평가: 주어진 배분을 모든 규칙에 대해 검사함 (최적이 아님)",
}
"""Korean words for each status (English comes from `Status.describe`)."""

STATUS_SHORT_KO: dict[str, str] = {
    "optimal": "최적",
    "infeasible": "실행 불가능",
    "unbounded": "무한",
    "infeasible_or_unbounded": "실행 불가능 또는 무한",
    "time_limit": "시간 한도",
    "time_limit_incumbent": "시간 한도(잠정해)",
    "limit": "풀이 한도",
    "limit_incumbent": "풀이 한도(잠정해)",
    "interrupted": "중단",
    "error": "오류",
    "scored": "평가",
}


def status_text(status: Status, lang: Lang = "en", gap: float | None = None) -> str:
    """The status in plain words; with a loose MIP `gap` (`Result.loose_gap`), an optimum is
    said to be within that gap of the best."""
    if status == Status.optimal and gap is not None and gap > LOOSE_GAP:
        if lang == "ko":
            return (
                f"최선과의 차이 {percent(gap)} 이내: 모든 규칙을 지키는 배분 (최적 증명 안 됨; "
                "MIP 간격을 줄이세요)"
            )
        return status.describe(gap)
    if lang == "ko" and status in STATUS_KO:
        return STATUS_KO[status]
    return status.describe()


def status_word(status: Status | str, lang: Lang = "en") -> str:
    """The status in one or two words: `optimal`, `최적`."""
    value = status.value if isinstance(status, Status) else status
    return STATUS_SHORT_KO.get(value, value) if lang == "ko" else value


STATE_KO = {
    "binding": "구속",
    "slack": "여유",
    "short (penalised)": "미달(벌점)",
    "always holds": "항상 성립",
    "cannot hold": "성립 불가",
    "not in the solved model": "모형에 없음",
}
"""Korean words for the rule audit's states."""


def state_text(state: str, lang: Lang = "en") -> str:
    """A rule audit state in `lang`."""
    return STATE_KO.get(state, state) if lang == "ko" else state
