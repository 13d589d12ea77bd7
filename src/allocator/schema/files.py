"""Reading a file of any kind safely: UTF-8 text, YAML with no duplicate keys and no tags, a file's
hash for the manifest. Every problem becomes a located `Issue`."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import yaml

from allocator.errors import MISSING, InputError, Issue

REQUIRED = {
    "instance": "name, years, pillars, budget and lines",
    "model": "name (and usually objective and rules)",
}
"""The keys a file of each kind must have, for messages about empty or misshapen files."""


def near(path: Path) -> str:
    """Help for a file that is not there: the closest names in its folder ("did you mean
    scenarios/budget-2026-minus-10.yaml?"), or the folder's YAML files."""
    from difflib import get_close_matches

    folder = path.parent if str(path.parent) else Path(".")
    try:
        names = sorted(p.name for p in folder.iterdir() if p.suffix.lower() in YAML_SUFFIXES)
    except OSError:
        return "check the path"
    close = get_close_matches(path.name, names, n=2, cutoff=0.6)
    if close:
        shown = " or ".join(str(folder / name) for name in close)
        return f"did you mean {shown}?"
    if names:
        listed = ", ".join(names[:8]) + (", ..." if len(names) > 8 else "")
        return f"check the path ({folder} holds {listed})"
    return "check the path"


YAML_SUFFIXES = (".yaml", ".yml", ".xlsx")


def read_yaml(path: Path, kind: str) -> dict[str, Any]:
    if not is_file(path):
        what = "a folder, not a file" if is_dir(path) else "file not found"
        raise InputError([Issue(str(path), "", MISSING, f"{what}; {near(path)}")])
    text = read_text(path)
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)  # a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        raise InputError([_yaml_issue(path, text, exc)]) from None
    except yaml.YAMLError as exc:
        raise InputError([Issue(str(path), "", MISSING, f"not valid YAML: {exc}")]) from None
    if data is None:
        raise InputError(
            [
                Issue(
                    str(path),
                    "",
                    MISSING,
                    f"the file is empty; {_article(kind)} {kind} needs {REQUIRED[kind]}",
                )
            ]
        )
    if not isinstance(data, dict):
        raise InputError(
            [
                Issue(
                    str(path),
                    "",
                    data,
                    f"the file holds a {_yaml_kind(data)}; {_article(kind)} {kind} file is a "
                    f"mapping of keys to values (`key: value` per line) with {REQUIRED[kind]}",
                )
            ]
        )
    return data


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def _yaml_kind(data: Any) -> str:
    return "list" if isinstance(data, list) else f"single value ({type(data).__name__})"


def _yaml_issue(path: Path, text: str, exc: yaml.MarkedYAMLError) -> Issue:
    mark = exc.problem_mark
    where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
    lines = text.splitlines()
    shown = lines[mark.line].strip() if mark and mark.line < len(lines) else ""
    problem = exc.problem or str(exc)
    context = ""
    if exc.context and exc.context_mark:
        at = exc.context_mark
        context = f" ({exc.context} that starts at line {at.line + 1}, column {at.column + 1})"
    hint = "" if isinstance(exc, _DuplicateKey) else "; check brackets, quotes and indentation"
    return Issue(str(path), where, shown or MISSING, f"not valid YAML: {problem}{context}{hint}")


class _DuplicateKey(yaml.constructor.ConstructorError):
    """A key given twice in one mapping (PyYAML would silently keep the last)."""


class _UniqueKeyLoader(yaml.SafeLoader):
    """The safe loader, refusing a key given twice in one mapping."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, yaml.Node] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                first = seen.get(key)
            except TypeError:  # an unhashable key; the base class reports it
                continue
            if first is not None:
                raise _DuplicateKey(
                    None,
                    None,
                    f"key {key!r} is given twice in this mapping (first at line "
                    f"{first.start_mark.line + 1}); keep one",
                    key_node.start_mark,
                )
            seen[key] = key_node
        return super().construct_mapping(node, deep=deep)


def read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(
            [Issue(str(path), "", MISSING, f"cannot read the file: {exc.strerror or exc}")]
        ) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        try:
            raw.decode("cp949")
            guess = "it looks like Korean text saved as EUC-KR/CP949; "
        except UnicodeDecodeError:
            guess = ""
        raise InputError(
            [
                Issue(
                    str(path),
                    f"line {line}, byte {exc.start + 1}",
                    raw[exc.start : exc.end],
                    f"not UTF-8 text ({exc.reason}); {guess}save the file as UTF-8",
                )
            ]
        ) from None


def is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:  # a name too long for the file system, say
        return False


def is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:
        return False


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
