"""alur_compiler/ir/changes.py: one test per classification case, expected Changes by hand."""

from __future__ import annotations

from dataclasses import replace

from alur_compiler.ir import (
    Column,
    Layer,
    PartitionField,
    Pipeline,
    Project,
    SourceTable,
    Table,
    WriteMode,
)
from alur_compiler.ir.changes import Change, classify, worst
from alur_compiler.ir.shapes import (
    ColumnShape,
    Shapes,
    TableShape,
    load_shapes,
    project_shapes,
    shapes_json,
)

COLS = (
    Column("product_id", "string", nullable=False),
    Column("qty", "int"),
    Column("price", "decimal(10,2)", description="list price"),
)
SQL = "SELECT product_id, qty, price FROM products_raw"
DAILY = "SELECT product_id, SUM(qty) AS qty FROM silver.products GROUP BY product_id"


def proj(cols: tuple[Column, ...] = COLS, sql: str = SQL, **table: object) -> Project:
    products = Table(
        "products", Layer.SILVER, cols, primary_key=("product_id",), file_format="iceberg"
    )
    products = replace(products, **table)  # type: ignore[arg-type]
    raw = Table("products_raw", Layer.BRONZE, COLS)
    gold = Table("sales", Layer.GOLD, (Column("product_id", "string"), Column("qty", "bigint")))
    clean = Pipeline(
        "clean_products",
        "products",
        sql,
        WriteMode.MERGE,
        (SourceTable("products_raw", "products_raw"),),
    )
    agg = Pipeline(
        "sales", "sales", DAILY, WriteMode.OVERWRITE, (SourceTable("products", "silver.products"),)
    )
    return Project(
        name="p",
        root="/p",
        tables=(products, raw, gold),
        pipelines=(clean, agg),
        ingestions=(),
        environments=(),
    )


def changes(after: Project, before: Project | None = None) -> list[Change]:
    return classify(project_shapes(before or proj()), project_shapes(after))


def with_col(column: str, **kw: object) -> tuple[Column, ...]:
    return tuple(replace(c, **kw) if c.name == column else c for c in COLS)  # type: ignore[arg-type]


T = "table products"
REFRESH = "backfill needed: full refresh of products, then sales"


def test_no_change() -> None:
    assert changes(proj()) == []
    assert worst([]) is None


def test_additive_new_nullable_column() -> None:
    got = changes(proj((*COLS, Column("name_length", "int"))))
    assert got == [
        Change(
            T,
            "additive",
            "new column name_length int",
            "ALTER TABLE ADD COLUMN; old rows read NULL",
        )
    ]
    assert worst(got) == "additive"


def test_new_not_null_column_is_breaking() -> None:
    got = changes(proj((*COLS, Column("sku", "string", nullable=False))))
    assert got == [
        Change(
            T,
            "breaking",
            "new NOT NULL column sku",
            "existing rows would read NULL: " + REFRESH,
            ("sales",),
        )
    ]


def test_widening_int_to_bigint() -> None:
    assert changes(proj(with_col("qty", type="bigint"))) == [
        Change(
            T, "widening", "column qty int -> bigint", "ALTER TABLE ALTER COLUMN TYPE (in place)"
        )
    ]


def test_widening_float_to_double_and_decimal_precision() -> None:
    before = proj(with_col("qty", type="float"))
    after = proj(
        tuple(
            replace(c, type={"qty": "double", "price": "decimal(12,2)"}.get(c.name, c.type))
            for c in before.table("products").columns
        )
    )
    assert [(c.kind, c.what) for c in changes(after, before)] == [
        ("widening", "column qty float -> double"),
        ("widening", "column price decimal(10,2) -> decimal(12,2)"),
    ]


def test_narrowing_is_breaking() -> None:
    assert changes(proj(with_col("price", type="decimal(8,2)"))) == [
        Change(
            T,
            "breaking",
            "column price decimal(10,2) -> decimal(8,2) (not in place)",
            REFRESH,
            ("sales",),
        )
    ]


def test_incompatible_type_is_breaking() -> None:
    got = changes(proj(with_col("qty", type="string")))
    assert [(c.kind, c.what) for c in got] == [
        ("breaking", "column qty int -> string (not in place)")
    ]


def test_dropped_column_is_breaking() -> None:
    assert changes(proj(COLS[:2])) == [
        Change(
            T,
            "breaking",
            "column price dropped",
            "the job refuses to drop it: " + REFRESH,
            ("sales",),
        )
    ]


def test_declared_rename_is_breaking_and_says_data_is_kept() -> None:
    got = changes(proj(with_col("qty", name="quantity", renamed_from="qty")))
    assert got == [
        Change(
            T,
            "breaking",
            "column qty renamed to quantity",
            "ALTER TABLE RENAME COLUMN (data kept); readers of the old name must change",
            ("sales",),
        )
    ]


def test_undeclared_rename_is_a_drop_and_an_add() -> None:
    got = changes(proj(with_col("qty", name="quantity")))
    assert [(c.kind, c.what) for c in got] == [
        ("additive", "new column quantity int"),
        ("breaking", "column qty dropped"),
    ]


def test_nullable_to_not_null_is_breaking_and_the_reverse_metadata() -> None:
    got = changes(proj(with_col("qty", nullable=False)))
    assert [(c.kind, c.what) for c in got] == [("breaking", "column qty nullable -> NOT NULL")]
    relaxed = changes(proj(with_col("product_id", nullable=True)))
    assert relaxed == [Change(T, "metadata", "column product_id NOT NULL -> nullable", "none")]


def test_descriptions_pii_and_checks_are_metadata_only() -> None:
    got = changes(proj(with_col("price", description="net price", pii=True), description="new"))
    assert [(c.kind, c.what) for c in got] == [
        ("metadata", "column price description changed"),
        ("metadata", "column price pii changed"),
        ("metadata", "description changed"),
    ]
    assert worst(got) == "metadata"


