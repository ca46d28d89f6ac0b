{{ config(unique_key='product_id') }}
-- clean_products; not_null(list_price) action drop
SELECT product_id, trim(name) AS name, category, list_price, tags
FROM {{ ref('products_raw') }}
WHERE name IS NOT NULL
  AND list_price IS NOT NULL
