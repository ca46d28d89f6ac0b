WITH ord AS (SELECT order_id FROM stg_orders)
SELECT ord.order_id,
  ord.note  -- E: AL403 relation 'ord' (a CTE) has no column 'note'
FROM ord
