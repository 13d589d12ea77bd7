"""Messages about names a file gives that the instance lacks."""

from __future__ import annotations


def unknown_name(kind: str, known: list[str], given: str | None = None) -> str:
    """`no such KPI; known: a, b` with a "did you mean" when one is close."""
    from difflib import get_close_matches

    listed = ", ".join(known[:12]) + (", ..." if len(known) > 12 else "")
    close = get_close_matches(given, known, n=1) if given else []
    guess = f"did you mean {close[0]!r}? " if close else ""
    return f"no such {kind}; {guess}known: {listed or 'none'}"
