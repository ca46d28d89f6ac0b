"""YAML with positions: compose nodes with PyYAML, build plain values and a span map.

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
from alur_compiler.load.source import ScalarLoc, SourceDoc, pointer

try:  # the C composer is ~5x faster; PyYAML wheels ship it
    _Base: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover
    _Base = yaml.SafeLoader


class _Loader(_Base):  # type: ignore[valid-type,misc]
    """Skips PyYAML's implicit tag resolution: `_scalar` decides types itself."""

    def resolve(self, kind: type, value: object, implicit: object) -> str:
        if kind is yaml.ScalarNode:
            return "tag:yaml.org,2002:str"
        return "tag:yaml.org,2002:seq" if kind is yaml.SequenceNode else "tag:yaml.org,2002:map"


_TAG = "tag:yaml.org,2002:"
_INT = re.compile(r"^[-+]?(0|[1-9][0-9_]*)$")
_FLOAT = re.compile(
    r"^[-+]?([0-9][0-9_]*)?\.[0-9]+([eE][-+]?[0-9]+)?$|^[-+]?[0-9]+[eE][-+]?[0-9]+$"
)


def _pos(node: yaml.Node) -> tuple[int, int, int, int]:
    s, e = node.start_mark, node.end_mark
    if e.line > s.line and e.column == 0:  # block values end at the start of the next line
        return (s.line + 1, s.column + 1, e.line, 1)
    return (s.line + 1, s.column + 1, e.line + 1, e.column or 1)


def _scalar(node: yaml.ScalarNode) -> Any:
    value = node.value
    tag = node.tag
    if node.style in ("'", '"', "|", ">"):
        return value
    if tag == _TAG + "null" or value in ("", "~", "null", "Null", "NULL"):
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


class _Builder:
    def __init__(self, doc: SourceDoc, lines: list[str], diags: Diagnostics) -> None:
        self.doc = doc
        self.lines = lines
        self.diags = diags

    def build(self, node: yaml.Node, ptr: str, depth: int = 0) -> Any:
        self.doc.value_spans[ptr] = _pos(node)
        if depth > 64:
            self.diags.report(
                codes.YAML_UNSUPPORTED,
                "nesting deeper than 64 levels",
                self.doc.span_of(ptr),
                hint="specs are shallow; check the indentation",
            )
            return None
        if isinstance(node, yaml.ScalarNode):
            value = _scalar(node)
            if isinstance(value, str):
                self._record_scalar(ptr, node)
            return value
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, f"{ptr}/{i}", depth + 1) for i, item in enumerate(node.value)]
        assert isinstance(node, yaml.MappingNode)
        return self._mapping(node, ptr, depth)

    def _mapping(self, node: yaml.MappingNode, ptr: str, depth: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        first: dict[str, tuple[int, int, int, int]] = {}
        for key_node, value_node in node.value:
            key_pos = _pos(key_node)
            if not isinstance(key_node, yaml.ScalarNode):
                key_span = Span(self.doc.path, *key_pos)
                self.diags.report(
                    codes.YAML_UNSUPPORTED, "mapping keys must be plain names", key_span
                )
                continue
            key = key_node.value
            if key == "<<":
                self.diags.report(
                    codes.YAML_UNSUPPORTED,
                    "YAML merge keys (<<) are not supported in specs",
                    Span(self.doc.path, *key_pos),
                    hint="write the keys out; defaults belong in alur.yaml `defaults`",
                )
                continue
            if key in first:
                self.diags.report(
                    codes.DUPLICATE_KEY,
                    f"duplicate key '{key}'",
                    Span(self.doc.path, *key_pos),
                    hint="remove one of them; YAML would silently keep only the last",
                    notes=(("first defined here", Span(self.doc.path, *first[key])),),
                )
                continue
            first[key] = key_pos
            child = f"{ptr}/{pointer((key,))[1:]}" if ("/" in key or "~" in key) else f"{ptr}/{key}"
            self.doc.key_spans[child] = key_pos
            out[key] = self.build(value_node, child, depth + 1)
        return out

    def _record_scalar(self, ptr: str, node: yaml.ScalarNode) -> None:
        mark = node.start_mark
        if node.style in ("|", ">"):
            line = mark.line + 1  # 0-based index of the first content line
            while line < len(self.lines) and not self.lines[line].strip():
                line += 1
            text = self.lines[line] if line < len(self.lines) else ""
            indent = len(text) - len(text.lstrip(" "))
            self.doc.scalars[ptr] = ScalarLoc(line + 1, indent + 1, True)
        else:
            quoted = 1 if node.style in ("'", '"') else 0
            self.doc.scalars[ptr] = ScalarLoc(mark.line + 1, mark.column + 1 + quoted, False)


def _yaml_error_span(path: str, exc: yaml.YAMLError, text: str) -> Span:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    context = getattr(exc, "context_mark", None)
    if mark is not None and context is not None and mark.line >= len(text.splitlines()):
        mark = context  # reached the end of the file: point where the open construct began
    if mark is None:
        return Span(path, 1, 1, 1, 1)
    return Span(path, mark.line + 1, mark.column + 1, mark.line + 1, mark.column + 1)


def _yaml_error_message(exc: yaml.YAMLError) -> str:
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context = getattr(exc, "context", None)
    msg = f"{context}, {problem}" if context else str(problem)
    return msg.replace("\t", "\\t")


def parse_documents(text: str, path: str, abspath: str, diags: Diagnostics) -> list[SourceDoc]:
    """Parse every document of one file; YAML errors become AL101 and yield no documents."""
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
    lines = text.splitlines()
    docs: list[SourceDoc] = []
    for index, node in enumerate(nodes):
        if node is None:
            continue
        doc = SourceDoc(path=path, abspath=abspath, index=index, data=None)
        doc.data = _Builder(doc, lines, diags).build(node, "")
        if doc.data is None:
            continue
        docs.append(doc)
    return docs
