SELECT
  o.order_date,
  p.category,
  COUNT(DISTINCT o.order_id) AS orders,
  SUM(o.quantity) AS units,
  SUM(o.amount) AS revenue
FROM {{ ref('orders') }} AS o
JOIN {{ ref('products') }} AS p ON p.product_id = o.product_id
WHERE o.status NOT IN ('cancelled', 'returned')
  AND o.order_date IS NOT NULL
GROUP BY o.order_date, p.category
