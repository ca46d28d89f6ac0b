SELECT
  c.customer_id,
  lower(trim(c.email)) AS email,
  c.full_name,
  upper(c.country) AS country,
  c.signup_date,
  c.updated_at
FROM customers_raw AS c
WHERE c.customer_id IS NOT NULL
  AND c.updated_at IS NOT NULL
