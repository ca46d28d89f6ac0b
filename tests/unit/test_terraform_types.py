"""Spark SQL -> Glue catalog types."""

from __future__ import annotations

import pytest

from alur_compiler.backends.terraform.types import glue_type


@pytest.mark.parametrize(
    ("spark", "glue"),
    [
        ("long", "bigint"),
        ("bigint", "bigint"),
        ("integer", "int"),
        ("short", "smallint"),
        ("byte", "tinyint"),
        ("real", "float"),
        ("double", "double"),
        ("boolean", "boolean"),
        ("decimal(10,2)", "decimal(10,2)"),
        ("decimal( 38 , 0 )", "decimal(38,0)"),
        ("decimal", "decimal(10,0)"),
        ("timestamp_ntz", "timestamp"),
        ("date", "date"),
        ("varchar(12)", "varchar(12)"),
        ("array<long>", "array<bigint>"),
        ("map<string, array<decimal(5,1)>>", "map<string,array<decimal(5,1)>>"),
        ("struct<a: long, b: struct<c:int>>", "struct<a:bigint,b:struct<c:int>>"),
        ("struct<a long,b string>", "struct<a:bigint,b:string>"),
    ],
)
def test_mapping(spark: str, glue: str) -> None:
    assert glue_type(spark) == glue


@pytest.mark.parametrize("bad", ["interval", "array<>", "map<string>", "struct<"])
def test_unknown_types_raise(bad: str) -> None:
    with pytest.raises(ValueError, match=r"Glue|malformed"):
        glue_type(bad)
