"""Schema errors in the user's words, over the whole class (issue 14, bullet 4).

The mutations are derived from the JSON Schemas themselves: the test walks a rich, valid
document of every kind alongside its schema and, at every value present, breaks every
keyword that applies there (a required key deleted, an unknown or misspelt key added, a
wrong type, a value outside an enum, a pattern or a bound, an empty list, a repeated item,
both or neither keys of a choice, ...). Every resulting diagnostic must

- name the entity it is about (which table / pipeline / ingestion / environment, which
  column by name, which check or source by its 1-based position), computed here from the
  mutation's path, independently of alur_compiler/schema/entities.py;
- contain no JSON-pointer fragment (`'0'`, `in '/...'`, `'/checks/0'`);
- carry a hint.

A last assertion proves the walk reached every failing keyword the schemas use, so a new
keyword in the schemas cannot go untested.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

from alur_compiler.diagnostics import Diagnostics
from alur_compiler.load.yaml_loader import parse_documents
from alur_compiler.schema.registry import KIND_SCHEMAS, registry
from alur_compiler.schema.validate import validate_document

ROOT = Path(__file__).resolve().parents[2]

TABLE = """
apiVersion: alur/v1
kind: Table
name: orders
layer: silver
description: d
columns:
  - {name: order_id, type: string, nullable: false, description: d, pii: false}
  - {name: amount, type: "decimal(10,2)"}
  - {name: ts, type: timestamp}
primary_key: [order_id]
partition_by: ["days(ts)"]
checks:
  - {type: not_null, column: order_id, name: nn, description: d, action: fail, mostly: 0.9}
  - {type: unique, columns: [order_id]}
  - {type: accepted_values, column: order_id, values: [a, b]}
  - {type: between, column: amount, min: 0, max: 10, strict_min: true, strict_max: false}
  - {type: regex, column: order_id, pattern: "^[a-z]+$"}
  - {type: length_between, column: order_id, min: 1, max: 5}
  - {type: row_count_between, min: 1, max: 100}
  - {type: freshness, column: ts, max_age: 24h}
  - {type: expression, sql: amount >= 0}
  - {type: relationship, column: order_id, to: customers.customer_id}
"""
PIPELINE = """
apiVersion: alur/v1
kind: Pipeline
name: clean_orders
description: d
target: orders
sql: SELECT 1 AS a
mode: merge
merge: {keys: [order_id], sequence_by: ts, delete_when: "a = 1", tombstone_retention_days: 9}
overwrite: {scope: table}
incremental: {source: orders_raw, watermark: _ingested_at}
checks:
  - {type: not_null, column: order_id}
schedule: {cron: "0 2 * * ? *", enabled: true}
glue:
  worker_type: G.1X
  workers: 2
  timeout_minutes: 60
  max_retries: 1
  execution_class: STANDARD
  max_concurrent_runs: 1
  arguments: {"--enable-job-insights": "true"}
  spark_conf: {spark.sql.adaptive.enabled: "true"}
"""
PIPELINE_AFTER = """
apiVersion: alur/v1
kind: Pipeline
name: after_orders
target: orders
sql_file: q.sql
schedule: {after: [clean_orders], max_wait: 6h, on_max_wait: run}
"""
INGESTION = """
apiVersion: alur/v1
kind: Ingestion
name: ingest_orders
description: d
target: orders_raw
source_system: webshop
sources:
  - {path: orders/, format: csv, pattern: "*.csv", recursive: true, options: {header: true}}
on_bad_file: quarantine
on_bad_row: quarantine
on_duplicate_file: skip
schedule: {cron: "15 * * * ? *"}
"""
PROJECT = """
apiVersion: alur/v1
kind: Project
name: retail
description: d
paths: [contracts]
defaults: {glue: {workers: 2}}
local: {landing: data/landing, warehouse: .alur/warehouse}
environments:
  dev:
    region: eu-west-1
    account: "111122223333"
    buckets: {lake: r-dev-lake, artifacts: r-dev-artifacts, landing: r-dev-landing}
    state: {backend: s3, bucket: r-dev-tfstate, key: k, lock_table: r-dev-lock, region: eu-west-1}
    glue: {workers: 2}
    tags: {team: data}
    endpoints: {s3: "http://localhost:5000"}
    kms: {alias: alias/data}
    protected: true
  prod:
    region: eu-west-1
    buckets: {lake: r-prod-lake, artifacts: r-prod-artifacts, landing: r-prod-landing}
    kms: {create: true}
