"""A value cut at a comma by YAML's flow style (alur_compiler/schema/comma_cut.py)."""

from __future__ import annotations

from pathlib import Path

import yaml

from alur_compiler import api
from alur_compiler.schema.comma_cut import cut, cut_items


def test_the_cut_is_found_from_the_brackets_only() -> None:
    def read(text: str) -> dict[str, object]:
        value = yaml.safe_load(text)
        assert isinstance(value, dict)
        return value

    m = read("{name: a, type: decimal(20,9)}")
    assert cut(m, "9)") == ("type", ["9)"])
    m = read("{name: a, type: struct<x:int,y:array<int>,z:int>}")
    assert cut(m, "z:int>") == ("type", ["y:array<int>", "z:int>"])
    assert cut(read("{name: a, type: int, other}"), "other") is None  # nothing opened
    assert cut(read("{type: decimal(20, x: 9)}"), "x") is None  # the key has a value
    assert cut(read("{type: decimal(20, a, b}"), "a") is None  # never closed
    assert cut(["not", "a", "mapping"], "a") is None
    items = ["day", "bucket(8", "user_id)", "truncate(4", "x)"]
    assert [cut_items(items, i) for i in range(5)] == [None, (1, 2), (1, 2), (3, 4), (3, 4)]
    assert cut_items(["a(", "b", "c"], 1) is None  # never closed
    assert cut_items(["a)", "b"], 0) is None


def test_one_diagnostic_at_the_value_with_the_quoted_fix(tmp_path: Path) -> None:
    (tmp_path / "alur.yaml").write_text(
        "apiVersion: alur/v1\nkind: Project\nname: p\n---\n"
        "apiVersion: alur/v1\nkind: Table\nname: raw\nlayer: bronze\ncolumns:\n"
        "  - {name: amount, type: decimal(20,9)}\n"
    )
    diags = api.load(tmp_path).diagnostics.sorted()
    errors = [d for d in diags if d.severity.value == "error"]
    assert [(d.code.code, d.span.line, d.span.col) for d in errors] == [("AL205", 10, 26)]
    assert errors[0].hint is not None
    assert '`type: "decimal(20,9)"`' in errors[0].hint


def test_random_flow_values_never_crash_the_loader(tmp_path: Path) -> None:
    """Random flow mappings and lists of bracket, comma and colon soup: every document
    loads to diagnostics with a position, never to an internal error."""
    import random

    rng = random.Random(4)
    atoms = ["decimal(", "20", ",", "9", ")", "map<", ">", "struct<a:int", "[", "]", "{", "}"]
    for i in range(150):
        soup = "".join(rng.choice(atoms) for _ in range(rng.randint(1, 7)))
        column = f"  - {{name: c, type: {soup}}}\n" if i % 2 else "  - {name: c, type: int}\n"
        parts = f"partition_by: [c, {soup}]\n" if i % 3 == 0 else ""
        (tmp_path / "alur.yaml").write_text(
            "apiVersion: alur/v1\nkind: Project\nname: p\n---\n"
            "apiVersion: alur/v1\nkind: Table\nname: t\nlayer: silver\ncolumns:\n" + column + parts
        )
        diags = api.load(tmp_path).diagnostics.sorted()
        assert all(d.code.code != "AL901" for d in diags), (soup, diags)
        assert all(d.span.line >= 1 for d in diags), soup
