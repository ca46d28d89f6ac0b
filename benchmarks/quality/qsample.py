"""A hand-built IR project using all 10 check types (shared by quality tests and the bench)."""

from __future__ import annotations

from alur_compiler.ir import Action, Check, CheckType, Column, Layer, Project, Table

T = CheckType

ORDERS_COLUMNS = (
    Column("order_id", "string"),
    Column("customer_id", "string"),
    Column("status", "string"),
    Column("quantity", "int"),
    Column("amount", "double"),
    Column("email", "string"),
    Column("country", "string"),
    Column("order_ts", "timestamp"),
)

ALL_CHECKS: tuple[Check, ...] = (
    Check("order_id_not_null", T.NOT_NULL, Action.FAIL, ("order_id",)),
    Check("order_id_unique", T.UNIQUE, Action.QUARANTINE, ("order_id",)),
    Check("order_customer_unique", T.UNIQUE, Action.WARN, ("order_id", "customer_id")),
    Check(
        "status_accepted",
        T.ACCEPTED_VALUES,
        Action.QUARANTINE,
        ("status",),
        values=("placed", "shipped", "it's {odd}", "back\\slash"),
    ),
    Check("quantity_range", T.BETWEEN, Action.DROP, ("quantity",), min=1, max=1000),
    Check(
        "email_format",
        T.REGEX,
        Action.WARN,
        ("email",),
        pattern=r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$",
        mostly=0.9,
    ),
    Check("country_iso2", T.LENGTH_BETWEEN, Action.WARN, ("country",), min=2, max=2),
    Check("row_count", T.ROW_COUNT_BETWEEN, Action.FAIL, min=1, max=10_000_000),
    Check("fresh_orders", T.FRESHNESS, Action.WARN, ("order_ts",), max_age_seconds=86_400),
    Check("amount_positive", T.EXPRESSION, Action.WARN, sql="amount > 0 OR status = 'x{y}'"),
    Check(
        "customer_exists",
        T.RELATIONSHIP,
        Action.WARN,
        ("customer_id",),
        ref_table="customers",
        ref_column="customer_id",
    ),
)


def project(checks: tuple[Check, ...] = ALL_CHECKS, name: str = "shop") -> Project:
    orders = Table("orders", Layer.SILVER, ORDERS_COLUMNS, checks=checks)
    customers = Table("customers", Layer.SILVER, (Column("customer_id", "string"),))
    return Project(name, "/nonexistent", (customers, orders), (), (), ())
