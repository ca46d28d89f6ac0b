"""The floor: the cheapest Spark query that yields every count the native verdicts need.

A reference point for the quality benchmark, not an evaluator: ONE `spark.sql` statement
(parsed and analysed once, no DataFrame calls, no caching, no flag columns, no rows to
publish) that is a union of

- the row pass: the row count, each row check's unexpected and considered counts, each
  freshness column's maximum and each relationship's considered count;
- per unique check: the rows of its duplicate groups, by ONE window count over the key
  (cheaper than the evaluator's, which also keeps each group's keys to flag rows);
- per relationship: a left-anti join of the non-NULL values to the target.

It is built from the same lowered checks as the evaluator (`native_checks`), and
`bench_quality.py` checks that its counts equal the evaluator's, so it computes the same
thing. Whatever the evaluator does beyond this is overhead; so no evaluator that runs its
counts as Spark SQL on this machine can be faster than this query.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from alur_runtime.conform import quote_ident as _q_ident

VIEW = "__alurc_bench_floor_src"


def _map(pairs: list[tuple[str, str]]) -> str:
    return "map(" + ", ".join(f"'{name}', CAST({sql} AS BIGINT)" for name, sql in pairs) + ")"


def floor_sql(checks: Sequence[dict[str, Any]]) -> str:
    """The union statement over the temp view VIEW (the targets are session tables)."""
    main = [("n", "count(1)")]
    branches = []
    for i, c in enumerate(checks):
        if c["level"] == "row":
            main.append((f"e{i}", f"count_if({c['considered_expr']})"))
            if c["type"] == "unique":
                keys = ", ".join(_q_ident(col) for col in c["columns"])
                window = f"SELECT count(1) OVER (PARTITION BY {keys}) AS c FROM {VIEW}"
                inner = f"{window} WHERE {c['considered_expr']}"
                branches.append(f"SELECT {_map([(f'u{i}', 'count_if(c > 1)')])} FROM ({inner})")
            else:
                main.append((f"u{i}", f"count_if(coalesce(({c['fail_expr']}), FALSE))"))
        elif c["type"] == "freshness":
            main.append((f"ts{i}", f"unix_micros(CAST(max({_q_ident(c['column'])}) AS TIMESTAMP))"))
        elif c["type"] == "relationship":
            col, ref = _q_ident(c["column"]), _q_ident(c["ref_column"])
            main.append((f"e{i}", f"count_if({col} IS NOT NULL)"))
            anti = (
                f"SELECT 1 FROM {VIEW} s LEFT ANTI JOIN {c['ref_table']} t "
                f"ON s.{col} = t.{ref} WHERE s.{col} IS NOT NULL"
            )
            branches.append(f"SELECT {_map([(f'u{i}', 'count(1)')])} FROM ({anti})")
    union = [f"SELECT {_map(main)} AS m FROM {VIEW}", *branches]
    return "\nUNION ALL\n".join(union)


def run_floor(spark: Any, df: Any, sql: str) -> dict[str, int]:
    """Run `sql` on `df` (as VIEW) and return every count by name.

    The view is left registered on purpose: `dropTempView` also UNCACHES the view's plan,
    which is `df`'s own, so dropping it would silently uncache the benchmark's DataFrame
    for every later run of every side. Re-registering the same plan uncaches nothing.
    """
    df.createOrReplaceTempView(VIEW)
    stats: dict[str, int] = {}
    for got in spark.sql(sql).collect():
        stats.update(got[0])
    return stats


def mismatches(checks: Sequence[dict[str, Any]], floor: dict[str, int], native: Any) -> list[str]:
    """Checks whose unexpected or considered count differs between the floor and native."""
    out = []
    for i, (c, r) in enumerate(zip(checks, native.results, strict=True)):
        want = (floor.get(f"u{i}"), floor.get(f"e{i}"))
        got = (r.get("unexpected_count"), r.get("considered_count"))
        if c["type"] in ("row_count_between", "freshness"):
            want, got = (floor["n"], None), (r["element_count"], None)
        if want != got:
            out.append(f"{c['name']}: floor {want} != native {got}")
    return out
