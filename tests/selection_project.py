"""A small project for selection tests: two ingestions, a silver table whose relationship
check reads another silver table, a gold report, a gold table without a writer. Written
so that alphabetical order would run the checked job (clean_b) before the writer of the
table its check reads (load_a)."""

from __future__ import annotations

from pathlib import Path

PROJECT = """\
apiVersion: alur/v1
kind: Project
name: seltest
paths: [contracts, ingestions, pipelines]
environments:
  dev:
    region: eu-west-1
    buckets: {lake: sel-dev-lake, artifacts: sel-dev-artifacts, landing: sel-dev-landing}
"""
TABLES = """\
apiVersion: alur/v1
kind: Table
name: raw_a
layer: bronze
columns: [{name: id, type: int}]
---
apiVersion: alur/v1
kind: Table
name: raw_b
layer: bronze
columns: [{name: id, type: int}, {name: a_id, type: int}]
---
apiVersion: alur/v1
kind: Table
name: a
layer: silver
primary_key: [id]
columns: [{name: id, type: int, nullable: false}]
---
apiVersion: alur/v1
kind: Table
name: b
layer: silver
primary_key: [id]
columns: [{name: id, type: int, nullable: false}, {name: a_id, type: int}]
checks:
  - {type: relationship, column: a_id, to: a.id, action: warn}
---
apiVersion: alur/v1
kind: Table
name: g
layer: gold
tags: [finance, daily]
columns: [{name: n, type: bigint, nullable: false}]
---
apiVersion: alur/v1
kind: Table
name: lookup
layer: gold
tags: [reference]
columns: [{name: code, type: string}]
"""
INGESTIONS = """\
apiVersion: alur/v1
kind: Ingestion
name: ingest_a
target: raw_a
source_system: s
sources: [{path: a/, format: csv}]
---
apiVersion: alur/v1
kind: Ingestion
name: ingest_b
target: raw_b
source_system: s
sources: [{path: b/, format: csv}]
"""
LOAD_A = """\
apiVersion: alur/v1
kind: Pipeline
name: load_a
tags: [finance]
target: a
sql: SELECT id FROM raw_a WHERE id IS NOT NULL
"""
CLEAN_B = """\
apiVersion: alur/v1
kind: Pipeline
name: clean_b
target: b
sql: SELECT id, a_id FROM raw_b WHERE id IS NOT NULL
"""
REPORT = """\
apiVersion: alur/v1
kind: Pipeline
name: report
target: g
sql: SELECT COUNT(*) AS n FROM a JOIN b ON a.id = b.a_id
"""
FILES = {
    "alur.yaml": PROJECT,
    "contracts/tables.yaml": TABLES,
    "ingestions/ingest.yaml": INGESTIONS,
    "pipelines/load_a.yaml": LOAD_A,
    "pipelines/finance/clean_b.yaml": CLEAN_B,
    "pipelines/report.yaml": REPORT,
}


def write_project(root: Path) -> Path:
    for rel, text in FILES.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root
