"""The job DAG laid out at build time: layered by depth, ordered by the barycentre.

A job's layer is the length of the longest chain of jobs it runs after (0: none). Within
a layer jobs are ordered by the mean position of the jobs they run after, then by name,
so the layout is the same for the same project. The page draws the result as SVG; no
layout happens in the browser.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

NODE_H = 28
GAP_Y = 12
GAP_X = 60
CHAR_W = 7.2
MIN_W = 90
MAX_W = 300


def layers(deps: Mapping[str, tuple[str, ...]]) -> dict[str, int]:
    """job -> its depth (iterative: deep chains do not hit the recursion limit; an edge
    that would close a cycle, which validation rejects anyway, is ignored)."""
    depth: dict[str, int] = {}
    for start in sorted(deps):
        stack, visiting = [start], {start}
        while stack:
            name = stack[-1]
            todo = [d for d in deps.get(name, ()) if d in deps and d not in depth]
            todo = [d for d in todo if d not in visiting]
            if todo:
                stack.extend(todo)
                visiting.update(todo)
                continue
            ups = [depth[d] for d in deps.get(name, ()) if d in depth]
            depth[name] = 1 + max(ups) if ups else 0
            stack.pop()
            visiting.discard(name)
    return depth


def _width(names: list[str]) -> int:
    longest = max((len(n) for n in names), default=0)
    return int(min(MAX_W, max(MIN_W, longest * CHAR_W + 24)))


def layout(deps: Mapping[str, tuple[str, ...]], kinds: Mapping[str, str]) -> dict[str, Any]:
    """{width, height, nodes: [[name, kind, x, y, w]], edges: [[from, to]]} (indices)."""
    depth = layers(deps)
    columns: dict[int, list[str]] = {}
    for name in sorted(depth):
        columns.setdefault(depth[name], []).append(name)
    row: dict[str, int] = {}
    nodes: list[list[Any]] = []
    x = 0
    height = 0
    for level in sorted(columns):
        names = columns[level]
        ups = {n: [row[d] for d in deps.get(n, ()) if d in row] for n in names}
        names.sort(key=lambda n: (sum(ups[n]) / len(ups[n]) if ups[n] else 0.0, n))
        width = _width(names)
        for i, name in enumerate(names):
            row[name] = i
            nodes.append([name, kinds.get(name, "pipeline"), x, i * (NODE_H + GAP_Y), width])
        height = max(height, len(names) * (NODE_H + GAP_Y))
        x += width + GAP_X
    index = {node[0]: i for i, node in enumerate(nodes)}
    edges = sorted(
        [index[d], index[n]] for n in index for d in deps.get(n, ()) if d in index and d != n
    )
    return {"width": max(0, x - GAP_X), "height": height, "nodes": nodes, "edges": edges}
