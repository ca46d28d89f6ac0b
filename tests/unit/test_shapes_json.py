"""`shapes_json` (field by field) is `dataclasses.asdict` of the same shapes, and
`contracts.json` the same bytes as the asdict encoding it replaced."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks" / "compile"))

from generate import generate

from alur_compiler import api
from alur_compiler.ir.fingerprint import pretty_json
from alur_compiler.ir.shapes import (
    ColumnShape,
    PipelineShape,
    Shapes,
    TableShape,
    contracts_json,
    load_shapes,
    project_shapes,
    shapes_json,
)

RETAIL = Path(__file__).resolve().parents[2] / "examples" / "retail"


def _same_as_asdict(shapes: Shapes) -> None:
    mine = shapes_json(shapes)
    reference = dataclasses.asdict(shapes)
    assert mine == reference
    assert pretty_json(mine) == pretty_json(reference)
    # `==` takes 1 for True and 0.0 for 0: compare the type of every value as well
    assert _types(mine) == _types(reference)
    assert load_shapes(mine) == shapes


def _types(value: object) -> object:
    if isinstance(value, dict):
        return {k: _types(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return (type(value), [_types(v) for v in value])
    return type(value)


def test_retail_example() -> None:
    project = api.load(RETAIL).project
    assert project is not None
    _same_as_asdict(project_shapes(project))
    expected = pretty_json(dataclasses.asdict(project_shapes(project)))
    assert contracts_json(project) == expected


@pytest.mark.parametrize("shape", ["standard", "dbtlike"])
def test_generated_project(tmp_path: Path, shape: str) -> None:
    root, _, _ = generate(40, tmp_path, shape=shape)
    project = api.load(root).project
    assert project is not None
    shapes = project_shapes(project)
    assert shapes.tables and shapes.pipelines
    _same_as_asdict(shapes)


def test_observed_shapes_with_none_and_non_ascii() -> None:
    """What a warehouse yields: unknown nullability, partitions and checks (None)."""
    shapes = Shapes(
        (
            TableShape(
                "zé_table",
                "silver",
                "iceberg",
                (ColumnShape("naïve", "decimal(10,2)"), ColumnShape("b", "string", True, "d\n")),
            ),
            TableShape("empty", "gold", "iceberg", (), ("k",), ("days(ts)",), "", "abc"),
        ),
        (PipelineShape("p", "zé_table", "f00", ("a", "b")), PipelineShape("q", "empty", "x")),
    )
    _same_as_asdict(shapes)
    _same_as_asdict(Shapes())
