"""schemas/*.json are well formed, fully documented, closed, and accept every example."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_DIR = ROOT / "schemas"
SCHEMA_FILES = sorted(SCHEMA_DIR.glob("*.schema.json"))
#: The dispatcher accepts any document and leaves closing the object to each kind's schema.
DISPATCHER = "alur.schema.json"


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))
    return data


def registry() -> Registry:
    resources = [(p.name, Resource.from_contents(load(p.name))) for p in SCHEMA_FILES]
    return Registry().with_resources(resources)


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    return Draft202012Validator(load(DISPATCHER), registry=registry())


def walk(node: Any, path: str = "#", in_if: bool = False) -> Iterator[tuple[str, Any, bool]]:
    """Every subschema with its pointer; `in_if` is True below an `if` (a condition only)."""
    if isinstance(node, dict):
        yield path, node, in_if
        for key, value in node.items():
            if key in ("examples", "default", "defaultSnippets", "enum", "const"):
                continue
            yield from walk(value, f"{path}/{key}", in_if or key == "if")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from walk(value, f"{path}/{i}", in_if)


def test_expected_schema_files() -> None:
    names = {p.name for p in SCHEMA_FILES}
    assert names == {
        "alur.schema.json",
        "common.schema.json",
        "ingestion.schema.json",
        "pipeline.schema.json",
        "project.schema.json",
        "table.schema.json",
        "test.schema.json",
    }


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=lambda p: p.name)
def test_schema_passes_metaschema(path: Path) -> None:
    schema = load(path.name)
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=lambda p: p.name)
def test_no_id_and_relative_refs(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert '"$id"' not in text
    for pointer, node, _ in walk(load(path.name)):
        ref = node.get("$ref") if isinstance(node, dict) else None
        if ref is not None:
            file_part = ref.split("#", 1)[0]
            assert file_part == "" or (SCHEMA_DIR / file_part).is_file(), f"{pointer}: {ref}"


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=lambda p: p.name)
def test_every_property_has_a_description(path: Path) -> None:
    missing = []
    for pointer, node, in_if in walk(load(path.name)):
        if in_if:
            continue
        for name, prop in node.get("properties", {}).items():
            if "description" not in prop:
                missing.append(f"{pointer}/properties/{name}")
    assert missing == []


def resolve(ref: str, here: str) -> dict[str, Any]:
    file_part, _, pointer = ref.partition("#")
    node: Any = load(file_part or here)
    for part in filter(None, pointer.split("/")):
        node = node[part]
    assert isinstance(node, dict)
    return node


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=lambda p: p.name)
def test_referenced_definitions_leave_description_to_the_property(path: Path) -> None:
    """yaml-language-server 1.25 shows the $ref target's description before the sibling's
    on hover, so a shared definition must not carry one where a property describes itself."""
    shadowed = []
    for pointer, node, _ in walk(load(path.name)):
        if "$ref" in node and "description" in node:
            target = resolve(node["$ref"], path.name)
            if "description" in target or "markdownDescription" in target:
                shadowed.append(f"{pointer} -> {node['$ref']}")
    assert shadowed == []


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=lambda p: p.name)
def test_every_object_is_closed(path: Path) -> None:
    open_objects = []
    for pointer, node, in_if in walk(load(path.name)):
        if in_if or node.get("type") != "object":
            continue
        if pointer == "#" and path.name == DISPATCHER:
            continue
        extra = node.get("additionalProperties")
        # records are closed; maps (tags, environments, options) constrain their values
        if extra is False or (isinstance(extra, dict) and "properties" not in node):
            continue
        open_objects.append(pointer)
    assert open_objects == []


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=lambda p: p.name)
def test_enums_are_described(path: Path) -> None:
    for pointer, node, _ in walk(load(path.name)):
        if "enum" in node:
            assert len(node.get("enumDescriptions", [])) == len(node["enum"]), pointer
            assert len(node.get("markdownEnumDescriptions", [])) == len(node["enum"]), pointer


def example_docs() -> list[tuple[str, Any]]:
    docs = []
    for f in sorted((ROOT / "examples").rglob("*.y*ml")):
        for i, doc in enumerate(yaml.safe_load_all(f.read_text(encoding="utf-8"))):
            docs.append((f"{f.relative_to(ROOT)}#{i}", doc))
    return docs


EXAMPLES = example_docs()


def test_examples_found() -> None:
    assert len(EXAMPLES) >= 17


@pytest.mark.parametrize(("where", "doc"), EXAMPLES, ids=[w for w, _ in EXAMPLES])
def test_example_validates(validator: Draft202012Validator, where: str, doc: Any) -> None:
    errors = [f"{e.json_path}: {e.message}" for e in validator.iter_errors(doc)]
    assert errors == []


TABLE: dict[str, Any] = {
    "apiVersion": "alur/v1",
    "kind": "Table",
    "name": "orders",
    "layer": "silver",
    "columns": [{"name": "order_id", "type": "string"}],
}


def with_(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return json.loads(json.dumps({**base, **changes}))  # type: ignore[no-any-return]


INVALID: list[tuple[str, dict[str, Any], str, str]] = [
    ("unknown key", with_(TABLE, colums=[]), "$", "additionalProperties"),
    ("bad kind", with_(TABLE, kind="Tabel"), "$.kind", "enum"),
    ("bad api", with_(TABLE, apiVersion="alur/v2"), "$.apiVersion", "const"),
    ("bad layer", with_(TABLE, layer="platinum"), "$.layer", "enum"),
    ("bad name", with_(TABLE, name="Orders"), "$.name", "pattern"),
    ("long name", with_(TABLE, name="a" * 65), "$.name", "maxLength"),
    ("no columns", with_(TABLE, columns=[]), "$.columns", "minItems"),
    (
        "bad type",
        with_(TABLE, columns=[{"name": "a", "type": "strin"}]),
        "$.columns[0].type",
        "anyOf",
    ),
    (
        "column key typo",
        with_(TABLE, columns=[{"name": "a", "type": "int", "nulable": False}]),
        "$.columns[0]",
        "additionalProperties",
    ),
    (
        "bad partition",
        with_(TABLE, partition_by=["weeks(order_ts)"]),
        "$.partition_by[0]",
        "pattern",
    ),
    (
        "between without bounds",
        with_(TABLE, checks=[{"type": "between", "column": "a"}]),
        "$.checks[0]",
        "anyOf",
    ),
    (
        "not_null without column",
        with_(TABLE, checks=[{"type": "not_null"}]),
        "$.checks[0]",
        "required",
    ),
    (
        "fractional length",
        with_(TABLE, checks=[{"type": "length_between", "column": "a", "min": 1.5}]),
        "$.checks[0].min",
        "type",
    ),
    (
        "bad max_age",
        with_(TABLE, checks=[{"type": "freshness", "column": "a", "max_age": "1 day"}]),
        "$.checks[0].max_age",
        "pattern",
    ),
    (
        "mostly zero",
        with_(TABLE, checks=[{"type": "not_null", "column": "a", "mostly": 0}]),
        "$.checks[0].mostly",
        "exclusiveMinimum",
    ),
]


@pytest.mark.parametrize(
    ("doc", "json_path", "keyword"),
    [case[1:] for case in INVALID],
    ids=[case[0] for case in INVALID],
)
def test_invalid_table_fails_at_path(
    validator: Draft202012Validator, doc: dict[str, Any], json_path: str, keyword: str
) -> None:
    errors = [(e.json_path, e.validator) for e in validator.iter_errors(doc)]
    assert (json_path, keyword) in errors, errors


PIPELINE: dict[str, Any] = {
    "apiVersion": "alur/v1",
    "kind": "Pipeline",
    "name": "p",
    "target": "orders",
    "sql": "SELECT 1 AS a",
}


@pytest.mark.parametrize(
    ("doc", "json_path", "keyword"),
    [
        (with_(PIPELINE, sql_file="x.sql"), "$", "oneOf"),
        ({k: v for k, v in PIPELINE.items() if k != "sql"}, "$", "oneOf"),
        (with_(PIPELINE, mode="upsert"), "$.mode", "enum"),
        (with_(PIPELINE, schedule={"cron": "0 2 * * ?"}), "$.schedule.cron", "pattern"),
        (with_(PIPELINE, schedule={"cron": "0 2 * * ? *", "after": ["a"]}), "$.schedule", "oneOf"),
        (with_(PIPELINE, schedule={"after": []}), "$.schedule.after", "minItems"),
        (with_(PIPELINE, glue={"workers": 1}), "$.glue.workers", "minimum"),
        (with_(PIPELINE, glue={"worker_type": "G.3X"}), "$.glue.worker_type", "enum"),
        (with_(PIPELINE, glue={"arguments": {"x": "1"}}), "$.glue.arguments", "pattern"),
        (with_(PIPELINE, incremental={"source": "orders_raw"}), "$.incremental", "required"),
    ],
)
def test_invalid_pipeline_fails_at_path(
    validator: Draft202012Validator, doc: dict[str, Any], json_path: str, keyword: str
) -> None:
    errors = [(e.json_path, e.validator) for e in validator.iter_errors(doc)]
    assert (json_path, keyword) in errors, errors


PROJECT: dict[str, Any] = {
    "apiVersion": "alur/v1",
    "kind": "Project",
    "name": "shop",
    "environments": {
        "dev": {
            "region": "eu-west-1",
            "buckets": {"lake": "shop-lake", "artifacts": "shop-art", "landing": "shop-land"},
        }
    },
}


@pytest.mark.parametrize(
    ("doc", "json_path", "keyword"),
    [
        (with_(PROJECT, environments={}), "$.environments", "minProperties"),
        (
            with_(PROJECT, environments={"Dev": PROJECT["environments"]["dev"]}),
            "$.environments",
            "pattern",
        ),
        ({k: v for k, v in PROJECT.items() if k != "name"}, "$", "required"),
        (
            with_(
                PROJECT, environments={"dev": {**PROJECT["environments"]["dev"], "account": "123"}}
            ),
            "$.environments.dev.account",
            "pattern",
        ),
        (
            with_(
                PROJECT,
                environments={"dev": {**PROJECT["environments"]["dev"], "region": "europe"}},
            ),
            "$.environments.dev.region",
            "pattern",
        ),
        (
            with_(
                PROJECT,
                environments={
                    "dev": {**PROJECT["environments"]["dev"], "state": {"backend": "s3"}}
                },
            ),
            "$.environments.dev.state",
            "required",
        ),
    ],
)
def test_invalid_project_fails_at_path(
    validator: Draft202012Validator, doc: dict[str, Any], json_path: str, keyword: str
) -> None:
    errors = [(e.json_path, e.validator) for e in validator.iter_errors(doc)]
    assert (json_path, keyword) in errors, errors


@pytest.mark.parametrize(
    "column_type",
    [
        "string", "timestamp_ntz", "decimal(10,2)", "decimal(38, 0)", "decimal", "varchar(20)",
        "char(2)", "array<string>", "map<string,int>", "struct<street:string,zip:array<int>>",
        "Decimal(10, 2)", "LONG", "integer", "numeric(5)", "timestamp_ltz",
    ],
)  # fmt: skip
def test_column_types_accepted(validator: Draft202012Validator, column_type: str) -> None:
    doc = with_(TABLE, columns=[{"name": "a", "type": column_type}])
    assert list(validator.iter_errors(doc)) == []


@pytest.mark.parametrize(
    "column_type", ["strin", "int8", "varchar", "decimal(x)", "arr<int>", "stringy", ""]
)
def test_column_types_rejected(validator: Draft202012Validator, column_type: str) -> None:
    doc = with_(TABLE, columns=[{"name": "a", "type": column_type}])
    assert [e.json_path for e in validator.iter_errors(doc)] == ["$.columns[0].type"]
