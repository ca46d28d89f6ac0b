"""YAML with positions: compose nodes with PyYAML, build plain values and their positions.

Why not plain `yaml.safe_load`: it forgets where values came from, silently keeps the last
of two duplicate keys, and applies YAML 1.1 surprises (`NO` -> False, `2026-01-01` ->
date). Here only `true`/`false` are booleans, timestamps stay strings, duplicate keys and
merge keys are diagnostics.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from alur_compiler.diagnostics import Diagnostics, Span, codes
from alur_compiler.load.limits import (
    DEPTH_HINT,
    Limits,
    depth_message,
    limits_from_env,
    needs_prescan,
    prescan,
)
from alur_compiler.load.source import Pos, SourceDoc, node_pos, source_lines

try:  # the C composer is ~5x faster; PyYAML wheels ship it
    _Base: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover
    _Base = yaml.SafeLoader


class _Loader(_Base):  # type: ignore[valid-type,misc]
    """Skips PyYAML's implicit tag resolution: `scalar_value` decides types itself."""

    def resolve(self, kind: type, value: object, implicit: object) -> str:
        if kind is yaml.ScalarNode:
            return "tag:yaml.org,2002:str"
        return "tag:yaml.org,2002:seq" if kind is yaml.SequenceNode else "tag:yaml.org,2002:map"


_TAG = "tag:yaml.org,2002:"
_INT = re.compile(r"^[-+]?(0|[1-9][0-9_]*)$")
_FLOAT = re.compile(
    r"^[-+]?([0-9][0-9_]*)?\.[0-9]+([eE][-+]?[0-9]+)?$|^[-+]?[0-9]+[eE][-+]?[0-9]+$"
)


def scalar_value(node: yaml.ScalarNode) -> Any:
    """The value of a scalar: strings unless plainly null, a boolean or a number."""
    value = node.value
    if node.style in ("'", '"', "|", ">"):
        return value
    if node.tag == _TAG + "null" or value in ("", "~", "null", "Null", "NULL"):
        return None
    if value in ("true", "True", "TRUE"):
        return True
    if value in ("false", "False", "FALSE"):
        return False
    if _INT.match(value):
        return int(value.replace("_", ""))
    if _FLOAT.match(value):
        return float(value.replace("_", ""))
    if value.lower() in (".inf", "+.inf"):
        return float("inf")
    if value.lower() == "-.inf":
        return float("-inf")
    return value


def _at(node: yaml.Node, kind: str) -> Pos:
    """A scalar's Pos: node_pos's four numbers and `kind`, made in one tuple (this runs for
    every scalar and key of the project)."""
    start, end = node.start_mark, node.end_mark
    if end.line > start.line and end.column == 0:
        return (start.line + 1, start.column + 1, end.line, 1, kind)
    return (start.line + 1, start.column + 1, end.line + 1, end.column or 1, kind)


