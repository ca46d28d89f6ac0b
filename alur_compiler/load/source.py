"""A loaded YAML document: plain values plus where each value came from."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from alur_compiler.diagnostics.render import source_lines
from alur_compiler.diagnostics.span import Span

__all__ = ["ScalarLoc", "SourceDoc", "node_pos", "pointer", "source_lines"]


@dataclass(frozen=True)
class ScalarLoc:
    """Where a string scalar's text starts, to map offsets inside it (SQL) back to the file.

    For block scalars (`|`, `>`) `line` is the first content line and `col` its indentation
    column (1-based); for plain and quoted scalars the position of the first character.
    """

    line: int
    col: int
    block: bool


def pointer(parts: tuple[str | int, ...]) -> str:
    """RFC 6901 JSON pointer for a path of keys/indices."""
    if not parts:
        return ""
    return "/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def node_pos(node: Any) -> tuple[int, int, int, int]:
    """(line, col, end_line, end_col), 1-based, of a composed PyYAML node."""
    s, e = node.start_mark, node.end_mark
    if e.line > s.line and e.column == 0:  # block values end at the start of the next line
        return (s.line + 1, s.column + 1, e.line, 1)
    return (s.line + 1, s.column + 1, e.line + 1, e.column or 1)


#: Where a document's values are, in a form far smaller than PyYAML's node tree (a node
#: and its two marks are objects with attribute dicts; this is one tuple per value), made
#: by the loader in the same walk that builds the values (yaml_loader._Builder):
#:   scalar:   (line, col, end_line, end_col, kind)   kind: "" for a value that is not a
#:             string, else its style: "p" plain, "'" or '"' quoted; a block scalar is
#:             (line, col, end_line, end_col, "|" or ">", first content line, its indent
#:             column), both 1-based (ScalarLoc)
#:   sequence: (line, col, end_line, end_col, (item, ...))
#:   mapping:  (line, col, end_line, end_col, {key: (key scalar, value), ...})
#: Positions are node_pos's. A mapping lists the keys the values have (the first of
#: duplicate keys; no merge key, no key that is not a plain scalar).
Pos = tuple[Any, ...]


def _drop(value: Any, path: tuple[str | int, ...]) -> Any:
    """`value` with the entry at `path` removed (a new container on the way down)."""
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(value, dict) and head in value:
        if not rest:
            return {k: v for k, v in value.items() if k != head}
        return {**value, head: _drop(value[head], rest)}
    if isinstance(value, list) and isinstance(head, int) and 0 <= head < len(value):
        if not rest:
            return value[:head] + value[head + 1 :]
        return [*value[:head], _drop(value[head], rest), *value[head + 1 :]]
    return value


def _drop_node(node: Pos | None, path: tuple[str | int, ...]) -> Pos | None:
    """The same removal on a document's positions (new tuples on the way down)."""
    if not path or node is None:
        return node
    head, rest = path[0], path[1:]
    inner = node[4]
    if type(inner) is dict:
        if not isinstance(head, str) or head not in inner:
            return node
        entries = dict(inner)
        if rest:
            key, value = entries[head]
            entries[head] = (key, _drop_node(value, rest))
        else:
            del entries[head]
        return (*node[:4], entries)
    if type(inner) is tuple and isinstance(head, int) and head < len(inner):
        items = list(inner)
        if rest:
            items[head] = _drop_node(items[head], rest)
        else:
            del items[head]
        return (*node[:4], tuple(items))
    return node


def _is_span(value: Any) -> bool:
    """Whether a recorded answer is (line, col, end_line, end_col)."""
    return isinstance(value, list) and len(value) == 4 and all(type(x) is int for x in value)


def _unescape(part: str) -> str:
    return part.replace("~1", "/").replace("~0", "~") if "~" in part else part


