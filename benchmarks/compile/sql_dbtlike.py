"""SQL of the `dbtlike` shape: a real dbt project's idiom, `SELECT *` through several CTEs.

Staging models read one source (`WITH source AS (SELECT * FROM ...)`, a `renamed` CTE, a
`filtered` CTE, `SELECT * FROM final`), intermediate models join two staging models with
`o.*`, marts aggregate. `{r0}`, `{r1}` are the tables read. Valid Spark and DuckDB SQL.
Column types and nullability are what alurc's column checking derives for each query.
"""

from __future__ import annotations

from synth_model import Col

STAGING = """WITH source AS (
  SELECT * FROM {r0}
),
renamed AS (
  SELECT
    record_id,
    account_id,
    lower(trim(category)) AS category,
    lower(trim(status)) AS status,
    quantity,
    unit_price,
    quantity * unit_price AS amount,
    discount,
    event_ts,
    CAST(event_ts AS DATE) AS event_date,
    updated_at
  FROM source
),
filtered AS (
  SELECT * FROM renamed
  WHERE record_id IS NOT NULL
    AND updated_at IS NOT NULL
    AND status <> '{skip}'
),
final AS (
  SELECT * FROM filtered
)
SELECT * FROM final
"""
STAGING_COLUMNS = (
    Col("record_id", "string", False, "Business key."),
    Col("account_id", "string", True, "Owning account."),
    Col("category", "string", True, "Normalised category."),
    Col("status", "string", True, "Normalised status."),
    Col("quantity", "int", True, "Units."),
    Col("unit_price", "decimal(10,2)", True, "Price per unit."),
    Col("amount", "decimal(21,2)", True, "quantity * unit_price."),
    Col("discount", "double", True, "Discount rate."),
    Col("event_ts", "timestamp", True, "Event time."),
    Col("event_date", "date", True, "Event day."),
    Col("updated_at", "timestamp", False, "Sequence column for the merge."),
)

INTERMEDIATE = """WITH base AS (
  SELECT * FROM {r0}
),
related AS (
  SELECT account_id, COUNT(*) AS related_records, MAX(updated_at) AS last_related_at
  FROM {r1}
  GROUP BY account_id
),
joined AS (
  SELECT b.*, r.related_records, r.last_related_at
  FROM base AS b
  LEFT JOIN related AS r ON r.account_id = b.account_id
),
final AS (
  SELECT * FROM joined
)
SELECT * FROM final
"""
INTERMEDIATE_COLUMNS = (
    *STAGING_COLUMNS,
    Col("related_records", "bigint", True, "Records of the same account elsewhere."),
    Col("last_related_at", "timestamp", True, "Latest related change."),
)

MART = """WITH base AS (
  SELECT * FROM {r0}
),
daily AS (
  SELECT
    event_date,
    category,
    COUNT(*) AS records,
    SUM(quantity) AS units,
    SUM(amount) AS revenue
  FROM base
  WHERE event_date IS NOT NULL
  GROUP BY event_date, category
),
final AS (
  SELECT * FROM daily
)
SELECT * FROM final
"""
MART_COLUMNS = (
    Col("event_date", "date", False, "Day."),
    Col("category", "string", True, "Category."),
    Col("records", "bigint", False, "Records of the day."),
    Col("units", "bigint", True, "Units."),
    Col("revenue", "decimal(31,2)", True, "Revenue in EUR."),
)
