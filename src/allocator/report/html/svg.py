"""A matplotlib figure as an SVG element to inline in the report: text left as text (the page's
fonts draw it, NanumGothic for Hangul), numbers rounded, matplotlib's own ids, metadata and
stylesheet dropped, its remaining ids made unique in the page, and the shapes `Marks` names
given their data attributes and a tooltip (`<title>`), so tests and readers can tell which
number each bar stands for. No script, nothing fetched: the page's policy stays as it is."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from io import StringIO
from typing import Any

from allocator.results.charts import Marks

SVG = "http://www.w3.org/2000/svg"
XLINK = "http://www.w3.org/1999/xlink"
ET.register_namespace("", SVG)
ET.register_namespace("xlink", XLINK)

_NUMBER = re.compile(r"-?\d+\.\d+")
_REF = re.compile(r"url\(#([^)]+)\)")
_FONT = re.compile(r"font-family:[^;\"]*;?\s*")
_SPACE = re.compile(r"\s+")
_HIDDEN = re.compile(r"(^|;\s*)opacity:\s*0(;|$)")
DROP = {f"{{{SVG}}}{tag}" for tag in ("metadata", "style", "clipPath")}
NUMERIC = ("d", "x", "y", "width", "height", "transform", "points", "x1", "x2", "y1", "y2")


def _q(tag: str) -> str:
    return f"{{{SVG}}}{tag}"


def _rounder(decimals: int) -> Any:
    def rounded(match: re.Match[str]) -> str:
        text = f"{float(match.group()):.{decimals}f}".rstrip("0").rstrip(".")
        return "0" if text == "-0" else text

    return rounded


_COARSE, _FINE = _rounder(1), _rounder(2)
"""A tenth of a unit is below a pixel; shapes that stand for a number keep hundredths, so a
thin bar's size is its number to within a few parts in a thousand."""


def inline(fig: Any, marks: Marks | None, *, uid: str, kind: str, label: str) -> str:
    """`fig` as an inline `<svg class='chart' data-chart=kind>` element (no XML prologue)."""
    buffer = StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None})
    root = ET.fromstring(buffer.getvalue())
    marked = marks.items if marks is not None else {}
    for parent in list(root.iter()):
        for child in list(parent):
            empty = child.tag == _q("defs") and not len(child)
            if child.tag in DROP or empty or _hidden(child, marked):
                parent.remove(child)
    for node in root.iter():
        node.attrib.pop("clip-path", None)  # every shape lies inside its axes
    kept = _referenced(root)
    names = {old: f"{uid}-{i}" for i, old in enumerate(sorted(kept))}
    fine = {id(n) for g in root.iter() if g.get("id") in marked for n in g.iter()}
    for node in root.iter():
        _tidy(node, names, marked, _FINE if id(node) in fine else _COARSE)
    _flatten(root)
    rules = _classes(root, uid)
    for attr in ("width", "height", "version"):
        root.attrib.pop(attr, None)
    root.attrib.update({"class": "chart", "role": "img", "aria-label": label, "data-chart": kind})
    if rules:
        sheet = ET.Element(_q("style"))
        sheet.text = "".join(f".{name}{{{rule}}}" for rule, name in rules.items())
        root.insert(0, sheet)
    return ET.tostring(root, encoding="unicode", short_empty_elements=True)


def _classes(root: ET.Element, uid: str) -> dict[str, str]:
    """Inline styles as classes of one stylesheet in the chart (matplotlib repeats the same
    style on every tick label and grid line); whitespace between elements dropped."""
    rules: dict[str, str] = {}
    for node in root.iter():
        node.tail = None
        if node.text is not None and not node.text.strip():
            node.text = None
        style = node.attrib.pop("style", None)
        if not style:
            continue
        parts = [part.strip().replace(": ", ":") for part in style.split(";")]
        rule = ";".join(part for part in parts if part)
        name = rules.setdefault(rule, f"{uid}-s{len(rules)}")
        node.set("class", f"{node.get('class', '')} {name}".strip())
    return rules


def _hidden(node: ET.Element, marked: dict[str, dict[str, str]]) -> bool:
    """Shapes drawn fully transparent (figure and axes backgrounds) that no mark needs."""
    style = node.get("style", "")
    return bool(_HIDDEN.search(style)) and node.get("id") not in marked and not len(node)


def _referenced(root: ET.Element) -> set[str]:
    """Ids something points at (clip paths, hatch patterns, tick marks): they stay."""
    found: set[str] = set()
    for node in root.iter():
        for key, value in node.attrib.items():
            found.update(_REF.findall(value))
            if key.endswith("href") and value.startswith("#"):
                found.add(value[1:])
    return found


def _tidy(
    node: ET.Element, names: dict[str, str], marked: dict[str, dict[str, str]], rounding: Any
) -> None:
    own = node.attrib.pop("id", None)
    if own in names:
        node.set("id", names[own])
    for key in list(node.attrib):
        value = node.attrib[key]
        if key.endswith("href") and value[1:] in names:
            node.attrib.pop(key)
            node.set("href", f"#{names[value[1:]]}")
            continue
        value = _REF.sub(lambda m: f"url(#{names.get(m.group(1), m.group(1))})", value)
        if key in NUMERIC:
            value = _SPACE.sub(" ", _NUMBER.sub(rounding, value)).strip()
        if key == "style":
            value = _FONT.sub("", _NUMBER.sub(rounding, value)).strip().rstrip(";")
        if key == "transform" and value.startswith("rotate(-0 "):
            node.attrib.pop(key)
            continue
        node.set(key, value)
    if own in marked:
        extra = dict(marked[own])
        title = ET.Element(_q("title"))
        title.text = extra.pop("title")
        node.insert(0, title)
        node.attrib.update(extra)


def _flatten(node: ET.Element) -> None:
    """Unwrap `<g>` elements that carry nothing (matplotlib nests one per artist)."""
    children: list[ET.Element] = []
    for child in list(node):
        _flatten(child)
        if child.tag == _q("g") and not child.attrib:
            children.extend(list(child))
        elif child.tag in (_q("g"), _q("defs")) and not len(child):
            continue
        else:
            children.append(child)
    for child in list(node):
        node.remove(child)
    node.extend(children)
