"""Render a `Synthetic` lakehouse as an alurc project: one YAML file per contract/job."""

from __future__ import annotations

import json
from pathlib import Path

from synth import Check, JobSpec, Synthetic, TableSpec


def _q(text: str) -> str:
    return json.dumps(text)  # a JSON string is a valid YAML double-quoted scalar


def _project(syn: Synthetic) -> str:
    name = f"bench{syn.n}"
    return f"""apiVersion: alur/v1
kind: Project
name: {name}
description: Synthetic benchmark lakehouse with {syn.n} pipelines (seed {syn.seed}).
paths: [contracts, ingestions, pipelines]
defaults:
  glue:
    worker_type: G.1X
    workers: 2
    timeout_minutes: 60
environments:
  dev:
    region: eu-west-1
    account: "111122223333"
    buckets:
      lake: {name}-dev-lake
      artifacts: {name}-dev-artifacts
      landing: {name}-dev-landing
    state:
      backend: s3
      bucket: {name}-dev-tfstate
      lock_table: {name}-dev-tflock
    tags:
      cost-center: data-platform
"""


def _num(value: float | None) -> str:
    assert value is not None
    return str(int(value)) if float(value).is_integer() else repr(value)


def _check(c: Check) -> str:
    lines = [f"  - type: {c.kind}"]
    lines.append(f"    columns: [{c.column}]" if c.kind == "unique" else f"    column: {c.column}")
    if c.values:
        lines.append(f"    values: [{', '.join(c.values)}]")
    if c.min is not None:
        lines.append(f"    min: {_num(c.min)}")
    if c.max is not None:
        lines.append(f"    max: {_num(c.max)}")
    lines.append(f"    action: {c.action}")
    return "\n".join(lines)


def table_yaml(t: TableSpec) -> str:
    out = [
        "apiVersion: alur/v1",
        "kind: Table",
        f"name: {t.name}",
        f"layer: {t.layer}",
        f"description: {_q(t.description)}",
        "columns:",
    ]
    for c in t.columns:
        out += [f"  - name: {c.name}", f"    type: {c.type}"]
        if not c.nullable:
            out.append("    nullable: false")
        if c.description:
            out.append(f"    description: {_q(c.description)}")
    if t.primary_key:
        out.append(f"primary_key: [{', '.join(t.primary_key)}]")
    if t.partition_by:
        out.append(f"partition_by: [{', '.join(t.partition_by)}]")
    if t.checks:
        out.append("checks:")
        out += [_check(c) for c in t.checks]
    return "\n".join(out) + "\n"


def ingestion_yaml(j: JobSpec) -> str:
    return f"""apiVersion: alur/v1
kind: Ingestion
name: {j.name}
description: {_q(j.description)}
target: {j.target}
source_system: {j.target.split("_raw_")[0]}
sources:
  - path: {j.target}/
    format: csv
    pattern: "*.csv"
    options:
      header: true
on_bad_file: quarantine
on_bad_row: quarantine
schedule:
  cron: "{j.cron}"
"""


def pipeline_sql(j: JobSpec) -> str:
    return j.sql.format(**{f"r{i}": name for i, name in enumerate(j.reads)})


def pipeline_yaml(j: JobSpec, sql_file: str | None = None) -> str:
    out = [
        "apiVersion: alur/v1",
        "kind: Pipeline",
        f"name: {j.name}",
        f"description: {_q(j.description)}",
        f"target: {j.target}",
    ]
    if sql_file is not None:
        out.append(f"sql_file: {sql_file}")
    else:
        out.append("sql: |")
        out += ["  " + line if line else "" for line in pipeline_sql(j).rstrip("\n").split("\n")]
    out.append(f"mode: {j.mode}")
    if j.mode == "merge":
        out += ["merge:", f"  keys: [{', '.join(j.merge_keys)}]", f"  sequence_by: {j.sequence_by}"]
    if j.after:
        out += ["schedule:", f"  after: [{', '.join(j.after)}]"]
    return "\n".join(out) + "\n"


def _grouped(docs: list[tuple[str, str]], per_file: int) -> dict[str, str]:
    """(path without .yaml, text) -> files; `per_file` > 1 joins documents with `---`."""
    if per_file <= 1:
        return {f"{path}.yaml": text for path, text in docs}
    by_folder: dict[str, list[str]] = {}
    for path, text in docs:
        by_folder.setdefault(path.rsplit("/", 1)[0], []).append(text)
    out: dict[str, str] = {}
    for folder, texts in by_folder.items():
        stem = folder.rsplit("/", 1)[-1]
        for k in range(0, len(texts), per_file):
            out[f"{folder}/{stem}_{k // per_file:04d}.yaml"] = "---\n".join(texts[k : k + per_file])
    return out


def write_alurc(syn: Synthetic, root: Path) -> Path:
    """Write the project under `root` (created); returns `root`."""
    root.mkdir(parents=True, exist_ok=True)
    files = {"alur.yaml": _project(syn)}
    docs = [(f"contracts/{t.layer}/{t.name}", table_yaml(t)) for t in syn.tables]
    for j in syn.jobs:
        if j.mode == "append":
            docs.append((f"ingestions/{j.name}", ingestion_yaml(j)))
        elif syn.sql_files:
            files[f"sql/{j.name}.sql"] = pipeline_sql(j)
            docs.append((f"pipelines/{j.name}", pipeline_yaml(j, f"../sql/{j.name}.sql")))
        else:
            docs.append((f"pipelines/{j.name}", pipeline_yaml(j)))
    files.update(_grouped(docs, syn.per_file))
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root
