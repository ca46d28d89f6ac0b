"""alur_runtime/evolve.py's pure planning: table columns vs contract -> ALTERs or problems."""

from __future__ import annotations

import pytest

from alur_runtime.config import Column, Partition
from alur_runtime.evolve import plan_changes, plan_partitions, promotion, stored_type

T = "glue_catalog.silver.products"


def col(name: str, type_: str, nullable: bool = True, **extra: str) -> Column:
    out: Column = {"name": name, "type": type_, "nullable": nullable}
    out.update(extra)  # type: ignore[typeddict-item]
    return out


HAVE = [("product_id", "string"), ("qty", "int"), ("price", "decimal(10,2)")]
SAME = [col("product_id", "string", False), col("qty", "int"), col("price", "decimal(10,2)")]


@pytest.mark.parametrize(
    ("have", "want", "expected"),
    [
        ("int", "int", "same"),
        ("int", "integer", "same"),
        ("int", "smallint", "same"),  # Iceberg stores small ints as int
        ("string", "varchar(20)", "same"),
        ("decimal(10,0)", "decimal", "same"),
        ("int", "bigint", "widen"),
        ("float", "double", "widen"),
        ("decimal(10,2)", "decimal(12,2)", "widen"),
        ("bigint", "int", "narrow"),
        ("double", "float", "narrow"),
        ("decimal(12,2)", "decimal(10,2)", "narrow"),
        ("decimal(10,2)", "decimal(12,3)", "incompatible"),  # scale change
        ("string", "int", "incompatible"),
        ("array<int>", "array<bigint>", "incompatible"),  # nested: not in place
    ],
)
def test_promotion(have: str, want: str, expected: str) -> None:
    assert promotion(have, want) == expected


def test_stored_type_normalises_aliases_inside_nested_types() -> None:
    assert stored_type("MAP<String, Long>") == "map<string,bigint>"
    assert stored_type("struct<a:integer,b:varchar(3)>") == "struct<a:int,b:string>"


def test_same_schema_needs_nothing() -> None:
    plan = plan_changes(T, HAVE, SAME)
    assert (plan.alters, plan.problems) == ((), ())


def test_case_differences_are_the_same_column() -> None:
    plan = plan_changes(T, [("Product_ID", "string")], [col("product_id", "string")])
    assert (plan.alters, plan.problems) == ((), ())


def test_new_nullable_column_is_added() -> None:
    plan = plan_changes(T, HAVE, [*SAME, col("name length", "int")])
    assert plan.alters == ("ADD COLUMN `name length` int",)
    assert (plan.problems, plan.added) == ((), ("name length",))


def test_widening_alters_the_type() -> None:
    want = [col("product_id", "string"), col("qty", "bigint"), col("price", "decimal(14,2)")]
    plan = plan_changes(T, HAVE, want)
    assert plan.alters == (
        "ALTER COLUMN `qty` TYPE bigint",
        "ALTER COLUMN `price` TYPE decimal(14,2)",
    )
    assert plan.problems == ()


def test_declared_rename_renames_then_widens() -> None:
    want = [col("product_id", "string"), col("quantity", "bigint", renamed_from="qty"), SAME[2]]
    plan = plan_changes(T, HAVE, want)
    assert plan.alters == (
        "RENAME COLUMN `qty` TO `quantity`",
        "ALTER COLUMN `quantity` TYPE bigint",
    )
    assert plan.problems == ()


def test_rename_already_applied_is_a_no_op() -> None:
    have = [("product_id", "string"), ("quantity", "int"), ("price", "decimal(10,2)")]
    want = [col("product_id", "string"), col("quantity", "int", renamed_from="qty"), SAME[2]]
    assert plan_changes(T, have, want).alters == ()


def test_narrowing_is_a_located_problem() -> None:
    want = [SAME[0], col("qty", "int", at="9:5"), SAME[2]]
    have = [("product_id", "string"), ("qty", "bigint"), HAVE[2]]
    plan = plan_changes(T, have, want, contract="contracts/p.yaml")
    assert plan.problems == (
        "contracts/p.yaml:9:5: column 'qty' of glue_catalog.silver.products: the table stores "
        "bigint, the contract says int; narrowing would lose data (hint: keep the stored type, "
        "or refresh the table fully (alurc run --local NAME --full-refresh))",
    )


def test_incompatible_type_is_a_problem() -> None:
    plan = plan_changes(T, HAVE, [SAME[0], col("qty", "string"), SAME[2]])
    assert plan.problems[0].endswith(
        "the table stores int, the contract says string; Iceberg cannot convert it (hint: "
        "keep the stored type, or refresh the table fully (alurc run --local NAME "
        "--full-refresh))"
    )


def test_dropped_column_is_never_dropped() -> None:
    plan = plan_changes(T, HAVE, SAME[:2])
    assert plan.problems == (
        "table glue_catalog.silver.products has a column 'price' that the contract no longer "
        "declares; a job never drops a column (its data would be lost) (hint: declare it "
        "again, rename it with `renamed_from: price` on its new column, or refresh the table "
        "fully (alurc run --local NAME --full-refresh))",
    )


def test_undeclared_rename_is_a_drop_plus_an_add() -> None:
    plan = plan_changes(T, HAVE, [SAME[0], col("quantity", "int"), SAME[2]])
    assert plan.alters == ("ADD COLUMN `quantity` int",)
    assert (
        len(plan.problems) == 1 and "column 'qty' that the contract no longer" in plan.problems[0]
    )


def test_new_not_null_column_is_refused_unless_every_row_is_rewritten() -> None:
    want = [*SAME, col("sku", "string", False, at="20:5")]
    refused = plan_changes(T, HAVE, want, contract="contracts/p.yaml")
    assert refused.problems == (
        "contracts/p.yaml:20:5: column 'sku' of glue_catalog.silver.products is new and NOT "
        "NULL, but the table has rows that would read NULL in it (hint: declare it nullable, "
        "or refresh the table fully (alurc run --local NAME --full-refresh))",
    )
    assert plan_changes(T, HAVE, want, required_ok=True).problems == ()


def part(column: str, transform: str | None = None, arg: int | None = None) -> Partition:
    return {"column": column, "transform": transform, "arg": arg}


def test_partition_spec_evolution() -> None:
    assert plan_partitions(["days(ts)"], [part("ts", "days")]) == ()
    assert plan_partitions(["d"], [part("d", "identity")]) == ()
    assert plan_partitions([], [part("ts", "days"), part("id", "bucket", 16)]) == (
        "ADD PARTITION FIELD days(`ts`)",
        "ADD PARTITION FIELD bucket(16, `id`)",
    )
    assert plan_partitions(["days(ts)", "bucket(16, id)"], [part("ts", "hours")]) == (
        "DROP PARTITION FIELD days(ts)",
        "DROP PARTITION FIELD bucket(16, id)",
        "ADD PARTITION FIELD hours(`ts`)",
    )


def test_an_empty_table_takes_any_contract() -> None:
    have = [("product_id", "string"), ("qty", "bigint"), ("gone", "int")]
    want = [SAME[0], col("qty", "int"), col("sku", "string", False)]
    plan = plan_changes(T, have, want, empty=True)
    assert plan.problems == ()
    assert plan.alters == (
        "DROP COLUMN `qty`",
        "ADD COLUMN `qty` int",
        "ADD COLUMN `sku` string",
        "DROP COLUMN `gone`",
    )
