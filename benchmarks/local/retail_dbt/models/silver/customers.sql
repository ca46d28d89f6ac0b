{{ config(unique_key='customer_id') }}
-- clean_customers (sql/clean_customers.sql), merge by customer_id, latest updated_at wins;
-- length_between(country, 2, 2) action quarantine: those rows are not published
WITH src AS (
  SELECT
    c.customer_id,
    lower(trim(c.email)) AS email,
    c.full_name,
    upper(c.country) AS country,
    c.signup_date,
    c.updated_at
  FROM {{ ref('customers_raw') }} AS c
  WHERE c.customer_id IS NOT NULL
    AND c.updated_at IS NOT NULL
), passed AS (
  SELECT * FROM src WHERE country IS NULL OR length(country) BETWEEN 2 AND 2
)
SELECT * FROM passed
{% if is_incremental() %}WHERE updated_at > (SELECT max(updated_at) FROM {{ this }}){% endif %}
QUALIFY row_number() OVER (PARTITION BY customer_id ORDER BY updated_at DESC) = 1
