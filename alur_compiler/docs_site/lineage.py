"""Column lineage for the site: every column's upstream and downstream closure.

The input is the compiler's `lineage.json` document (`tables`: target table -> column ->
the `table.column`s it is computed from). Every column that appears gets a node: the job
that computes it and the SQL expression it does so with (or, for a column no pipeline
computes, the ingestion that loads it), and its direct upstream columns. A column's
closure lists every column reachable upstream (or downstream), nearest first, each once,
with its distance.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

Closure = list[tuple[str, int]]  # (table.column, distance), nearest first, then by name


@dataclass
class ColumnGraph:
    up: dict[str, tuple[str, ...]] = field(default_factory=dict)
    down: dict[str, tuple[str, ...]] = field(default_factory=dict)
    via: dict[str, str] = field(default_factory=dict)  # column -> job that computes it
    expr: dict[str, str] = field(default_factory=dict)  # column -> its SQL expression

    def upstream(self, column: str) -> Closure:
        return _closure(column, self.up)

    def downstream(self, column: str) -> Closure:
        return _closure(column, self.down)

    def node(self, column: str) -> list[object]:
        """[via, expression, direct upstream columns] of one column, as the page reads it."""
        return [self.via.get(column, ""), self.expr.get(column, ""), list(self.up.get(column, ()))]


def column_graph(
    lineage_tables: Mapping[str, Mapping[str, Sequence[str]]],
    writers: Mapping[str, str],
    expressions: Mapping[str, Mapping[str, str]],
) -> ColumnGraph:
    """`writers`: table -> the job that writes it; `expressions`: table -> column -> SQL."""
    graph = ColumnGraph()
    down: dict[str, set[str]] = {}
    for table in sorted(lineage_tables):
        for column, ups in sorted(lineage_tables[table].items()):
            key = f"{table}.{column}"
            graph.up[key] = tuple(sorted(set(ups)))
            for up in graph.up[key]:
                down.setdefault(up, set()).add(key)
            exprs = expressions.get(table, {})
            if column in exprs:
                graph.expr[key] = exprs[column]
    graph.down = {key: tuple(sorted(cols)) for key, cols in sorted(down.items())}
    for key in [*graph.up, *graph.down]:
        table = key.split(".", 1)[0]
        if table in writers:
            graph.via[key] = writers[table]
    return graph


def _closure(start: str, edges: Mapping[str, Sequence[str]]) -> Closure:
    seen = {start}
    frontier = [start]
    out: Closure = []
    distance = 0
    while frontier:
        distance += 1
        found = sorted({n for col in frontier for n in edges.get(col, ()) if n not in seen})
        seen.update(found)
        out.extend((col, distance) for col in found)
        frontier = found
    return out
