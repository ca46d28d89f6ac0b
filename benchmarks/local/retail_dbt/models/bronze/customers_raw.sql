-- ingest_customers: JSON lines of landing/customers
SELECT
  CAST(customer_id AS VARCHAR) AS customer_id,
  CAST(email AS VARCHAR) AS email,
  CAST(full_name AS VARCHAR) AS full_name,
  CAST(country AS VARCHAR) AS country,
  TRY_CAST(signup_date AS DATE) AS signup_date,
  TRY_CAST(updated_at AS TIMESTAMP) AS updated_at,
  now() AS _ingested_at,
  filename AS _source_file,
  'crm' AS _source_system
FROM read_json_auto('{{ var("landing") }}/customers/*.jsonl', filename = true, union_by_name = true)