class _Builder:
    """Plain values from composed nodes and, in the same walk, where each value is
    (source.Pos): the node tree itself is not kept."""

    def __init__(self, path: str, diags: Diagnostics, limits: Limits, lines: list[str]) -> None:
        self.path = path
        self.lines = lines
        self.diags = diags
        self.limits = limits
        self.too_deep = False

    def build(self, node: yaml.Node) -> tuple[Any, Pos | None]:
        """The document's values and their positions."""
        return self._build(node, 0)

    def _build(self, node: yaml.Node, depth: int) -> tuple[Any, Pos | None]:
        if type(node) is yaml.ScalarNode:
            value = scalar_value(node)
            style = node.style
            if style in ("|", ">"):
                return value, (*node_pos(node), style, *self._content(node))
            return value, _at(node, (style or "p") if type(value) is str else "")
        if depth >= self.limits.max_depth:
            line, col, _, _ = node_pos(node)
            span = Span(self.path, line, col)
            self.diags.report(
                codes.YAML_TOO_DEEP, depth_message(self.limits), span, hint=DEPTH_HINT
            )
            self.too_deep = True
            return None, None
        if type(node) is yaml.SequenceNode:
            values: list[Any] = []
            where: list[Pos | None] = []
            for item in node.value:
                value, pos = self._build(item, depth + 1)
                values.append(value)
                where.append(pos)
            return values, (*node_pos(node), tuple(where))
        assert isinstance(node, yaml.MappingNode)
        return self._mapping(node, depth)

    def _content(self, node: yaml.ScalarNode) -> tuple[int, int]:
        """A block scalar's first content line and that line's indent column (1-based)."""
        lines = self.lines
        line = node.start_mark.line + 1  # 0-based index of the line after the indicator
        while line < len(lines) and not lines[line].strip():
            line += 1
        text = lines[line] if line < len(lines) else ""
        return line + 1, len(text) - len(text.lstrip(" ")) + 1

    def _mapping(self, node: yaml.MappingNode, depth: int) -> tuple[dict[str, Any], Pos]:
        out: dict[str, Any] = {}
        first: dict[str, tuple[Pos, Pos | None]] = {}
        for key_node, value_node in node.value:
            if type(key_node) is not yaml.ScalarNode:
                self.diags.report(
                    codes.YAML_UNSUPPORTED,
                    "mapping keys must be plain names",
                    Span(self.path, *node_pos(key_node)),
                )
                continue
            key = key_node.value
            if key == "<<":
                self.diags.report(
                    codes.YAML_UNSUPPORTED,
                    "YAML merge keys (<<) are not supported in specs",
                    Span(self.path, *node_pos(key_node)),
                    hint="write the keys out; defaults belong in alur.yaml `defaults`",
                )
                continue
            if key in first:
                self.diags.report(
                    codes.DUPLICATE_KEY,
                    f"duplicate key '{key}'",
                    Span(self.path, *node_pos(key_node)),
                    hint="remove one of them; YAML would silently keep only the last",
                    notes=(("first defined here", Span(self.path, *first[key][0][:4])),),
                )
                continue
            out[key], pos = self._build(value_node, depth + 1)
            first[key] = (_at(key_node, "p"), pos)
        return out, (*node_pos(node), first)


def _yaml_error_span(path: str, exc: yaml.YAMLError, text: str) -> Span:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    context = getattr(exc, "context_mark", None)
    if mark is not None and context is not None and mark.line >= len(source_lines(text)):
        mark = context  # reached the end of the file: point where the open construct began
    if mark is None:
        return Span(path, 1, 1, 1, 1)
    return Span(path, mark.line + 1, mark.column + 1, mark.line + 1, mark.column + 1)


def _yaml_error_message(exc: yaml.YAMLError) -> str:
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context = getattr(exc, "context", None)
    msg = f"{context}, {problem}" if context else str(problem)
    return msg.replace("\t", "\\t")


def parse_documents(
    text: str, path: str, abspath: str, diags: Diagnostics, limits: Limits | None = None
) -> list[SourceDoc]:
    """Parse every document of one file; YAML errors become AL101 and yield no documents.

    A file past a limit (load/limits.py: nesting, nodes after alias expansion) yields no
    documents either, and is never composed.
    """
    limits = limits or limits_from_env()
    if needs_prescan(text, limits):
        hit = prescan(text, limits, _Loader)
        if hit is not None:
            hit.report(path, diags)
            return []
    try:
        nodes = list(yaml.compose_all(text, Loader=_Loader))
    except yaml.YAMLError as exc:
        hint = (
            "YAML indents with spaces, never tabs"
            if "\t" in text
            else ("check the indentation and quoting around this position")
        )
        diags.report(
            codes.YAML_SYNTAX,
            _yaml_error_message(exc),
            _yaml_error_span(path, exc, text),
            hint=hint,
        )
        return []
    except RecursionError:
        diags.report(codes.YAML_UNSUPPORTED, "nesting too deep", Span(path, 1, 1, 1, 1))
        return []
    docs: list[SourceDoc] = []
    builder = _Builder(path, diags, limits, source_lines(text))
    for index, node in enumerate(nodes):
        if node is None:
            continue
        data, where = builder.build(node)
        if data is None:
            continue
        docs.append(SourceDoc(path, abspath, index, data, root=where))
    return [] if builder.too_deep else docs  # like the pre-scan: the file is not read
