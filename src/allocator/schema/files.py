"""Reading a file of any kind safely: UTF-8 text, YAML with no duplicate keys and no tags, a file's
hash for the manifest. Every problem becomes a located `Issue`."""

from __future__ import annotations

import hashlib
import os
import re
import stat
from difflib import get_close_matches
from pathlib import Path
from typing import Any

import yaml

from allocator.errors import MISSING, InputError, Issue

REQUIRED = {
    "instance": "name, years, pillars, budget and lines",
    "model": "name (and usually objective and rules)",
    "scenario": "name and changes",
}
"""The keys a file of each kind must have, for messages about empty or misshapen files."""

MAX_BYTES = 256 * 2**20
"""The largest file allocator reads (256 MiB); instances with big tables are far smaller."""


def near(path: Path) -> str:
    """Help for a file that is not there: the closest names in its folder ("did you mean
    scenarios/budget-2026-minus-10.yaml?"), or the folder's YAML files."""
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


def read_yaml(path: Path, kind: str, *, quote: bool = True) -> dict[str, Any]:
    """A YAML file of `kind` as a mapping. `quote=False` for a file another file named (an
    instance's `model:`): its contents are then never shown in a message."""
    check_readable(path)
    text = read_text(path)
    try:
        data = load_yaml_text(text)
    except yaml.MarkedYAMLError as exc:
        issue = _yaml_issue(path, text, exc)
        if not quote:
            issue = Issue(issue.file, issue.path, MISSING, issue.problem)
        raise InputError([issue]) from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow (NUL, say)
        char = chr(exc.character) if isinstance(exc.character, int) else str(exc.character)
        line = text[: exc.position].count("\n") + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        raise InputError(
            [
                Issue(
                    str(path),
                    f"line {line}, column {column}",
                    MISSING,
                    f"not valid YAML: the character {char!r} is not allowed in YAML; remove it",
                )
            ]
        ) from None
    except (yaml.YAMLError, ValueError, RecursionError) as exc:
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
                    data if quote else MISSING,
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
    plain = isinstance(exc, _DuplicateKey | yaml.composer.ComposerError) or "digits" in problem
    hint = "" if plain else "; check brackets, quotes and indentation"
    return Issue(str(path), where, shown or MISSING, f"not valid YAML: {problem}{context}{hint}")


class _DuplicateKey(yaml.constructor.ConstructorError):
    """A key given twice in one mapping (PyYAML would silently keep the last)."""


MAX_DEPTH = 64
"""How deeply a YAML file (or a workbook's JSON cell) may nest lists and mappings, aliases
followed; instance and model files need about six levels."""
MAX_ALIAS_NODES = 100_000
"""How many values aliases (`*name`) may add to a YAML file when followed: enough for any
shared block of defaults, too few for an alias bomb (a small file that expands to billions)."""
MAX_DIGITS = 4000
"""The most digits a YAML integer may have (Python refuses to read longer ones)."""


class _Checks:
    """What both loaders add to PyYAML's safe constructor: a key given twice in one mapping
    refused, nesting depth and alias expansion bounded before anything is constructed, merge
    keys (`<<: *defaults`) read with the mapping's own keys overriding them, and no integer of
    more than `MAX_DIGITS` digits."""

    def get_single_data(self) -> Any:
        node = self.get_single_node()  # type: ignore[attr-defined]
        if node is None:
            return None
        self.bound(node)
        return self.construct_document(node)  # type: ignore[attr-defined]

    def bound(self, node: yaml.Node) -> None:
        _check_expansion(node)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, yaml.Node] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=deep)  # type: ignore[attr-defined]
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
        self.flatten_mapping(node)  # type: ignore[attr-defined]
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)  # type: ignore[misc]
        return mapping

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        digits = sum(ch.isdigit() for ch in str(node.value))
        if digits > MAX_DIGITS:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"a whole number with {digits:,} digits; figures in allocator files are below "
                "1e15 in size",
                node.start_mark,
            )
        value: int = super().construct_yaml_int(node)  # type: ignore[misc]
        return value


class _UniqueKeyLoader(_Checks, yaml.SafeLoader):
    """PyYAML's pure-Python safe loader with `_Checks`; it counts nesting depth while it
    composes, so a file nested thousands deep is refused at the 65th level."""

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        depth = getattr(self, "_depth", 0)
        if depth >= MAX_DEPTH:
            raise yaml.composer.ComposerError(
                None,
                None,
                f"the file nests lists and mappings more than {MAX_DEPTH} levels deep; "
                "an instance or model needs only a few",
                self.peek_event().start_mark,
            )
        self._depth = depth + 1
        try:
            node: yaml.Node | None = super().compose_node(parent, index)
            return node
        finally:
            self._depth = depth


