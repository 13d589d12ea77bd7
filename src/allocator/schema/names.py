"""Names read exactly: Unicode NFC form, no surrounding spaces, no control characters; two
spellings of one name (differing only in Unicode form, case or spaces) refused, both shown.

Korean text saved by different programs may come in two Unicode forms (a syllable as one code
point, NFC, or as its jamo, NFD) that look the same and compare different; a trailing space is
invisible. Left alone, `hub_sites` and `hub_sites ` would be two groups and a rule on one would
silently miss the lines of the other."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from difflib import get_close_matches
from functools import cache
from typing import Any

BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")
"""Characters that reorder text on screen (a name could show as something it is not)."""


@cache
def _forbidden(allowed: str) -> re.Pattern[str]:
    """One character class of every control and reordering character but `allowed`: the scan
    runs in the regular-expression engine (names and notes are read by the ten thousand)."""
    control = [chr(c) for c in (*range(0x20), *range(0x7F, 0xA0))]  # Unicode's Cc, all of it
    chars = control + sorted(BIDI_CONTROLS)
    return re.compile("[" + "".join(re.escape(c) for c in chars if c not in allowed) + "]")


def _bad_character(text: str, allowed: str = "") -> str | None:
    found = _forbidden(allowed).search(text)
    return found.group() if found else None


def clean(value: Any, what: str = "name", *, empty: bool = False, allowed: str = "") -> Any:
    """`value` (when it is text) in NFC form without surrounding spaces; a control character
    (an escape sequence, say) or, unless `empty`, an empty text is a ValueError."""
    if not isinstance(value, str):
        return value
    text = unicodedata.normalize("NFC", value).strip()
    bad = _bad_character(text, allowed)
    article = "an" if what[:1] in "aeiou" else "a"
    if bad is not None:
        raise ValueError(
            f"{article} {what} holds the control character {bad!r} (U+{ord(bad):04X}); "
            f"{article} {what} is plain text: remove it"
        )
    if not text and not empty:
        raise ValueError(f"{article} {what} cannot be empty or only spaces")
    return text


def key(name: str) -> str:
    """What two spellings of one name share: NFC, case-folded, spaces collapsed."""
    text = unicodedata.normalize("NFC", name).casefold()
    return re.sub(r"\s+", " ", text).strip()


_SPACES = re.compile(r"\s+")


def keys(texts: list[str]) -> list[str]:
    """`key` of each text: plain ASCII all at once (one pass over the texts joined), the rest
    one at a time."""
    joined = "\x00".join(texts)
    if not (joined.isascii() and joined.count("\x00") == len(texts) - 1):
        return [key(text) for text in texts]
    folded = joined.lower()
    if _SPACES.search(folded):
        folded = _SPACES.sub(" ", folded).replace(" \x00", "\x00").replace("\x00 ", "\x00")
    return folded.strip(" ").split("\x00") if texts else []


def clashing(raw: Iterable[Any]) -> bool:
    """Whether two of the names (text; anything else is ignored) are one name spelled two ways:
    they differ, and differ only in case, spaces or Unicode form (`key`)."""
    distinct = list(set(raw))
    if not all(type(text) is str for text in distinct):
        distinct = [text for text in distinct if isinstance(text, str)]
    return len(set(keys(distinct))) != len(distinct)


def spelling_clashes(spellings: Iterable[tuple[str, Any]], kind: str) -> list[tuple[str, Any, str]]:
    """(path, problem) for each name spelled a second, different way: `spellings` are (path,
    name as written) pairs of one namespace (the groups of an instance, say)."""
    spellings = list(spellings)
    if not clashing(raw for _, raw in spellings):
        return []
    first: dict[str, tuple[str, str]] = {}
    problems: list[tuple[str, Any, str]] = []
    reported: set[tuple[str, str]] = set()
    for path, raw in spellings:
        if not isinstance(raw, str):
            continue
        k = key(raw)
        if k not in first:
            first[k] = (path, raw)
            continue
        where, seen = first[k]
        if raw == seen or (seen, raw) in reported:
            continue
        reported.add((seen, raw))
        problems.append(
            (
                path,
                raw,
                f"{kind} {shown(raw)} and {shown(seen)} (at {where}) differ only in case, spaces "
                f"or Unicode form: they would be two different {kind}s; spell the {kind} one way",
            )
        )
    return problems


def shown(text: str) -> str:
    """`text` quoted; when it is not in NFC form, its code points too (two Unicode forms of
    one word look the same on screen)."""
    if unicodedata.is_normalized("NFC", text):
        return repr(text)
    return f"{text!r} (stored decomposed, NFD: {text!a})"


def column_key(column: str) -> str:
    """What makes two column names (or dotted keys) the same field: `max.2026` and `max.02026`
    are one figure; so are names that differ only in Unicode form or spaces."""
    parts = [p.strip() for p in unicodedata.normalize("NFC", column).split(".")]
    return ".".join(str(int(p)) if p.isascii() and p.isdigit() else p for p in parts)


def unknown_name(kind: str, known: list[str], given: str | None = None) -> str:
    """`no such KPI; known: a, b` with a "did you mean" when one is close."""
    listed = ", ".join(known[:12]) + (", ..." if len(known) > 12 else "")
    close = get_close_matches(given, known, n=1) if given else []
    guess = f"did you mean {close[0]!r}? " if close else ""
    return f"no such {kind}; {guess}known: {listed or 'none'}"
