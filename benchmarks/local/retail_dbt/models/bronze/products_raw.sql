-- ingest_products: JSON lines of landing/products
SELECT
  CAST(product_id AS VARCHAR) AS product_id,
  CAST(name AS VARCHAR) AS name,
  CAST(category AS VARCHAR) AS category,
  TRY_CAST(list_price AS DECIMAL(10, 2)) AS list_price,
  CAST(tags AS VARCHAR[]) AS tags,
  now() AS _ingested_at,
  filename AS _source_file,
  'pim' AS _source_system
FROM read_json_auto('{{ var("landing") }}/products/*.jsonl', filename = true, union_by_name = true)
