"""`alurc lineage` output: the upstream tree of one column as text, Graphviz dot or mermaid.

The tree is `graphs.upstream_columns`: {column, via, upstream: [...]}, `column` being
`table.column`. As a graph, every column is one node (a column reached twice is drawn
once) and every edge runs from the upstream column to the one computed from it, labelled
with the job that computes it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

Edge = tuple[str, str, str]  # upstream column, column, via


def render_text(tree: dict[str, Any]) -> str:
    return "\n".join(_text_lines(tree, 0))


def _text_lines(node: dict[str, Any], depth: int) -> Iterator[str]:
    via = f"  (via {node['via']})" if node.get("via") else ""
    yield "  " * depth + ("└─ " if depth else "") + f"{node['column']}{via}"
    for child in node.get("upstream", []):
        yield from _text_lines(child, depth + 1)


def columns_and_edges(tree: dict[str, Any]) -> tuple[dict[str, str], list[Edge]]:
    """Every column once (in the order first met) with its label, and every edge once. A
    column with no upstream column keeps its `via` in its label (the file it comes from)."""
    columns: dict[str, str] = {}
    edges: dict[Edge, None] = {}

    def walk(node: dict[str, Any]) -> None:
        name, via = str(node["column"]), str(node.get("via") or "")
        upstream = node.get("upstream", [])
        columns.setdefault(name, f"{name}\n({via})" if via and not upstream else name)
        for child in upstream:
            edges.setdefault((str(child["column"]), name, via))
            walk(child)

    walk(tree)
    return columns, list(edges)


def _dot_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def render_dot(tree: dict[str, Any]) -> str:
    columns, edges = columns_and_edges(tree)
    lines = ["digraph lineage {", "  rankdir=LR;", "  node [shape=box];"]
    root = str(tree["column"])
    for column, label in columns.items():
        style = ", style=bold" if column == root else ""
        lines.append(f"  {_dot_string(column)} [label={_dot_string(label)}{style}];")
    for upstream, column, via in edges:
        label = f" [label={_dot_string(via)}]" if via else ""
        lines.append(f"  {_dot_string(upstream)} -> {_dot_string(column)}{label};")
    lines.append("}")
    return "\n".join(lines)


def _mermaid_label(text: str) -> str:
    """A label inside `["..."]`: quotes and the characters mermaid reads as markup become
    entity codes (`#quot;`), so any column or job name is inert."""
    out = []
    for ch in text:
        out.append(f"#{ord(ch)};" if ch in '"#<>`' else ch)
    return "".join(out).replace("\n", "<br/>")


def render_mermaid(tree: dict[str, Any]) -> str:
    columns, edges = columns_and_edges(tree)
    ids = {column: f"c{i}" for i, column in enumerate(columns)}
    lines = ["flowchart LR"]
    for column, label in columns.items():
        lines.append(f'  {ids[column]}["{_mermaid_label(label)}"]')
    for upstream, column, via in edges:
        label = f'|"{_mermaid_label(via)}"|' if via else ""
        lines.append(f"  {ids[upstream]} -->{label} {ids[column]}")
    return "\n".join(lines)
