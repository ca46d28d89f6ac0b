"""Load schemas/*.json once; the IDE reads the very same files."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from alur_compiler.schema.files import schema_dir

if TYPE_CHECKING:  # the Python validator is imported only for documents that fail
    from jsonschema import Draft202012Validator
    from referencing import Registry

KIND_SCHEMAS = {
    "Project": "project.schema.json",
    "Table": "table.schema.json",
    "Pipeline": "pipeline.schema.json",
    "Ingestion": "ingestion.schema.json",
    "Test": "test.schema.json",  # read by `alurc test` only (load/discover.py sets them apart)
}
API_VERSION = "alur/v1"


@lru_cache(maxsize=1)
def load_schemas() -> dict[str, Any]:
    """Every schemas/*.json by file name."""
    return {
        path.name: json.loads(path.read_text(encoding="utf-8"))
        for path in sorted(schema_dir().glob("*.json"))
    }


@lru_cache(maxsize=1)
def registry() -> tuple[Registry, dict[str, Any]]:
    """A referencing registry keyed by schema file name, and the loaded schemas."""
    from referencing import Registry
    from referencing.jsonschema import DRAFT202012

    schemas = load_schemas()
    resources = [(name, DRAFT202012.create_resource(s)) for name, s in schemas.items()]
    return Registry().with_resources(resources), schemas


_BASE = "file:///alurc/schemas/"


@lru_cache(maxsize=8)
def fast_validator_for(kind: str) -> Any | None:
    """A compiled (Rust) validator for the quick yes/no; None when jsonschema-rs is absent.

    It reads the same schema files; only documents it rejects go through the Python
    validator, which produces the detailed, located errors.
    """
    try:
        import jsonschema_rs
    except ImportError:  # pragma: no cover - optional speed-up
        return None
    schemas = load_schemas()
    reg = jsonschema_rs.Registry([(_BASE + name, s) for name, s in schemas.items()])
    name = KIND_SCHEMAS[kind]
    return jsonschema_rs.validator_for(schemas[name], registry=reg, base_uri=_BASE + name)


@lru_cache(maxsize=8)
def validator_for(kind: str) -> Draft202012Validator:
    from jsonschema import Draft202012Validator

    reg, schemas = registry()
    return Draft202012Validator(schemas[KIND_SCHEMAS[kind]], registry=reg)
