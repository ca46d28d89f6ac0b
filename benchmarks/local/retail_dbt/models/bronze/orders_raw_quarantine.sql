SELECT * EXCLUDE (_bad_row),
       CASE WHEN _bad_row THEN 'bad_row' ELSE 'not_null_order_id' END AS _reason
FROM {{ ref('orders_raw_all') }}
WHERE order_id IS NULL OR _bad_row