"""
BASES = {
    "table": TABLE,
    "pipeline": PIPELINE,
    "pipeline_after": PIPELINE_AFTER,
    "ingestion": INGESTION,
    "project": PROJECT,
}
#: keywords that never fail on their own (annotations, structure, conditions)
SILENT = {
    "$schema", "$ref", "$defs", "$comment", "title", "description", "markdownDescription",
    "examples", "default", "enumDescriptions", "markdownEnumDescriptions", "defaultSnippets",
    "properties", "patternProperties", "items", "allOf", "if", "then",
}  # fmt: skip
_WRONG_VALUES: list[Any] = [{"x": 1}, [1], "text", 12345, 1.5, True]
_TYPES = {
    "object": dict, "array": list, "string": str, "integer": int, "number": (int, float),
    "boolean": bool,
}  # fmt: skip


def _deref(schema: Any, resolver: Any) -> tuple[Any, Any]:
    while isinstance(schema, dict) and "$ref" in schema:
        found = resolver.lookup(schema["$ref"])
        schema = {**found.contents, **{k: v for k, v in schema.items() if k != "$ref"}}
        resolver = found.resolver
    return schema, resolver


def _fits(value: Any, types: list[str]) -> bool:
    for t in types:
        if isinstance(value, bool) and t not in ("boolean",):
            continue
        if isinstance(value, _TYPES[t]):  # type: ignore[arg-type]
            return True
    return False


Mutation = tuple[str, tuple[Any, ...], str, Any]  # keyword, path, op ("set"/"del"/"add"), value


def _mutations(schema: Any, resolver: Any, value: Any, path: tuple[Any, ...]) -> Iterator[Mutation]:
    schema, resolver = _deref(schema, resolver)
    if not isinstance(schema, dict):
        return
    yield from _local(schema, value, path)
    for key in ("anyOf", "oneOf"):
        for branch in schema.get(key, []):
            b, r = _deref(branch, resolver)
            if isinstance(b, dict) and "type" in b and not _fits(value, _as_list(b["type"])):
                continue  # a branch for another shape of value
            yield from _mutations(b, r, value, path)
    reg = registry()[0]
    for branch in schema.get("allOf", []):
        if "then" in branch and Draft202012Validator(branch["if"], registry=reg).is_valid(value):
            yield from _mutations(branch["then"], resolver, value, path)
    if isinstance(value, dict):
        props = schema.get("properties", {})
        extra = schema.get("additionalProperties")
        for key, sub in value.items():
            if key in props:
                yield from _mutations(props[key], resolver, sub, (*path, key))
            elif isinstance(extra, dict):
                yield from _mutations(extra, resolver, sub, (*path, key))
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        for i, item in enumerate(value):
            yield from _mutations(schema["items"], resolver, item, (*path, i))


def _as_list(t: Any) -> list[str]:
    return [t] if isinstance(t, str) else list(t)


def _local(s: dict[str, Any], value: Any, path: tuple[Any, ...]) -> Iterator[Mutation]:
    if path in ((), ("kind",), ("apiVersion",)):  # the document itself: check_kind, AL201
        if isinstance(value, dict):
            yield from _object(s, value, path)
        return
    if "type" in s:
        wrong = next(v for v in _WRONG_VALUES if not _fits(v, _as_list(s["type"])))
        yield ("type", path, "set", wrong)
    if "enum" in s and isinstance(value, str):
        yield ("enum", path, "set", value[:-1] + "zz")
    if "const" in s and path:
        yield ("const", path, "set", "zzz" if not isinstance(s["const"], str) else False)
    if "pattern" in s and isinstance(value, str):
        yield ("pattern", path, "set", "Bad Value!")
    if s.get("minLength", 0) >= 1 and isinstance(value, str):
        yield ("minLength", path, "set", "")
    if "maxLength" in s and isinstance(value, str):
        yield ("maxLength", path, "set", "a" * (s["maxLength"] + 1))
    for word, delta in (("minimum", -1), ("maximum", 1), ("exclusiveMinimum", 0)):
        if word in s and isinstance(value, (int, float)) and not isinstance(value, bool):
            yield (word, path, "set", s[word] + delta)
    if s.get("minItems", 0) >= 1 and isinstance(value, list):
        yield ("minItems", path, "set", [])
    if s.get("minProperties", 0) >= 1 and isinstance(value, dict):
        yield ("minProperties", path, "set", {})
    if s.get("uniqueItems") and isinstance(value, list) and value:
        yield ("uniqueItems", path, "set", [*value, value[0]])
    if isinstance(value, dict):
        yield from _object(s, value, path)


def _object(s: dict[str, Any], value: dict[str, Any], path: tuple[Any, ...]) -> Iterator[Mutation]:
    for key in s.get("required", []):
        if key in value and key not in ("apiVersion", "kind"):
            yield ("required", (*path, key), "del", None)
    if s.get("additionalProperties") is False:
        yield ("additionalProperties", (*path, "zzz_unknown"), "add", 1)
        props = sorted(s.get("properties", {}))
        if props:  # a misspelt known key
            yield ("additionalProperties", (*path, props[0] + "x"), "add", value.get(props[0], 1))
    if "propertyNames" in s:
        yield ("propertyNames", (*path, "Bad Key!"), "add", next(iter(value.values()), "x"))
    for key, needed in sorted(s.get("dependentRequired", {}).items()):
        for other in needed:
            if key in value and other in value:  # drop what the key needs beside it
                yield (
                    "dependentRequired",
                    path,
                    "set",
                    {k: v for k, v in value.items() if k != other},
                )
    choices = [
        b["required"] for b in s.get("anyOf", []) + s.get("oneOf", []) if set(b) == {"required"}
    ]
    if choices:
        keys = [k for c in choices for k in c]
        word = "anyOf" if "anyOf" in s else "oneOf"
        yield (word, path, "set", {k: v for k, v in value.items() if k not in keys})
        present = [k for k in keys if k in value]
        if word == "oneOf" and present:
            yield (word, path, "set", {**value, **{k: value[present[0]] for k in keys}})


def _apply(doc: Any, path: tuple[Any, ...], op: str, value: Any) -> Any:
    doc = copy.deepcopy(doc)
    if not path:
        return value
    node = doc
    for part in path[:-1]:
        node = node[part]
    if op == "del":
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return doc


def _entity(doc: dict[str, Any], path: tuple[Any, ...]) -> str:
    """What the message must name, from the (mutated) document and the path: the test's
    own oracle, independent of alur_compiler/schema/entities.py."""
    kind = {"Table": "table", "Pipeline": "pipeline", "Ingestion": "ingestion"}.get(doc["kind"])
    in_env = doc["kind"] == "Project" and len(path) >= 2 and path[0] == "environments"
    if in_env and path[1] != "Bad Key!":  # a bad name is not an environment's
        return f"environment `{path[1]}`"
    name = doc.get("name")
    plain = isinstance(name, str) and name and path != ("name",)
    entity = f"{kind or 'project'} `{name}`" if plain else f"this {kind or 'project'}"
    if len(path) >= 2 and path[0] in ("columns", "checks", "sources") and isinstance(path[1], int):
        item = doc[path[0]][path[1]]
        label = item.get("name") if isinstance(item, dict) else None
        if path[0] == "columns" and isinstance(label, str) and path[2:] != ("name",):
            return f"column `{label}` of {entity}"
        singular = {"columns": "column", "checks": "check", "sources": "source"}[str(path[0])]
        return f"{singular} {path[1] + 1} of {entity}"
    return entity


_POINTERISH = re.compile(r"'\d+'|in '/|'/[a-z_]+|/\d+/")


def _cases() -> list[tuple[str, str, tuple[Any, ...], str, Any]]:
    reg, schemas = registry()
    cases = []
    for label, text in BASES.items():
        base = yaml.safe_load(text)
        name = KIND_SCHEMAS[base["kind"]]
        resolver = reg.resolver(base_uri=name)
        seen = set()
        for keyword, path, op, value in _mutations(schemas[name], resolver, base, ()):
            key = (keyword, path, op, json.dumps(value, sort_keys=True, default=str))
            if key not in seen:
                seen.add(key)
                cases.append((label, keyword, path, op, value))
    return cases


CASES = _cases()


def _render(label: str, path: tuple[Any, ...], op: str, value: Any) -> list[Any]:
    base = yaml.safe_load(BASES[label])
    doc = _apply(base, path, op, value)
    text = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)
    diags = Diagnostics()
    (source,) = parse_documents(text, "x.yaml", "/x.yaml", diags)
    validate_document(source, diags)
    return diags.items


@pytest.mark.parametrize(
    ("label", "keyword", "path", "op", "value"),
    CASES,
    ids=[f"{c[0]}-{c[1]}-{'/'.join(map(str, c[2]))}-{c[3]}" for c in CASES],
)
def test_schema_error_names_the_entity_and_hints(
    label: str, keyword: str, path: tuple[Any, ...], op: str, value: Any
) -> None:
    items = _render(label, path, op, value)
    if not items:
        pytest.skip("this mutation is still valid")  # counted by the coverage test below
    doc = _apply(yaml.safe_load(BASES[label]), path, op, value)
    where = path[:-1] if op in ("del", "add") else path
    entity = _entity(doc, where)
    for d in items:
        assert d.code.code.startswith("AL2"), d
        assert not _POINTERISH.search(d.message), d.message
        assert d.hint, d.message
        assert d.span.line > 1 or not where, (d.span, d.message)
    assert any(entity in d.message for d in items), (entity, [d.message for d in items])


def _schema_keywords() -> set[str]:
    """Every keyword the schema files use (names of properties and definitions excluded)."""
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, list):
            for sub in node:
                walk(sub)
        if not isinstance(node, dict):
            return
        for key, sub in node.items():
            found.add(key)
            if key in ("properties", "$defs", "patternProperties"):
                for each in sub.values():
                    walk(each)
            elif key == "dependentRequired":
                continue  # its keys and values are property names
            elif key not in ("examples", "defaultSnippets", "default", "enum", "const"):
                walk(sub)

    for path in sorted((ROOT / "schemas").glob("*.schema.json")):
        walk(json.loads(path.read_text(encoding="utf-8")))
    return found - SILENT


def test_every_failing_keyword_is_reached() -> None:
    reached = {
        keyword for label, keyword, path, op, value in CASES if _render(label, path, op, value)
    }
    missing = _schema_keywords() - reached
    assert not missing, f"schema keywords no mutation breaks: {sorted(missing)}"
    assert len(CASES) > 300
