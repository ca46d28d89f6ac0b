# ruff: noqa: E501  (YAML rows of the template read best one per line)
"""The example unit test `alurc init` writes (tests/clean_orders.yaml, run by `alurc test`).

Its expected rows follow from the sample's clean_orders pipeline and orders contract by
hand: the newest update per order wins, status is trimmed and lower-cased, amount is
quantity * unit_price, a quantity outside 1..1000 is dropped, an unknown status goes to
the quarantine.
"""

CLEAN_ORDERS_TEST = """\
# A unit test of pipelines/clean_orders.yaml: run it with `alurc test` (specs/testing.md).
# Given rows for the pipeline's upstream table and the target's rows before the run, it
# expects the target's rows after the merge. Expected rows are required.
apiVersion: alur/v1
kind: Test
name: clean_orders_merges_latest
description: The newest update of an order wins; bad rows are dropped or quarantined.
pipeline: clean_orders
existing:
  - {order_id: O1, status: placed, quantity: 1, unit_price: "5.00", amount: "5.00", updated_at: "2026-01-05 09:00:00"}
given:
  orders_raw:
    - {order_id: O1, status: shipped, quantity: 1, unit_price: "5.00", updated_at: "2026-01-06 08:00:00"}
    - {order_id: O2, status: " Placed ", quantity: 2, unit_price: "6.00", updated_at: "2026-01-05 10:00:00"}
    - {order_id: O3, status: placed, quantity: 0, unit_price: "6.00", updated_at: "2026-01-05 11:00:00"}
    - {order_id: O4, status: lost, quantity: 1, unit_price: "6.00", updated_at: "2026-01-05 12:00:00"}
expect:
  rows:
    - {order_id: O1, status: shipped, amount: "5.00", updated_at: "2026-01-06 08:00:00"}
    - {order_id: O2, status: placed, amount: "12.00", updated_at: "2026-01-05 10:00:00"}
  quarantine:
    - {order_id: O4, status: lost, _failed_checks: [accepted_values_status]}
  checks:
    between_quantity: dropped
    accepted_values_status: quarantined
"""
