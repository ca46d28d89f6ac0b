"""The compiler -> runtime contract: what the glue backend builds is what alur_runtime types."""

from __future__ import annotations

from pathlib import Path
from typing import Any, get_args, get_origin, get_type_hints

from alur_compiler import api
from alur_compiler.backends.glue.config import ingestion_config, pipeline_config
from alur_runtime import config
from alur_runtime.conform import partition_spec, table_ddl

ROOT = Path(__file__).resolve().parents[2]


def _keys_match(value: Any, typed: Any, where: str) -> None:
    """Every TypedDict level: required keys present, no key the type does not declare."""
    required, optional = typed.__required_keys__, typed.__optional_keys__
    assert required <= set(value), f"{where}: missing {sorted(required - set(value))}"
    assert set(value) <= required | optional, f"{where}: extra {sorted(set(value) - required)}"
    hints = get_type_hints(typed)
    for key, item in value.items():
        hint = hints[key]
        if get_origin(hint) in (list, dict):  # list[Column], dict[str, Lookup]
            element = get_args(hint)[-1]
            values = item if isinstance(item, list) else list(item.values())
            for i, entry in enumerate(values if _is_td(element) else ()):
                _keys_match(entry, element, f"{where}.{key}[{i}]")
            continue
        nested = [a for a in (get_args(hint) or (hint,)) if _is_td(a)]  # Target, Merge | None
        if nested and isinstance(item, dict):
            _keys_match(item, nested[0], f"{where}.{key}")


def _is_td(kind: Any) -> bool:
    return isinstance(kind, type) and hasattr(kind, "__required_keys__")


def test_retail_configs_have_exactly_the_typed_keys() -> None:
    project, diags = api.load_project(ROOT / "examples" / "retail")
    assert project is not None and not diags.has_errors
    for pipe in project.pipelines:
        _keys_match(pipeline_config(project, pipe), config.PipelineJob, pipe.name)
    for ing in project.ingestions:
        _keys_match(ingestion_config(project, ing), config.IngestionJob, ing.name)


def test_the_key_check_catches_a_renamed_key() -> None:
    project, _ = api.load_project(ROOT / "examples" / "retail")
    assert project is not None
    job: dict[str, Any] = dict(pipeline_config(project, project.pipelines[0]))
    job["sequence"] = job.pop("mode")
    try:
        _keys_match(job, config.PipelineJob, "renamed")
    except AssertionError as exc:
        assert "missing ['mode']" in str(exc)
    else:
        raise AssertionError("a renamed key went unnoticed")


def test_ddl_and_partition_spec_quote_every_name() -> None:
    columns: list[config.Column] = [
        {"name": "a`b", "type": "string", "nullable": True},
        {"name": "ts", "type": "timestamp", "nullable": False},
    ]
    assert table_ddl(columns) == "`a``b` string, `ts` timestamp"
    parts: list[config.Partition] = [
        {"column": "ts", "transform": "days", "arg": None},
        {"column": "a`b", "transform": "bucket", "arg": 16},
        {"column": "d", "transform": None, "arg": None},
        {"column": "e", "transform": "identity", "arg": None},
    ]
    assert partition_spec(parts) == "days(`ts`), bucket(16, `a``b`), `d`, `e`"