@dataclass
class SourceDoc:
    """One YAML document of a spec file.

    `data` holds the plain values; `root` where each of them is (`Pos`), read on demand.
    """

    path: str  # as shown in diagnostics (relative to the project root when possible)
    abspath: str
    index: int  # position of the document in its file (0-based)
    data: Any
    root: Pos | None = field(default=None, compare=False, repr=False)
    #: position queries answered so far (load/parse_cache.py keeps them with the file's
    #: values): query -> answer, None when not recorded
    answers: dict[str, Any] | None = field(default=None, compare=False, repr=False)
    #: composes the node tree of a document read from the parse cache, on first need
    compose: Callable[[int], Any] | None = field(default=None, compare=False, repr=False)

    @property
    def kind(self) -> str | None:
        if isinstance(self.data, dict):
            kind = self.data.get("kind")
            return kind if isinstance(kind, str) else None
        return None

    @property
    def name(self) -> str | None:
        if isinstance(self.data, dict):
            name = self.data.get("name")
            return name if isinstance(name, str) else None
        return None

    def _root(self) -> Pos | None:
        if self.root is None and self.compose is not None:
            self.root = self.compose(self.index)
            self.compose = None
        return self.root

    def _recorded(self, query: str) -> Any:
        return None if self.answers is None else self.answers.get(query)

    def _span(self, query: str, where: tuple[Any, ...]) -> Span:
        """A Span of this file from an answer; records it (`where`: line, col, end...)."""
        if self.answers is not None:
            self.answers[query] = list(where)
        return Span(self.path, *where)

    @property
    def span(self) -> Span:
        found = self._recorded("#")
        if _is_span(found):
            return Span(self.path, *found)
        root = self._root()
        return self._span("#", (1, 1, 1, 1) if root is None else root[:4])

    def _walk(self, ptr: str) -> list[tuple[Pos | None, Pos]]:
        """(key or None, value) positions for each step of `ptr` that exists, in order."""
        chain: list[tuple[Pos | None, Pos]] = []
        node = self._root()
        for part in ptr.split("/")[1:] if ptr else []:
            inner = None if node is None else node[4]
            hit: tuple[Pos | None, Pos] | None
            if type(inner) is dict:
                hit = inner.get(_unescape(part))
            elif type(inner) is tuple and part.isdigit() and part == str(int(part)):
                index = int(part)
                hit = (None, inner[index]) if index < len(inner) else None
            else:
                hit = None
            if hit is None or hit[1] is None:
                break
            chain.append(hit)
            node = hit[1]
        return chain

    def without(self, parts: list[tuple[str | int, ...]]) -> SourceDoc:
        """A copy with the values at `parts` (mapping keys, list items) removed, from the
        values and the node tree alike, so every pointer of the copy finds its own node."""
        import copy

        data = copy.deepcopy(self.data)
        root = self._root()  # the copy's pointers are not this document's: no answers
        for path in sorted(parts, key=lambda p: tuple(map(str, p)), reverse=True):
            data = _drop(data, path)
            root = _drop_node(root, path) if root is not None else None
        return SourceDoc(self.path, self.abspath, self.index, data, root)

    def span_of(self, ptr: str, key: bool = False) -> Span:
        """Span of the value (or of its key) at `ptr`; falls back to the nearest parent."""
        query = ("k" if key else "v") + ptr
        found = self._recorded(query)
        if _is_span(found):
            return Span(self.path, *found)
        span = self._span_of(ptr, key)
        return self._span(query, (span.line, span.col, span.end_line, span.end_col))

    def _span_of(self, ptr: str, key: bool) -> Span:
        chain = self._walk(ptr)
        steps = len(ptr.split("/")) - 1 if ptr else 0
        if len(chain) == steps and chain:
            key_node, value_node = chain[-1]
            if not key:
                return Span(self.path, *value_node[:4])
            if key_node is not None:
                return Span(self.path, *key_node[:4])
            chain = chain[:-1]  # a list item has no key: its parent value
        elif len(chain) == steps and key:
            return self.span  # the document itself has no key
        return Span(self.path, *chain[-1][1][:4]) if chain else self.span

    def scalar_loc(self, ptr: str) -> ScalarLoc | None:
        """Where the text of the string value at `ptr` starts (None: not a string)."""
        found = self._recorded("s" + ptr)
        if type(found) is int and found == 0:  # recorded: not a string
            return None
        if isinstance(found, list) and [type(x) for x in found] == [int, int, bool]:
            return ScalarLoc(found[0], found[1], found[2])
        loc = self._scalar_loc(ptr)
        if self.answers is not None:
            self.answers["s" + ptr] = 0 if loc is None else [loc.line, loc.col, loc.block]
        return loc

    def _scalar_loc(self, ptr: str) -> ScalarLoc | None:
        chain = self._walk(ptr)
        steps = len(ptr.split("/")) - 1 if ptr else 0
        node = chain[-1][1] if chain and len(chain) == steps else None
        kind = None if node is None else node[4]
        if type(kind) is not str or not kind:  # not a scalar, or not a string
            return None
        assert node is not None
        if kind in ("|", ">"):
            return ScalarLoc(node[5], node[6], True)
        quoted = 1 if kind in ("'", '"') else 0
        return ScalarLoc(node[0], node[1] + quoted, False)

    def span_in_scalar(self, ptr: str, line: int, col: int, length: int = 1) -> Span:
        """Span of the 1-based (line, col) position inside the string value at `ptr`."""
        loc = self.scalar_loc(ptr)
        if loc is None:
            return self.span_of(ptr)
        if line <= 1:
            start_col = loc.col + col - 1
            return Span(self.path, loc.line, start_col, loc.line, start_col + length - 1)
        file_line = loc.line + line - 1
        file_col = (loc.col + col - 1) if loc.block else col
        return Span(self.path, file_line, file_col, file_line, file_col + length - 1)
