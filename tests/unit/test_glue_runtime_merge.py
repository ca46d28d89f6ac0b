"""The MERGE statement the runtime builds (pure string: no Spark needed)."""

from __future__ import annotations

from alur_runtime.gate import proven_checks
from alur_runtime.publish import merge_sql


def test_merge_sql_with_sequence_and_delete() -> None:
    sql = merge_sql("glue_catalog.`db`.`t`", "v", ["id", "a`b"], ["id"], "seq", True)
    assert sql.splitlines() == [
        "MERGE INTO glue_catalog.`db`.`t` AS t",
        "USING v AS s",
        "ON t.`id` = s.`id`",
        "WHEN MATCHED AND (s.`seq` >= t.`seq` OR t.`seq` IS NULL) AND s.__alur_delete THEN DELETE",
        "WHEN MATCHED AND (s.`seq` >= t.`seq` OR t.`seq` IS NULL) THEN UPDATE SET "
        "t.`id` = s.`id`, t.`a``b` = s.`a``b`",
        "WHEN NOT MATCHED AND NOT s.__alur_delete THEN INSERT (`id`, `a``b`) "
        "VALUES (s.`id`, s.`a``b`)",
    ]


def test_merge_sql_without_sequence_or_delete() -> None:
    sql = merge_sql("t1", "v", ["k1", "k2", "x"], ["k1", "k2"], None, False)
    assert "ON t.`k1` = s.`k1` AND t.`k2` = s.`k2`" in sql
    assert "WHEN MATCHED THEN UPDATE SET" in sql
    assert "DELETE" not in sql
    assert sql.endswith(
        "WHEN NOT MATCHED THEN INSERT (`k1`, `k2`, `x`) VALUES (s.`k1`, s.`k2`, s.`x`)"
    )


def test_only_unique_on_exactly_the_merge_keys_is_proven() -> None:
    checks = [
        {"name": "u1", "type": "unique", "columns": ["id"]},
        {"name": "u2", "type": "unique", "columns": ["id", "other"]},
        {"name": "nn", "type": "not_null", "columns": ["id"]},
    ]
    merge = {"keys": ["id"], "sequence_by": None, "delete_when": None}
    assert proven_checks(merge, checks) == {"u1"}  # type: ignore[arg-type]
    assert proven_checks(None, checks) == set()  # type: ignore[arg-type]


def test_watermark_never_passes_an_open_batch() -> None:
    from alur_runtime.pipeline import clamp_watermark

    latest = "2026-11-25 10:00:05.5"
    assert clamp_watermark(latest, None, {}) == "2026-11-25 10:00:05.500000"
    pending = {
        "b1": {"status": "open", "opened_at": "2026-11-25 10:00:02.000000"},
        "b2": {"status": "aborted", "opened_at": "2026-11-25 09:00:00.000000"},
    }
    assert clamp_watermark(latest, None, pending) == "2026-11-25 10:00:01.999999"
    previous = "2026-11-25 10:00:03.000000"
    assert clamp_watermark(latest, previous, pending) == previous