_UniqueKeyLoader.add_constructor(
    "tag:yaml.org,2002:int",
    _UniqueKeyLoader.construct_yaml_int,  # type: ignore[type-var]
)

_CSafeLoader: Any = getattr(yaml, "CSafeLoader", None)
"""libyaml's safe loader (scanner, parser and composer in C), or None where PyYAML was built
without libyaml."""

if _CSafeLoader is not None:

    class _UniqueKeyCLoader(_Checks, _CSafeLoader):
        """libyaml's C loader with `_Checks`. libyaml composes the whole node graph in C (it
        refuses nesting beyond 1,000 levels itself); the graph is then checked for depth and
        alias expansion before anything is constructed. On any error the file is read again
        by `_UniqueKeyLoader`, whose message (PyYAML's wording, located) is the one shown."""

        anchored = True
        """Whether the text may hold an anchor and an alias to it; without, no node is shared,
        and a walk level by level bounds the depth."""

        def bound(self, node: yaml.Node) -> None:
            if self.anchored:
                _check_expansion(node)
            else:
                _check_depth(node)

    _UniqueKeyCLoader.add_constructor("tag:yaml.org,2002:int", _UniqueKeyCLoader.construct_yaml_int)


def _check_expansion(root: yaml.Node) -> None:
    """Refuse a node graph whose aliases, followed, nest too deep, recurse, or add more than
    `MAX_ALIAS_NODES` values (counted without expanding anything). Each mapping and list is
    visited once, children first; a scalar (most of a file) counts one value a level deep where
    it is referred to, and is told apart from the others by its id only once, at the end."""
    if isinstance(root, yaml.ScalarNode):
        return
    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    collections = 0
    scalars: list[int] = []
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    visiting: set[int] = set()
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            visiting.discard(key)
            total, deepest = 1, 0
            for child in _children(node):
                if isinstance(child, yaml.ScalarNode):
                    total += 1
                    deepest = deepest or 1
                else:
                    total += size[id(child)]
                    deepest = max(deepest, depth[id(child)])
            size[key], depth[key] = total, deepest + 1
            if deepest + 1 > MAX_DEPTH:
                raise _limit(
                    node,
                    f"followed through its aliases, the file nests more than "
                    f"{MAX_DEPTH} levels deep",
                )
            continue
        if key in size:
            continue
        if key in visiting:
            raise _limit(node, "an alias refers to the mapping or list that holds it (a loop)")
        visiting.add(key)
        collections += 1
        stack.append((node, True))
        for child in _children(node):
            if isinstance(child, yaml.ScalarNode):
                scalars.append(id(child))
            elif id(child) not in size:
                stack.append((child, False))
    written = collections + len(set(scalars))
    added = size[id(root)] - written
    if added > MAX_ALIAS_NODES:
        raise _limit(
            root,
            f"its aliases (*name) expand to {size[id(root)]:,} values, {added:,} more than "
            f"written; at most {MAX_ALIAS_NODES:,} values may come from aliases (an alias bomb?)",
        )


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _limit(node: yaml.Node, problem: str) -> yaml.MarkedYAMLError:
    return yaml.composer.ComposerError(None, None, problem, node.start_mark)


def _check_depth(root: yaml.Node) -> None:
    """Refuse a node tree (no aliases) nesting more than `MAX_DEPTH` levels, level by level."""
    level = [root]
    depth = 0
    while level:
        depth += 1
        if depth > MAX_DEPTH:
            raise _limit(
                level[0], f"the file nests lists and mappings more than {MAX_DEPTH} levels"
            )
        below: list[yaml.Node] = []
        for node in level:
            value = node.value
            if isinstance(value, list):
                if isinstance(node, yaml.MappingNode):
                    for pair in value:
                        below += pair
                else:
                    below += value
        level = below


_ANCHOR = re.compile(r"(?:^|\W)&[^\s\[\]{},]")
_ALIAS = re.compile(r"(?:^|\W)\*[^\s\[\]{},]")


