"""MkDocs hook: formulas become MathML at build time, so the site needs no script and no network.

`pymdownx.arithmatex` (generic mode) finds the maths in the Markdown and leaves it as
`<span class="arithmatex">\\(...\\)</span>` / `<div class="arithmatex">\\[...\\]</div>`; this hook
replaces each with MathML from latex2mathml, keeping the TeX as an annotation (for copying, for
screen readers and for the docs test). A formula latex2mathml cannot read fails the build.
"""

from __future__ import annotations

import html
import re
from typing import Any

from latex2mathml.converter import convert
from mkdocs.structure.files import Files, InclusionLevel

_INLINE = re.compile(r'<span class="arithmatex">\\\((.*?)\\\)</span>', re.DOTALL)
_BLOCK = re.compile(r'<div class="arithmatex">\\\[(.*?)\\\]</div>', re.DOTALL)


def mathml(tex: str, display: str) -> str:
    """One formula as MathML with its TeX source as an annotation."""
    try:
        out = convert(tex, display=display)
    except Exception as exc:  # latex2mathml raises several exception types
        raise ValueError(f"cannot turn the formula {tex!r} into MathML: {exc}") from exc
    out = out.replace("\\_", "_")  # \texttt{must\_spend}: the escape is TeX's, not the name's
    inner = out[out.index(">") + 1 : out.rindex("</math>")]
    head = out[: out.index(">") + 1]
    note = f'<annotation encoding="application/x-tex">{html.escape(tex)}</annotation>'
    return f"{head}<semantics><mrow>{inner}</mrow>{note}</semantics></math>"


def on_page_content(output: str, **_: Any) -> str:
    """Replace arithmatex's TeX spans and blocks with MathML."""
    output = _BLOCK.sub(lambda m: mathml(html.unescape(m.group(1)).strip(), "block"), output)
    return _INLINE.sub(lambda m: mathml(html.unescape(m.group(1)).strip(), "inline"), output)


def on_files(files: Files, **_: Any) -> Files:
    """The generated SUMMARY.md files feed the navigation (literate-nav); they are not pages."""
    for file in files:
        if file.src_uri.endswith("SUMMARY.md"):
            file.inclusion = InclusionLevel.EXCLUDED
    return files
