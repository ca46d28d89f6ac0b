"""What `after:` chains can and cannot do on AWS (specs/schedule.md, "Diagnostics").

- AL317 (warning): a job that never starts on its own: one of its `after:` predecessors is
  started by no schedule (no `schedule`, `enabled: false`), so the job runs only when
  someone starts that predecessor by hand; with `after_any:` (or `on_max_wait: run`,
  which starts it after any one success), when none of them starts. Reported once, at the
  root cause: jobs further down the chain are not repeated.
- AL503: a chain wider than the chain Lambda decides within its timeout: more than
  MAX_PREDECESSORS in one `after:` or `after_any:` list, or more than MAX_SUCCESSORS jobs
  after one job.

A cycle through `after:` or `after_any:` is AL305, reported with the other dependency
cycles (dag.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from alur_compiler.diagnostics import Diagnostics, codes
from alur_compiler.diagnostics.words import count
from alur_compiler.load.source import SourceDoc

#: One Lambda invocation decides every successor of the job whose run ended: per successor
#: one read per predecessor plus two writes (~5-10 ms each on DynamoDB), so 100 successors of
#: 20 predecessors each stay near 20 s, well inside the function's 60 s timeout.
MAX_PREDECESSORS = 20
MAX_SUCCESSORS = 100


def _schedule(doc: SourceDoc) -> Mapping[str, Any]:
    spec = doc.data.get("schedule")
    return spec if isinstance(spec, dict) else {}


def _chain(doc: SourceDoc) -> tuple[str, list[str]]:
    """(`after` or `after_any`, the names it lists)."""
    spec = _schedule(doc)
    for key in ("after", "after_any"):
        names = spec.get(key)
        if isinstance(names, list):
            return key, [a for a in names if isinstance(a, str)]
    return "after", []


def _after(doc: SourceDoc) -> list[str]:
    return _chain(doc)[1]


def _needs_all(doc: SourceDoc) -> bool:
    """Whether one silent predecessor silences the job: `after:` without a max_wait that
    runs it anyway (`after_any:` and `on_max_wait: run` need just one to start)."""
    spec = _schedule(doc)
    late_run = "max_wait" in spec and spec.get("on_max_wait") == "run"
    return _chain(doc)[0] == "after" and not late_run


def _why_silent(doc: SourceDoc) -> str | None:
    """Why a job never starts on its own, or None when a schedule (or chain) may start it."""
    spec = _schedule(doc)
    if not spec:
        return "has no schedule"
    if spec.get("enabled") is False:
        return "has enabled: false"
    return None


def check_never_fires(jobs: Mapping[str, SourceDoc], diags: Diagnostics) -> None:
    silent = {name: why for name, doc in jobs.items() if (why := _why_silent(doc)) is not None}
    quiet: set[str] = set()  # jobs that never start on their own because of a chain
    changed = True
    while changed:
        changed = False
        for name, doc in sorted(jobs.items()):
            after = _after(doc)
            if name in quiet or name in silent or not after:
                continue
            off = [p in silent or p in quiet for p in after]
            if all(off) or (any(off) and _needs_all(doc)):
                quiet.add(name)
                changed = True
    for name in sorted(quiet):
        _report_roots(name, jobs[name], silent, diags)


def _report_roots(name: str, doc: SourceDoc, silent: dict[str, str], diags: Diagnostics) -> None:
    key, after = _chain(doc)
    needs = "it runs after" if _needs_all(doc) else f"none of its {key} jobs starts, and"
    for i, pred in enumerate(after):
        if pred not in silent:
            continue
        diags.report(
            codes.NEVER_FIRES,
            f"'{name}' never starts on its own: {needs} '{pred}', which {silent[pred]}",
            doc.span_of(f"/schedule/{key}/{i}"),
            hint=f"give '{pred}' a schedule (cron or after:), or start it by hand "
            f"(alurc run {pred} --env ENV); '{name}' then follows",
        )


def check_chain_width(jobs: Mapping[str, SourceDoc], diags: Diagnostics) -> None:
    successors: dict[str, list[str]] = {}
    for name, doc in sorted(jobs.items()):
        after = _after(doc)
        if len(after) > MAX_PREDECESSORS:
            diags.report(
                codes.CHAIN_LIMIT,
                f"'{name}' runs after {count(len(after), 'job')}; a chain allows at most "
                f"{MAX_PREDECESSORS} in one {_chain(doc)[0]}: list",
                doc.span_of(f"/schedule/{_chain(doc)[0]}"),
                hint="chain through an intermediate job, or start the job on a cron",
            )
        for pred in after:
            successors.setdefault(pred, []).append(name)
    for pred, names in sorted(successors.items()):
        if len(names) > MAX_SUCCESSORS and pred in jobs:
            diags.report(
                codes.CHAIN_LIMIT,
                f"{count(len(names), 'job')} run after '{pred}'; a chain allows at most "
                f"{MAX_SUCCESSORS} after one job",
                jobs[pred].span_of("/name"),
                hint="split the fan-out: put some of them after an intermediate job",
            )