def may_share_nodes(text: str) -> bool:
    """Whether YAML `text` may hold an anchor and an alias to it, the only way two places share a
    node: each indicator not inside a word (`R&D`, `2*x` are text) and followed by a name
    (`a & b`, `0.2 * (x)` are text); a token always starts after a space, a line's start or an
    indicator (`[`, `{`, `,`, `-`, `:`)."""
    return bool(_ANCHOR.search(text) and _ALIAS.search(text))


LOADERS: dict[str, Any] = {"python": _UniqueKeyLoader}
"""The YAML loaders available: `python` (PyYAML's own) always, `c` (libyaml's) where present."""
if _CSafeLoader is not None:
    LOADERS["c"] = _UniqueKeyCLoader
LOADER = "c" if "c" in LOADERS else "python"
"""The loader files are read with: libyaml's where present (about five times faster)."""


def load_yaml_text(text: str, loader: str | None = None) -> Any:
    """YAML text (a file's, or a workbook's cell) read with the checks and limits of `_Checks`;
    raises `yaml.YAMLError`. `loader` (`c` or `python`, default `LOADER`) says which parser
    reads it; both accept and refuse the same files with the same messages."""
    chosen = LOADERS[loader or LOADER]
    if chosen is _UniqueKeyLoader:
        return yaml.load(text, Loader=_UniqueKeyLoader)
    reader = chosen(text)
    reader.anchored = may_share_nodes(text)
    try:
        return reader.get_single_data()
    except (yaml.YAMLError, ValueError, RecursionError):
        pass  # read again below, for PyYAML's located message
    finally:
        reader.dispose()
    return yaml.load(text, Loader=_UniqueKeyLoader)


def check_readable(path: Path) -> None:
    """Refuse, before opening it, anything but a regular file of at most `MAX_BYTES`: a missing
    file, a folder, a FIFO or device (reading one could block or never end)."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise InputError([Issue(str(path), "", MISSING, f"file not found; {near(path)}")]) from None
    except OSError as exc:  # a name too long for the file system, a loop of links, ...
        raise InputError(
            [Issue(str(path), "", MISSING, f"cannot read the file: {exc.strerror or exc}")]
        ) from None
    if stat.S_ISDIR(info.st_mode):
        raise InputError([Issue(str(path), "", MISSING, "a folder, not a file; check the path")])
    if not stat.S_ISREG(info.st_mode):
        raise InputError(
            [Issue(str(path), "", MISSING, f"{file_kind(info.st_mode)}, not a file; name a file")]
        )
    if info.st_size > MAX_BYTES:
        raise InputError(
            [
                Issue(
                    str(path),
                    "",
                    MISSING,
                    f"the file is {info.st_size / 2**20:,.0f} MiB; allocator reads files of at "
                    f"most {MAX_BYTES // 2**20} MiB",
                )
            ]
        )


def file_kind(mode: int) -> str:
    """What a file that is not a regular file is, in words."""
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "not a regular file"


def describe(path: Path) -> str:
    """`file not found`, `a folder`, `a FIFO (named pipe)`, ... or `a file`."""
    try:
        info = os.stat(path)
    except OSError:
        return "file not found"
    return "a file" if stat.S_ISREG(info.st_mode) else file_kind(info.st_mode)


def allowed_outside(allow: bool | None = None) -> bool:
    """Whether files an instance names may lie outside its folder: `allow` when given, else the
    environment variable ALLOCATOR_ALLOW_OUTSIDE (set by `--allow-outside`)."""
    if allow is not None:
        return allow
    return os.environ.get("ALLOCATOR_ALLOW_OUTSIDE", "") not in ("", "0")


def reference(
    base: Path, name: str, *, roots: list[Path], allow: bool, what: str
) -> tuple[Path, str | None]:
    """The file `name` (relative to the folder `base`) and, when it lies outside every folder
    of `roots` (links followed) and that is not allowed, why it is refused (`what`: "CSV tables
    are read", say)."""
    target = base / name
    real = Path(os.path.realpath(target))
    if allow or any(real.is_relative_to(os.path.realpath(r)) for r in roots):
        return target, None
    places = " or ".join(os.path.realpath(r) for r in roots)
    return target, (
        f"{target} lies outside {places}; {what} from there only (so a file cannot "
        "quietly read another part of the disk): move the file there, or allow files elsewhere "
        "with --allow-outside (API: allow_outside=True; environment ALLOCATOR_ALLOW_OUTSIDE=1)"
    )


def read_text(path: Path) -> str:
    check_readable(path)
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
    check_readable(path)
    return hashlib.sha256(path.read_bytes()).hexdigest()
