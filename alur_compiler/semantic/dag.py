"""Dependency cycles between jobs (through SQL reads and `after:`), printed as a path."""

from __future__ import annotations

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
    deps: dict[str, tuple[str, ...]], spans: dict[str, Span], diags: Diagnostics
) -> bool:
    """Report every distinct cycle (removing one edge of each); True when there was none."""
    deps = {k: tuple(v) for k, v in deps.items()}
    clean = True
    for _ in range(len(deps)):
        cycle = find_cycle(deps)
        if cycle is None:
            break
        clean = False
        # "runs before" reads the other way round: deps point at predecessors
        path = " -> ".join(reversed(cycle))
        diags.report(
            codes.CYCLE,
            f"dependency cycle: {path}",
            spans[cycle[0]],
            hint="a job reads (or runs after) another job that depends on it; break the loop",
            notes=tuple(("in the cycle", spans[n]) for n in cycle[1:-1]),
        )
        a, b = cycle[0], cycle[1]
        deps[a] = tuple(x for x in deps[a] if x != b)
    return clean
