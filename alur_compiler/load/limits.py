"""What one spec file may cost, checked before PyYAML composes it (specs/diagnostics.md).

PyYAML's C composer recurses once per nesting level (about 30,000 levels overflow the C
stack: a segfault, no exception), and aliases let a 1 KB file expand into 10^9 values once
plain values are built (billion laughs). So, before composing:

- the file size is read from `stat`, before the bytes are (AL109);
- a pre-scan walks libyaml's event stream (the parser is iterative, only the composer
  recurses) and stops at the first event past the nesting limit (AL110) or past the node
  budget (AL111). The budget counts the nodes of the file *after* alias expansion without
  expanding anything: each anchor's expanded size is summed once, each alias adds the size
  of what it refers to.

The pre-scan costs about half a compose, so it runs only where a cheap look at the raw text
cannot rule a limit out (`needs_prescan`): an `&` (an anchor, so aliases are possible), more
characters than the node budget (every node needs a character), or a nesting bound past what
the C composer safely recurses. Below that bound the plain-value builder enforces the same
depth limit with the same message.

Limits come from the environment, not from alur.yaml: they protect the parse of every file,
alur.yaml included, so they cannot live in a file they protect (see specs/diagnostics.md).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

import yaml

from alur_compiler.diagnostics import Diagnostics, Span, codes
from alur_compiler.diagnostics.codes import ErrorCode

#: nesting the C composer handles without risk (it crashed at ~30,000, was fine at 10,000)
SAFE_COMPOSE_DEPTH = 500
MAX_DEPTH_CEILING = 256  # the builder and the schema validator recurse in Python

ENV_MAX_BYTES = "ALURC_MAX_FILE_BYTES"
ENV_MAX_DEPTH = "ALURC_YAML_MAX_DEPTH"
ENV_MAX_NODES = "ALURC_YAML_MAX_NODES"


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 8 * 1024 * 1024  # per file
    max_depth: int = 64  # nested mappings/sequences
    max_nodes: int = 200_000  # per file, after alias expansion


def _env_int(environ: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = environ.get(name, "").strip().replace("_", "")
    if not (raw.isascii() and raw.isdigit()):
        return default
    return max(low, min(int(raw), high))


def limits_from_env(environ: Mapping[str, str] | None = None) -> Limits:
    """The limits, with ALURC_MAX_FILE_BYTES / ALURC_YAML_MAX_DEPTH / ALURC_YAML_MAX_NODES."""
    env = os.environ if environ is None else environ
    base = Limits()
    return Limits(
        max_bytes=_env_int(env, ENV_MAX_BYTES, base.max_bytes, 1, 1 << 40),
        max_depth=_env_int(env, ENV_MAX_DEPTH, base.max_depth, 1, MAX_DEPTH_CEILING),
        max_nodes=_env_int(env, ENV_MAX_NODES, base.max_nodes, 1, 1 << 40),
    )


def depth_message(limits: Limits) -> str:
    return f"nesting deeper than {limits.max_depth} levels"


DEPTH_HINT = f"specs are shallow; check the indentation and brackets (limit: {ENV_MAX_DEPTH})"

# the indentation and the chain of indicators (`- `, `? `, `: `, `--- `) that can open block
# collections on one line, with anchors and tags between them
_LINE_HEAD = re.compile(r"^[ ]*(?:(?:---|[-?:])(?:[ \t]+|$)(?:[&!][^ \t\n]*[ \t]+)*)*", re.M)
_OTHER_BREAKS = ("\r", "\x85", "\u2028", "\u2029")


def nesting_bound(text: str) -> int:
    """An upper bound of the nesting depth of `text`, from the raw characters only.

    Every flow level needs a `[` or `{`. A block collection nests deeper only at a larger
    column, except a sequence at its parent key's column (once per level), so block depth is
    at most 2 * (column + 1) of where the deepest node starts on its line.
    """
    if any(brk in text for brk in _OTHER_BREAKS):
        return SAFE_COMPOSE_DEPTH + 1  # other line breaks: let the pre-scan decide
    flow = text.count("[") + text.count("{")
    head = max((len(m) for m in _LINE_HEAD.findall(text)), default=0)
    return flow + 2 * (head + 1) + 1


def needs_prescan(text: str, limits: Limits) -> bool:
    return "&" in text or len(text) > limits.max_nodes or nesting_bound(text) > SAFE_COMPOSE_DEPTH


@dataclass(frozen=True)
class LimitHit:
    code: ErrorCode
    message: str
    line: int  # 1-based
    col: int
    hint: str

    def report(self, path: str, diags: Diagnostics) -> None:
        diags.report(self.code, self.message, Span(path, self.line, self.col), hint=self.hint)


def _at(event: yaml.Event) -> tuple[int, int]:
    """1-based (line, column) where `event` starts."""
    mark = event.start_mark
    return (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)


class _Scan:
    """State of one pre-scan: open collections, anchor sizes, counts."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.anchors: list[str | None] = []  # per open collection
        self.open_sizes: list[int] = []  # expanded size so far, per open collection
        self.sizes: dict[str, int] = {}  # anchor -> expanded size (this document)
        self.nodes = 0
        self.aliased = 0  # nodes that only exist through aliases

    def count(self, size: int, event: yaml.Event) -> LimitHit | None:
        """`size` more nodes in the expanded file; a hit once past the budget."""
        self.nodes += size
        if self.nodes <= self.limits.max_nodes:
            return None
        via = f" ({self.aliased:,} of them through aliases)" if self.aliased else ""
        return LimitHit(
            codes.YAML_TOO_MANY_NODES,
            f"this file expands to more than {self.limits.max_nodes:,} YAML values{via}",
            *_at(event),
            "aliases (*name) copy what their anchor (&name) holds; write the values out, "
            f"or split the file (limit: {ENV_MAX_NODES})",
        )

    def value(self, size: int) -> None:
        if self.open_sizes:
            self.open_sizes[-1] += size

    def scalar(self, event: yaml.ScalarEvent) -> LimitHit | None:
        if event.anchor is not None:
            self.sizes[str(event.anchor)] = 1
        self.value(1)
        return self.count(1, event)

    def alias(self, event: yaml.AliasEvent) -> LimitHit | None:
        anchor = str(event.anchor)
        size = self.sizes.get(anchor)
        if size is None:
            if anchor in self.anchors:
                return LimitHit(
                    codes.YAML_UNSUPPORTED,
                    f"alias *{anchor} refers to a collection that contains it "
                    "(a recursive structure)",
                    *_at(event),
                    "specs are trees: an alias can only repeat a value that is complete",
                )
            return None  # an undefined alias: the composer reports it as a syntax error
        self.aliased += size
        self.value(size)
        return self.count(size, event)

    def start(self, event: yaml.CollectionStartEvent) -> LimitHit | None:
        if len(self.anchors) >= self.limits.max_depth:
            return LimitHit(
                codes.YAML_TOO_DEEP,
                depth_message(self.limits),
                *_at(event),
                DEPTH_HINT,
            )
        self.anchors.append(None if event.anchor is None else str(event.anchor))
        self.open_sizes.append(1)
        return self.count(1, event)

    def end(self) -> None:
        anchor, size = self.anchors.pop(), self.open_sizes.pop()
        if anchor is not None:
            self.sizes[anchor] = size
        self.value(size)


def prescan(text: str, limits: Limits, loader: type[yaml.SafeLoader]) -> LimitHit | None:
    """The first limit `text` breaks, from libyaml's events (nothing is composed)."""
    scan = _Scan(limits)
    try:
        for event in yaml.parse(text, Loader=loader):
            hit: LimitHit | None = None
            if isinstance(event, yaml.ScalarEvent):
                hit = scan.scalar(event)
            elif isinstance(event, yaml.CollectionStartEvent):
                hit = scan.start(event)
            elif isinstance(event, yaml.CollectionEndEvent):
                scan.end()
            elif isinstance(event, yaml.AliasEvent):
                hit = scan.alias(event)
            elif isinstance(event, yaml.DocumentEndEvent):
                scan.sizes.clear()  # anchors are local to their document
            if hit is not None:
                return hit
    except yaml.YAMLError:
        return None  # composing reports the syntax error with its position
    return None
