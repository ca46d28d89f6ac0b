"""Dependency cycles between jobs (through SQL reads, relationship checks and `after:`),
printed as a path; an edge made by a check (not by the SQL) is named in a note."""

from __future__ import annotations

from collections.abc import Mapping
from itertools import pairwise

from alur_compiler.diagnostics import Diagnostics, Span, codes


def find_cycle(deps: dict[str, tuple[str, ...]]) -> list[str] | None:
    """One cycle as a closed path [a, b, ..., a], or None. Deterministic (sorted DFS)."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(deps.get(node, ())):
            if nxt not in deps:
                continue
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if state.get(nxt) is None:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for start in sorted(deps):
        if state.get(start) is None:
            found = visit(start)
            if found:
                return found
    return None


def check_cycles(
    deps: dict[str, tuple[str, ...]],
    spans: dict[str, Span],
    diags: Diagnostics,
    reasons: Mapping[tuple[str, str], tuple[str, Span]] | None = None,
) -> bool:
    """Report every distinct cycle (removing one edge of each); True when there was none.
    `reasons` (ir.graph.edge_reasons) explains the edges that no SQL read makes."""
    deps = {k: tuple(v) for k, v in deps.items()}
    clean = True
    for _ in range(len(deps)):
        cycle = find_cycle(deps)
        if cycle is None:
            break
        clean = False
        # "runs before" reads the other way round: deps point at predecessors
        path = " -> ".join(reversed(cycle))
        notes = [("in the cycle", spans[n]) for n in cycle[1:-1]]
        notes += _check_edges(cycle, reasons or {})
        diags.report(
            codes.CYCLE,
            f"dependency cycle: {path}",
            spans[cycle[0]],
            hint=(
                "a job reads, checks a relationship against, or runs after another job "
                "that depends on it; break the loop"
            ),
            notes=tuple(notes),
        )
        a, b = cycle[0], cycle[1]
        deps[a] = tuple(x for x in deps[a] if x != b)
    return clean


def _check_edges(
    cycle: list[str], reasons: Mapping[tuple[str, str], tuple[str, Span]]
) -> list[tuple[str, Span]]:
    """A note per edge of the cycle that a relationship check makes (a check reads the
    table another job writes, so that job runs first)."""
    notes: list[tuple[str, Span]] = []
    for job, before in pairwise(cycle):
        why, span = reasons.get((job, before), ("", Span.unknown()))
        if why.startswith("check "):
            notes.append((f"{before} runs before {job}: {why}", span))
    return notes
