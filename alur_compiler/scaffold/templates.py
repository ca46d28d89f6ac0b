"""The files of a new project, as `string.Template` texts keyed by relative path.

`$name` is the project name, `$prefix` a bucket-safe form of it (dashes, at most 40
characters). The sample is a small medallion: CSV order exports ingested into bronze,
merged into silver by key (latest update wins), aggregated per day into gold.
"""

from __future__ import annotations

from alur_compiler.scaffold.test_template import CLEAN_ORDERS_TEST

ALUR_YAML = """\
apiVersion: alur/v1
kind: Project
name: $name
description: A new alurc project - orders from CSV exports to daily sales.
paths: [contracts, ingestions, pipelines]
defaults:
  glue:
    worker_type: G.1X
    workers: 2
    timeout_minutes: 60
local:
  landing: data/landing
  warehouse: .alur/warehouse
environments:
  dev:
    region: eu-west-1
    buckets:
      lake: $prefix-dev-lake
      artifacts: $prefix-dev-artifacts
      landing: $prefix-dev-landing
    state:
      backend: local
    tags:
      project: $name
  # A production environment: protected (deletion protection, no force_destroy,
  # prevent_destroy) and encrypted with its own KMS key (or kms: {alias: alias/x}).
  # prod:
  #   region: eu-west-1
  #   buckets:
  #     lake: $prefix-prod-lake
  #     artifacts: $prefix-prod-artifacts
  #     landing: $prefix-prod-landing
  #   kms: {create: true}
  #   protected: true
"""

ORDERS_RAW = """\
apiVersion: alur/v1
kind: Table
name: orders_raw
layer: bronze
description: Order lines exactly as the shop exports them, one CSV file per export.
columns:
  - name: order_id
    type: string
    nullable: false
    description: Shop order number.
  - name: customer_id
    type: string
  - name: product
    type: string
  - name: quantity
    type: int
  - name: unit_price
    type: decimal(10,2)
  - name: status
    type: string
    description: placed, shipped, delivered or cancelled.
  - name: order_ts
    type: timestamp
  - name: updated_at
    type: timestamp
    description: When the shop last changed the order; the newest version wins.
checks:
  - type: not_null
    column: order_id
    action: quarantine
"""

ORDERS = """\
apiVersion: alur/v1
kind: Table
name: orders
layer: silver
description: One row per order, latest version only, cleaned and typed.
columns:
  - name: order_id
    type: string
    nullable: false
  - name: customer_id
    type: string
    pii: true
  - name: product
    type: string
  - name: quantity
    type: int
  - name: unit_price
    type: decimal(10,2)
  - name: amount
    type: decimal(21,2)
    description: quantity * unit_price.
  - name: status
    type: string
  - name: order_ts
    type: timestamp
  - name: order_date
    type: date
  - name: updated_at
    type: timestamp
primary_key: [order_id]
checks:
  - type: accepted_values
    column: status
    values: [placed, shipped, delivered, cancelled]
    action: quarantine
  - type: between
    column: quantity
    min: 1
    max: 1000
    action: drop
"""

DAILY_SALES = """\
apiVersion: alur/v1
kind: Table
name: daily_sales
layer: gold
description: Orders, units and revenue per day, without cancelled orders.
columns:
  - name: order_date
    type: date
  - name: orders
    type: bigint
  - name: units
    type: bigint
  - name: revenue
    type: decimal(31,2)
checks:
  - type: row_count_between
    min: 1
    action: fail
  - type: expression
    name: revenue_not_negative
    sql: revenue >= 0
    action: fail
"""

INGEST_ORDERS = """\
apiVersion: alur/v1
kind: Ingestion
name: ingest_orders
description: Load the shop's order exports (CSV) into bronze, each file once.
target: orders_raw
source_system: shop
sources:
  - path: orders/
    format: csv
    pattern: "*.csv"
    options:
      header: true
on_bad_file: fail
on_bad_row: quarantine
schedule:
  cron: "0 * * * ? *"
"""

