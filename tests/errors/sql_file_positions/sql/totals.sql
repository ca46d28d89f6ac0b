-- a comment first: positions count from the file's own first line
WITH ord AS (SELECT order_id, amount FROM stg_orders)
SELECT  -- E: AL405 target 'order_totals' has column 'status' (string) that the SQL does not return
  ord.order_id,
  sum(ord.amount) AS total,  -- E: AL407 'total' is decimal(20,2) in the SQL but decimal(12,2)
  count(*) AS n  -- E: AL407 'n' is bigint in the SQL but int
FROM ord
GROUP BY ord.order_id
