{{ config(unique_key='order_id') }}
-- clean_orders: merge by order_id, latest updated_at wins, status 'deleted' removes the key;
-- accepted_values(status) quarantine and between(quantity, 1, 1000) drop happen before
WITH src AS (
  SELECT
    o.order_id,
    o.customer_id,
    o.product_id,
    o.quantity,
    o.unit_price,
    o.quantity * o.unit_price AS amount,
    lower(trim(o.status)) AS status,
    o.order_ts,
    CAST(o.order_ts AS DATE) AS order_date,
    o.updated_at
  FROM {{ ref('orders_raw') }} AS o
  WHERE o.order_id IS NOT NULL
    AND o.customer_id IS NOT NULL
    AND o.updated_at IS NOT NULL
), passed AS (
  SELECT * FROM src
  WHERE (status IS NULL
         OR status IN ('placed', 'shipped', 'delivered', 'cancelled', 'returned', 'deleted'))
    AND (quantity IS NULL OR quantity BETWEEN 1 AND 1000)
), latest AS (
  SELECT * FROM passed
  QUALIFY row_number() OVER (PARTITION BY order_id ORDER BY updated_at DESC) = 1
)
SELECT * FROM latest WHERE status IS DISTINCT FROM 'deleted'