CLEAN_ORDERS = """\
apiVersion: alur/v1
kind: Pipeline
name: clean_orders
description: Clean order lines; the latest update of an order wins.
target: orders
sql: |
  SELECT
    o.order_id,
    o.customer_id,
    o.product,
    o.quantity,
    o.unit_price,
    o.quantity * o.unit_price AS amount,
    lower(trim(o.status)) AS status,
    o.order_ts,
    to_date(o.order_ts) AS order_date,
    o.updated_at
  FROM orders_raw AS o
  WHERE o.order_id IS NOT NULL
mode: merge
merge:
  keys: [order_id]
  sequence_by: updated_at
incremental:
  source: orders_raw
  watermark: _ingested_at
schedule:
  after: [ingest_orders]
"""

DAILY_SALES_PIPELINE = """\
apiVersion: alur/v1
kind: Pipeline
name: daily_sales
description: Orders, units and revenue per day.
target: daily_sales
sql: |
  SELECT
    order_date,
    COUNT(DISTINCT order_id) AS orders,
    SUM(quantity) AS units,
    SUM(amount) AS revenue
  FROM silver.orders
  WHERE status <> 'cancelled'
  GROUP BY order_date
mode: overwrite
schedule:
  after: [clean_orders]
"""

ORDERS_CSV = """\
order_id,customer_id,product,quantity,unit_price,status,order_ts,updated_at
O0001,C001,coffee beans,2,12.50,placed,2026-01-05 09:12:00,2026-01-05 09:12:00
O0002,C002,espresso cups,4,6.00,placed,2026-01-05 10:40:00,2026-01-05 10:40:00
O0003,C001,milk frother,1,39.90,placed,2026-01-05 17:03:00,2026-01-05 17:03:00
O0002,C002,espresso cups,4,6.00,shipped,2026-01-05 10:40:00,2026-01-06 08:00:00
O0004,C003,coffee beans,1,12.50,cancelled,2026-01-06 11:30:00,2026-01-06 12:00:00
O0005,C003,grinder,1,89.00,placed,2026-01-06 15:45:00,2026-01-06 15:45:00
"""

GITIGNORE = """\
# alurc output and local runs
build/
.alur/
spark-warehouse/
metastore_db/
derby.log
__pycache__/
"""

README = """\
# $name

An alurc project: YAML specs compiled into AWS Glue jobs, data-quality suites and
Terraform.

    alurc validate          # check every spec, all errors at once
    alurc run --local       # ingest data/landing and run the pipelines on local Spark
    alurc test              # run the unit tests in tests/ (given rows, expected rows)
    alurc compile           # write build/ (Glue scripts, GX suites, Terraform)

- `contracts/` tables (bronze, silver, gold) with columns and checks
- `ingestions/` files from the landing bucket into bronze
- `pipelines/` Spark SQL transforms into silver and gold
- `tests/` unit tests of the pipelines (`kind: Test`, run by `alurc test`)
- `data/landing/` sample files for local runs

Open the folder in VS Code with the YAML extension (redhat.vscode-yaml) for completion,
hover docs and validation: `.vscode/settings.json` maps the schemas in
`.vscode/alur-schemas/` to the spec files.
"""

EXTENSIONS_JSON = """\
{
  "recommendations": ["redhat.vscode-yaml"]
}
"""

#: Relative path -> template text. Settings and schema copies are added by the scaffolder.
FILES: dict[str, str] = {
    "alur.yaml": ALUR_YAML,
    "contracts/bronze/orders_raw.yaml": ORDERS_RAW,
    "contracts/silver/orders.yaml": ORDERS,
    "contracts/gold/daily_sales.yaml": DAILY_SALES,
    "ingestions/ingest_orders.yaml": INGEST_ORDERS,
    "pipelines/clean_orders.yaml": CLEAN_ORDERS,
    "pipelines/daily_sales.yaml": DAILY_SALES_PIPELINE,
    "tests/clean_orders.yaml": CLEAN_ORDERS_TEST,
    "data/landing/orders/orders_2026-01-05.csv": ORDERS_CSV,
    ".gitignore": GITIGNORE,
    "README.md": README,
    ".vscode/extensions.json": EXTENSIONS_JSON,
}
