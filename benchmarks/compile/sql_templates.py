"""SQL templates of the synthetic lakehouse and the columns (Spark types) each one returns.

`{r0}`, `{r1}` stand for the tables read; the SQL is valid in Spark and DuckDB alike. Types
are Spark's analyzer types (decimal arithmetic included); NOT NULL only where the SQL
provably filters NULLs, so alurc's column checking accepts every pipeline.
"""

from __future__ import annotations

from synth_model import Col

BRONZE_COLUMNS = (
    Col("record_id", "string", False, "Business key of the record in the source system."),
    Col("account_id", "string", True, "Account the record belongs to."),
    Col("category", "string", True, "Product or service category, free text."),
    Col("status", "string", True, "Lifecycle status as exported."),
    Col("quantity", "int", True, "Units."),
    Col("unit_price", "decimal(10,2)", True, "Price per unit in EUR."),
    Col("discount", "double", True, "Discount rate between 0 and 1."),
    Col("event_ts", "timestamp", True, "When the event happened."),
    Col("updated_at", "timestamp", True, "Last change in the source; newer wins."),
)

SILVER_COLUMNS = (
    Col("record_id", "string", False, "Business key."),
    Col("account_id", "string", True, "Owning account."),
    Col("category", "string", True, "Normalised category (lower case, trimmed)."),
    Col("status", "string", True, "Normalised status."),
    Col("quantity", "int", True, "Units."),
    Col("unit_price", "decimal(10,2)", True, "Price per unit."),
    Col("amount", "decimal(21,2)", True, "quantity * unit_price."),
    Col("discount_band", "string", True, "none, low or high."),
    Col("event_ts", "timestamp", True, "Event time."),
    Col("event_date", "date", True, "Event day."),
    Col("updated_at", "timestamp", False, "Sequence column for the merge."),
)
ENRICH_COLUMNS = (
    Col("related_records", "bigint", True, "Records of the same account upstream."),
    Col("last_related_at", "timestamp", True, "Latest related change."),
)

_SILVER_SELECT = """\
  {a}.record_id,
  {a}.account_id,
  lower(trim({a}.category)) AS category,
  lower(trim({a}.status)) AS status,
  {a}.quantity,
  {a}.unit_price,
  {a}.quantity * {a}.unit_price AS amount,
  CASE
    WHEN {a}.discount > 0.5 THEN 'high'
    WHEN {a}.discount > 0 THEN 'low'
    ELSE 'none'
  END AS discount_band,
  {a}.event_ts,
  CAST({a}.event_ts AS DATE) AS event_date,
  {a}.updated_at"""
_SILVER_WHERE = "{a}.record_id IS NOT NULL\n  AND {a}.updated_at IS NOT NULL"

SILVER_CLEAN = f"""SELECT
{_SILVER_SELECT.format(a="r")}
FROM {{r0}} AS r
WHERE {_SILVER_WHERE.format(a="r")}
  AND r.status <> '{{skip}}'
"""

SILVER_DEDUP = f"""WITH ranked AS (
  SELECT
    b.record_id, b.account_id, b.category, b.status, b.quantity, b.unit_price,
    b.discount, b.event_ts, b.updated_at,
    ROW_NUMBER() OVER (PARTITION BY b.record_id ORDER BY b.updated_at DESC) AS rn
  FROM {{r0}} AS b
)
SELECT
{_SILVER_SELECT.format(a="k")}
FROM ranked AS k
WHERE k.rn = 1
  AND {_SILVER_WHERE.format(a="k")}
"""

SILVER_ENRICH = f"""WITH related AS (
  SELECT s.account_id, COUNT(*) AS related_records, MAX(s.updated_at) AS last_related_at
  FROM {{r1}} AS s
  GROUP BY s.account_id
)
SELECT
{_SILVER_SELECT.format(a="r")},
  x.related_records,
  x.last_related_at
FROM {{r0}} AS r
LEFT JOIN related AS x ON x.account_id = r.account_id
WHERE {_SILVER_WHERE.format(a="r")}
"""

GOLD_DAILY = """SELECT
  s.event_date,
  s.category,
  COUNT(DISTINCT s.record_id) AS records,
  SUM(s.quantity) AS units,
  SUM(s.amount) AS revenue,
  AVG(s.unit_price) AS avg_price
FROM {r0} AS s
WHERE s.status NOT IN ('cancelled', 'returned')
  AND s.event_date IS NOT NULL
GROUP BY s.event_date, s.category
"""
GOLD_DAILY_COLUMNS = (
    Col("event_date", "date", False, "Day."),
    Col("category", "string", True, "Category."),
    Col("records", "bigint", False, "Distinct records."),
    Col("units", "bigint", True, "Units sold."),
    Col("revenue", "decimal(31,2)", True, "Revenue in EUR."),
    Col("avg_price", "decimal(14,6)", True, "Average unit price."),
)

GOLD_ACCOUNTS = """WITH a AS (
  SELECT
    s.account_id,
    SUM(s.amount) AS total_amount,
    COUNT(*) AS records,
    MAX(s.event_ts) AS last_event_ts
  FROM {r0} AS s
  WHERE s.account_id IS NOT NULL
  GROUP BY s.account_id
),
b AS (
  SELECT t.account_id, COUNT(*) AS other_records
  FROM {r1} AS t
  GROUP BY t.account_id
)
SELECT
  a.account_id,
  a.total_amount,
  a.records,
  COALESCE(b.other_records, 0) AS other_records,
  a.last_event_ts,
  CASE
    WHEN a.total_amount >= 10000 THEN 'platinum'
    WHEN a.total_amount >= 1000 THEN 'gold'
    ELSE 'standard'
  END AS tier
FROM a
LEFT JOIN b ON b.account_id = a.account_id
WHERE a.account_id IS NOT NULL
"""
GOLD_ACCOUNTS_COLUMNS = (
    Col("account_id", "string", False, "Account."),
    Col("total_amount", "decimal(31,2)", True, "Lifetime amount."),
    Col("records", "bigint", False, "Records of the account."),
    Col("other_records", "bigint", False, "Records in the second source."),
    Col("last_event_ts", "timestamp", True, "Latest event."),
    Col("tier", "string", True, "standard, gold or platinum."),
)

GOLD_TRENDS = """WITH daily AS (
  SELECT s.category, s.event_date, SUM(s.amount) AS revenue
  FROM {r0} AS s
  GROUP BY s.category, s.event_date
)
SELECT
  d.category,
  d.event_date,
  d.revenue,
  SUM(d.revenue) OVER (
    PARTITION BY d.category ORDER BY d.event_date
    ROWS BETWEEN 6 PRECEDING AND CURRENT ROW
  ) AS revenue_7d,
  RANK() OVER (PARTITION BY d.event_date ORDER BY d.revenue DESC) AS daily_rank
FROM daily AS d
"""
GOLD_TRENDS_COLUMNS = (
    Col("category", "string", True, "Category."),
    Col("event_date", "date", True, "Day."),
    Col("revenue", "decimal(31,2)", True, "Revenue of the day."),
    Col("revenue_7d", "decimal(38,2)", True, "Revenue over the last 7 days."),
    Col("daily_rank", "int", True, "Rank of the category on that day."),
)
