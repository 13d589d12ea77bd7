"""The reader's language: English or Korean, and an instance's names in it."""

from __future__ import annotations

from typing import Literal, Protocol

Lang = Literal["en", "ko"]
LANGS: tuple[Lang, ...] = ("en", "ko")


class Named(Protocol):
    """A pillar, line, KPI or fund: an English name and, optionally, a Korean one."""

    @property
    def name(self) -> str: ...

    @property
    def name_ko(self) -> str | None: ...


def name_of(item: Named, lang: Lang = "en") -> str:
    """The Korean name when `lang` is ko and the instance gives one, else the English name."""
    if lang == "ko" and item.name_ko:
        return item.name_ko
    return item.name


def check_lang(lang: str) -> Lang:
    """`lang`, when it is one of `LANGS`; else a ValueError saying which are."""
    if lang not in LANGS:
        raise ValueError(f"lang must be 'en' or 'ko', not {lang!r}")
    return lang


def pick(lang: Lang, en: str, ko: str) -> str:
    """`ko` for Korean readers, `en` otherwise."""
    return ko if lang == "ko" else en
