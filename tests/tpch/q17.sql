-- TPC-H Q17, Trino dialect (validation parameters, as DuckDB's tpch_answers)
SELECT
  CAST(SUM(l_extendedprice) AS DOUBLE) / 7.0 AS avg_yearly
FROM lineitem, part
WHERE
  p_partkey = l_partkey
  AND p_brand = 'Brand#23'
  AND p_container = 'MED BOX'
  AND l_quantity < (
    SELECT
      0.2 * AVG(l_quantity)
    FROM lineitem
    WHERE
      l_partkey = p_partkey
  )
