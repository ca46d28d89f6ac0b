"""Render the same `Synthetic` lakehouse as a dbt project for dbt-duckdb.

Equivalent content, in dbt's idiom: bronze tables are a `source`, each silver/gold table is a
model (`models/<layer>/<name>.sql` with `ref()`/`source()`) plus one yml per model with
description, columns, data types, an enforced contract (dbt's typed contract, like alurc's),
`not_null` constraints where alurc declares `nullable: false`, and data tests: not_null,
unique, accepted_values and a `between` generic test (tests/generic/between.sql, the same
check as alurc's; dbt-core has none built in). Silver models are incremental with a unique
key (alurc: merge by key, newest `updated_at` wins), gold models are tables (overwrite).
"""

from __future__ import annotations

import json
from pathlib import Path

from synth import Check, JobSpec, Synthetic, TableSpec

DUCKDB_TYPES = {"string": "varchar", "int": "integer"}
BETWEEN_TEST = """{% test between(model, column_name, min_value, max_value) %}
select {{ column_name }}
from {{ model }}
where {{ column_name }} < {{ min_value }} or {{ column_name }} > {{ max_value }}
{% endtest %}
"""


def _q(text: str) -> str:
    return json.dumps(text)


def _dbt_type(spark_type: str) -> str:
    return DUCKDB_TYPES.get(spark_type, spark_type)


def _num(value: float | None) -> str:
    assert value is not None
    return str(int(value)) if float(value).is_integer() else repr(value)


def _test(c: Check) -> list[str]:
    """One data test as YAML lines, relative to the `data_tests:` list."""
    severity = ["    config:", "      severity: warn"] if c.action == "warn" else []
    if c.kind in ("not_null", "unique"):
        return [f"- {c.kind}:", *severity] if severity else [f"- {c.kind}"]
    if c.kind == "accepted_values":
        args = [f"      values: [{', '.join(_q(v) for v in c.values)}]"]
    else:
        args = [f"      min_value: {_num(c.min)}", f"      max_value: {_num(c.max)}"]
    return [f"- {c.kind}:", "    arguments:", *args, *severity]


def _columns(t: TableSpec, indent: str) -> list[str]:
    out = [f"{indent}columns:"]
    for col in t.columns:
        out += [
            f"{indent}  - name: {col.name}",
            f"{indent}    description: {_q(col.description)}",
            f"{indent}    data_type: {_dbt_type(col.type)}",
        ]
        if not col.nullable and t.layer != "bronze":
            out += [f"{indent}    constraints:", f"{indent}      - type: not_null"]
        tests = [line for c in t.checks if c.column == col.name for line in _test(c)]
        if tests:
            out.append(f"{indent}    data_tests:")
            out += [f"{indent}      {line}" for line in tests]
    return out


def sources_yaml(bronze: list[TableSpec]) -> str:
    out = [
        "version: 2",
        "",
        "sources:",
        "  - name: bronze",
        "    schema: bronze",
        "    description: Raw exports loaded by the ingestion jobs.",
        "    tables:",
    ]
    for t in bronze:
        out += [f"      - name: {t.name}", f"        description: {_q(t.description)}"]
        out += _columns(t, "        ")
    return "\n".join(out) + "\n"


def model_yaml(t: TableSpec, header: bool = True) -> str:
    out = ["version: 2", "", "models:"] if header else []
    out += [
        f"  - name: {t.name}",
        f"    description: {_q(t.description)}",
        "    config:",
        "      contract:",
        "        enforced: true",
    ]
    out += _columns(t, "    ")
    return "\n".join(out) + "\n"


def model_sql(j: JobSpec, layers: dict[str, str]) -> str:
    refs = {
        f"r{i}": (
            "{{ source('bronze', '" + name + "') }}"
            if layers[name] == "bronze"
            else "{{ ref('" + name + "') }}"
        )
        for i, name in enumerate(j.reads)
    }
    sql = j.sql.format(**refs).rstrip("\n")
    if j.mode == "overwrite":
        return "{{ config(materialized='table') }}\n\n" + sql + "\n"
    alias = "k" if "FROM ranked AS k" in sql else "r"
    where = "WHERE " if sql.endswith("SELECT * FROM final") else f"  AND {alias}."
    head = (
        "{{ config(materialized='incremental', unique_key='"
        + ",".join(j.merge_keys)
        + "', incremental_strategy='delete+insert', on_schema_change='fail') }}\n\n"
    )
    tail = (
        "\n{% if is_incremental() %}\n"
        f"{where}{j.sequence_by} > (SELECT MAX({j.sequence_by}) FROM {{{{ this }}}})\n"
        "{% endif %}\n"
    )
    return head + sql + tail


def _project_files(syn: Synthetic, root: Path) -> dict[str, str]:
    name = f"bench{syn.n}"
    return {
        "dbt_project.yml": f"""name: {name}
version: "1.0.0"
config-version: 2
profile: {name}
model-paths: ["models"]
macro-paths: ["macros"]
test-paths: ["tests"]
flags:
  send_anonymous_usage_stats: false
  use_colors: false
models:
  {name}:
    silver:
      +schema: silver
    gold:
      +schema: gold
""",
        "profiles.yml": f"""{name}:
  target: dev
  outputs:
    dev:
      type: duckdb
      path: {_q(str((root / (name + ".duckdb")).resolve()))}
      threads: 2
""",
        "tests/generic/between.sql": BETWEEN_TEST,
    }


def write_dbt(syn: Synthetic, root: Path) -> Path:
    """Write the dbt project under `root` (created); returns `root`."""
    files = _project_files(syn, root)
    layers = {t.name: t.layer for t in syn.tables}
    files["models/sources.yml"] = sources_yaml([t for t in syn.tables if t.layer == "bronze"])
    tables = {t.name: t for t in syn.tables}
    grouped: dict[str, list[TableSpec]] = {}
    for j in syn.pipelines:
        t = tables[j.target]
        files[f"models/{t.layer}/{t.name}.sql"] = model_sql(j, layers)
        if syn.per_file <= 1:
            files[f"models/{t.layer}/{t.name}.yml"] = model_yaml(t)
        else:  # dbt's idiom: one schema yml per folder chunk, many models each
            grouped.setdefault(t.layer, []).append(t)
    for layer, models in grouped.items():
        for k in range(0, len(models), syn.per_file):
            chunk = models[k : k + syn.per_file]
            body = "".join(model_yaml(t, header=i == 0) for i, t in enumerate(chunk))
            files[f"models/{layer}/_schema_{k // syn.per_file:04d}.yml"] = body
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (root / "macros").mkdir(exist_ok=True)
    return root
