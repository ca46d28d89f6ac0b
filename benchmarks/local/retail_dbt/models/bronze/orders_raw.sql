-- bad rows and the contract's not_null(order_id) check (action quarantine) stay out
SELECT * EXCLUDE (_bad_row) FROM {{ ref('orders_raw_all') }}
WHERE order_id IS NOT NULL AND NOT _bad_row
