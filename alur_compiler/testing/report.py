"""Render `alurc test` results: text lines, JSON, GitHub annotations, JUnit XML."""

from __future__ import annotations

import json
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from alur_compiler.diagnostics.words import count
from alur_compiler.testing.diff import RowDiff
from alur_compiler.testing.execute import TestResult
from alur_compiler.testing.suite import TestRun

_WORD = {"passed": "PASS", "failed": "FAIL", "error": "ERROR"}


def result_lines(result: TestResult, color: bool = False) -> list[str]:
    """`PASS name (job, 1.2s)` and, for a failure, its location and diff indented."""
    word = _WORD[result.status]
    if color:
        style = "32" if result.status == "passed" else "31"
        word = f"\x1b[{style};1m{word}\x1b[0m"
    head = f"{word} {result.name} ({result.job}, {result.seconds:.2f}s)"
    if result.status == "passed":
        return [head]
    where = f"  at {result.file}:{result.line}:{result.col}"
    return [head, where, *("    " + line for line in result.lines())]


def summary(run: TestRun) -> str:
    counts: dict[str, int] = {}
    for r in run.results:
        counts[r.status] = counts.get(r.status, 0) + 1
    parts = [f"{counts[s]} {s}" for s in ("passed", "failed", "error") if counts.get(s)]
    per = run.seconds / len(run.results) if run.results else 0.0
    return (
        f"{count(len(run.results), 'test')}: {', '.join(parts) or 'none run'} in "
        f"{run.seconds:.2f}s ({per:.2f}s per test; Spark started in {run.spark_seconds:.2f}s)"
    )


def _diff_json(diff: RowDiff) -> dict[str, Any]:
    return {
        "what": diff.what,
        "columns": list(diff.columns),
        "key": list(diff.key),
        "matched": diff.matched,
        "missing": [dict(zip(diff.columns, row, strict=True)) for row in diff.missing],
        "unexpected": [dict(zip(diff.columns, row, strict=True)) for row in diff.unexpected],
        "changed": [
            {
                "key": dict(zip(diff.key, change.key, strict=True)),
                "cells": [{"column": c, "expected": e, "actual": a} for c, e, a in change.cells],
            }
            for change in diff.changed
        ],
    }


def render_json(run: TestRun) -> str:
    tests = [
        {
            "name": r.name,
            "job": r.job,
            "file": r.file,
            "line": r.line,
            "col": r.col,
            "status": r.status,
            "seconds": r.seconds,
            "problems": r.problems,
            "diffs": [_diff_json(d) for d in r.diffs],
            "error": r.error,
        }
        for r in run.results
    ]
    totals = {s: sum(r.status == s for r in run.results) for s in ("passed", "failed", "error")}
    from alur_compiler.diagnostics.render import render_json as diagnostics_json

    body = {
        "diagnostics": json.loads(diagnostics_json(run.diagnostics.sorted()))["diagnostics"],
        "tests": tests,
        "summary": {
            **totals,
            "total": len(run.results),
            "seconds": run.seconds,
            "spark_seconds": run.spark_seconds,
        },
    }
    return json.dumps(body, indent=2)


def _github_escape(text: str, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


def render_github(run: TestRun) -> str:
    """One `::error` workflow command per failed test, at its `name:` line."""
    out = []
    for r in run.results:
        if r.status == "passed":
            continue
        props = ",".join(
            (
                f"file={_github_escape(r.file, True)}",
                f"line={r.line}",
                f"col={r.col}",
                f"title={_github_escape(f'alurc test {r.name}', True)}",
            )
        )
        message = _github_escape("\n".join([f"{r.name} {r.status}", *r.lines()]))
        out.append(f"::error {props}::{message}")
    out.append(summary(run))
    return "\n".join(out)


def render_junit(run: TestRun) -> str:
    """JUnit XML (one testsuite, one testcase per test, classname = the job)."""
    failures = sum(r.status == "failed" for r in run.results)
    errors = sum(r.status == "error" for r in run.results)
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<testsuites tests="{len(run.results)}" failures="{failures}" errors="{errors}" '
        f'time="{run.seconds:.3f}">',
        f'  <testsuite name="alurc" tests="{len(run.results)}" failures="{failures}" '
        f'errors="{errors}" time="{run.seconds:.3f}">',
    ]
    for r in run.results:
        attrs = (
            f"classname={quoteattr(r.job)} name={quoteattr(r.name)} "
            f'file={quoteattr(r.file)} line="{r.line}" time="{r.seconds:.3f}"'
        )
        if r.status == "passed":
            lines.append(f"    <testcase {attrs}/>")
            continue
        tag = "failure" if r.status == "failed" else "error"
        text = "\n".join(r.lines())
        first = (r.lines() or [r.status])[0]
        lines.append(f"    <testcase {attrs}>")
        lines.append(f"      <{tag} message={quoteattr(first)}>{escape(text)}</{tag}>")
        lines.append("    </testcase>")
    lines += ["  </testsuite>", "</testsuites>"]
    return "\n".join(lines)
