"""Row expressions: validate's verdict on the shared corpus, and what the job runs.

Spark's own verdict on the same corpus: tests/integration/test_row_expression_oracle.py.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from row_expression_corpus import COLUMNS, CORPUS

from alur_compiler import api
from alur_compiler.ir.check_sql import row_expression

PROJECT = """apiVersion: alur/v1
kind: Project
name: rowexpr
environments:
  dev:
    region: eu-west-1
    buckets: {lake: rowexpr-lake, artifacts: rowexpr-artifacts, landing: rowexpr-landing}
---
apiVersion: alur/v1
kind: Table
name: t
layer: silver
columns:
COLUMNS
checks:
  - type: expression
    sql: SQL
"""


def project_text(sql: str) -> str:
    cols = "\n".join(f"  - {{name: {json.dumps(n)}, type: {t}}}" for n, t in COLUMNS.items())
    return PROJECT.replace("COLUMNS", cols).replace("SQL", json.dumps(sql))


def verdict(sql: str, tmp: Path) -> list[tuple[str, int, str]]:
    (tmp / "alur.yaml").write_text(project_text(sql), encoding="utf-8")
    cwd = os.getcwd()
    os.chdir(tmp)
    try:
        result = api.load(Path("."))
    finally:
        os.chdir(cwd)
    return [(d.code.code, d.span.line, d.message) for d in result.diagnostics.errors]


@pytest.mark.parametrize(("sql", "expected"), CORPUS, ids=[repr(s) for s, _ in CORPUS])
def test_validate_verdict(sql: str, expected: str | None, tmp_path: Path) -> None:
    got = verdict(sql, tmp_path)
    if expected is None:
        assert got == []
        rendered = row_expression(sql)
        assert "--" not in rendered.replace("'--not a comment'", "")
        assert "/*" not in rendered and ";" not in rendered.replace("';'", "")
    else:
        assert [c for c, _, _ in got] == [expected]
        text = project_text(sql)
        sql_line = text.count("\n", 0, text.index("    sql: ")) + 1
        assert [line for _, line, _ in got] == [sql_line]
