-- ingest_orders: every CSV of landing/orders, columns mapped by header name; a row with a
-- value that does not cast to the contract type is a bad row (on_bad_row: quarantine)
WITH files AS (
  SELECT * FROM read_csv('{{ var("landing") }}/orders/*.csv', header = true, delim = ',',
                         union_by_name = true, all_varchar = true, filename = true)
)
SELECT
  order_id,
  customer_id,
  product_id,
  TRY_CAST(quantity AS INTEGER) AS quantity,
  TRY_CAST(unit_price AS DECIMAL(10, 2)) AS unit_price,
  status,
  TRY_CAST(order_ts AS TIMESTAMP) AS order_ts,
  TRY_CAST(updated_at AS TIMESTAMP) AS updated_at,
  (quantity IS NOT NULL AND TRY_CAST(quantity AS INTEGER) IS NULL)
    OR (unit_price IS NOT NULL AND TRY_CAST(unit_price AS DECIMAL(10, 2)) IS NULL)
    OR (order_ts IS NOT NULL AND TRY_CAST(order_ts AS TIMESTAMP) IS NULL)
    OR (updated_at IS NOT NULL AND TRY_CAST(updated_at AS TIMESTAMP) IS NULL) AS _bad_row,
  now() AS _ingested_at,
  filename AS _source_file,
  'webshop' AS _source_system
FROM files