def test_key_change_is_breaking() -> None:
    got = changes(proj(primary_key=("product_id", "qty")))
    assert got == [
        Change(T, "breaking", "primary key (product_id) -> (product_id, qty)", REFRESH, ("sales",))
    ]


def test_partition_change_is_breaking() -> None:
    got = changes(proj(partition_by=(PartitionField("qty", "bucket", 4),)))
    assert [(c.kind, c.what) for c in got] == [("breaking", "partitioning () -> (bucket(4, qty))")]


def test_layer_and_format_change_is_breaking() -> None:
    got = changes(proj(layer=Layer.GOLD, file_format="parquet"))
    assert [(c.kind, c.what) for c in got] == [
        ("breaking", "layer silver -> gold"),
        ("breaking", "format iceberg -> parquet"),
    ]


def bronze_edit(**table: object) -> Project:
    after = proj()
    raw = replace(after.table("products_raw"), **table)  # type: ignore[arg-type]
    return replace(after, tables=(after.tables[0], raw, after.tables[2]))


def test_bronze_widening_is_breaking_and_says_what_can_be_done() -> None:
    got = changes(bronze_edit(columns=with_col("qty", type="bigint")))
    assert got == [
        Change(
            "table products_raw",
            "breaking",
            "column qty int -> bigint (bronze Parquet files keep their type)",
            "the ingestion refuses to write (Spark reads a Parquet column only as the type it "
            "was written with): keep int in the contract and CAST in the pipelines that read "
            "it, or ingest into a table of a new name",
            ("products", "sales"),
        )
    ]


def test_no_breaking_bronze_change_asks_for_a_refresh_of_the_bronze_table() -> None:
    """An ingestion is never refreshed (alur_runtime/refresh.py): every breaking change of
    a bronze table must say what can be done instead."""
    edits = {
        "type": {"columns": with_col("qty", type="string")},
        "new NOT NULL": {"columns": (*COLS, Column("extra", "int", nullable=False))},
        "dropped": {"columns": COLS[:2]},
        "tightened": {"columns": with_col("qty", nullable=False)},
        "layout": {"partition_by": (PartitionField("qty"),)},
        "key": {"primary_key": ("product_id",)},
        "format": {"file_format": "iceberg"},
    }
    for label, edit in edits.items():
        got = [c for c in changes(bronze_edit(**edit)) if c.entity == "table products_raw"]
        assert [c.kind for c in got] == ["breaking"], label
        assert "refresh" not in got[0].action, (label, got[0].action)
        assert got[0].action, label


def test_logic_change_lists_the_target_and_downstream_tables() -> None:
    got = changes(proj(sql=SQL + " WHERE qty > 0"))
    assert got == [
        Change(
            "pipeline clean_products",
            "logic",
            "SQL or write settings changed",
            "new runs compute the new way; rows already written stay as they are until a "
            "full refresh of products, sales",
            ("products", "sales"),
        )
    ]
    assert worst(got) == "logic"


def test_new_and_removed_tables_and_pipelines() -> None:
    before = proj()
    after = replace(
        before,
        tables=(*before.tables[:2], Table("extra", Layer.GOLD, COLS[:1])),
        pipelines=before.pipelines[:1],
    )
    got = classify(project_shapes(before), project_shapes(after))
    assert [(c.entity, c.kind) for c in got] == [
        ("table extra", "new"),
        ("table sales", "breaking"),  # removed: its data stays, nothing writes it
    ]


def test_observed_shapes_compare_names_and_types_only() -> None:
    observed = Shapes(
        (
            TableShape(
                "products",
                "silver",
                "iceberg",
                (
                    ColumnShape("product_id", "string"),
                    ColumnShape("qty", "int"),
                    ColumnShape("price", "decimal(10,2)"),
                ),
            ),
        )
    )
    after = project_shapes(proj((*COLS, Column("name_length", "int"))))
    got = [c for c in classify(observed, after) if c.entity == T]
    assert [(c.kind, c.what) for c in got] == [("additive", "new column name_length int")]


def test_shapes_round_trip_through_json() -> None:
    shapes = project_shapes(
        proj(with_col("qty", renamed_from="q"), partition_by=(PartitionField("qty", "bucket", 4),))
    )
    assert load_shapes(shapes_json(shapes)) == shapes


def test_apply_refusing_a_bronze_change_never_asks_to_refresh_the_bronze_table() -> None:
    import pytest

    from alur_compiler.deploy.data_changes import DataPlan, refuse_breaking
    from alur_compiler.deploy.errors import DeployError

    plan = DataPlan("s3://x", changes(bronze_edit(columns=with_col("qty", type="bigint"))))
    with pytest.raises(DeployError) as refused:
        refuse_breaking(plan, "dev")
    assert refused.value.hint == (
        "re-run apply with --allow-breaking to apply it anyway; table products_raw: the "
        "ingestion refuses to write (Spark reads a Parquet column only as the type it was "
        "written with): keep int in the contract and CAST in the pipelines that read it, or "
        "ingest into a table of a new name"
    )
    # With a silver change too, only the silver table and its downstream are refreshed.
    both = bronze_edit(columns=with_col("qty", type="bigint"))
    silver = replace(both.tables[0], columns=COLS[:2])
    plan = DataPlan("s3://x", changes(replace(both, tables=(silver, *both.tables[1:]))))
    with pytest.raises(DeployError) as refused:
        refuse_breaking(plan, "dev")
    assert refused.value.hint.startswith(
        "re-run apply with --allow-breaking, then refresh fully products, sales (each"
    )
    assert "table products_raw: the ingestion refuses to write" in refused.value.hint
