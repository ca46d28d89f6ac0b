{% test between(model, column_name, min_value=none, max_value=none) %}
SELECT * FROM {{ model }}
WHERE {{ column_name }} IS NOT NULL AND NOT (
  TRUE
  {% if min_value is not none %} AND {{ column_name }} >= {{ min_value }}{% endif %}
  {% if max_value is not none %} AND {{ column_name }} <= {{ max_value }}{% endif %}
)
{% endtest %}

{% test length_between(model, column_name, min_len, max_len) %}
SELECT * FROM {{ model }}
WHERE {{ column_name }} IS NOT NULL
  AND length({{ column_name }}) NOT BETWEEN {{ min_len }} AND {{ max_len }}
{% endtest %}

{% test regex_mostly(model, column_name, pattern, mostly) %}
SELECT * FROM (
  SELECT count(*) AS n,
         count(*) FILTER (WHERE NOT regexp_matches({{ column_name }}, '{{ pattern }}')) AS bad
  FROM {{ model }} WHERE {{ column_name }} IS NOT NULL
) WHERE n > 0 AND bad > (1 - {{ mostly }}) * n
{% endtest %}

{% test fresh_within_days(model, column_name, days) %}
SELECT * FROM (SELECT max({{ column_name }}) AS latest FROM {{ model }})
WHERE latest < now() - INTERVAL {{ days }} DAY
{% endtest %}

{% test row_count_at_least(model, min_rows) %}
SELECT * FROM (SELECT count(*) AS n FROM {{ model }}) WHERE n < {{ min_rows }}
{% endtest %}
