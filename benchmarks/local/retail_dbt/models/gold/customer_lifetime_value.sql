WITH per_customer AS (
  SELECT
    customer_id,
    MIN(order_ts) AS first_order_ts,
    MAX(order_ts) AS last_order_ts,
    COUNT(DISTINCT order_id) AS orders,
    SUM(amount) AS lifetime_value
  FROM {{ ref('orders') }}
  WHERE status NOT IN ('cancelled', 'returned')
  GROUP BY customer_id
)
SELECT
  pc.customer_id,
  c.country,
  pc.first_order_ts,
  pc.last_order_ts,
  pc.orders,
  pc.lifetime_value,
  CASE
    WHEN pc.lifetime_value >= 1000 THEN 'vip'
    WHEN pc.orders >= 3 THEN 'regular'
    ELSE 'new'
  END AS segment
FROM per_customer AS pc
LEFT JOIN {{ ref('customers') }} AS c ON c.customer_id = pc.customer_id
