"""The MERGE statement the runtime builds (pure string: no Spark needed)."""

from __future__ import annotations

from alur_runtime.gate import proven_checks
from alur_runtime.merge import merge_side_sql, merge_target_sql


def test_merge_sql_applies_only_the_records_the_runtime_selected() -> None:
    # Which records apply (newer than the stored version, tombstones) is decided before the
    # MERGE (alur_runtime/merge.py applied_records); the statement only routes them.
    sql = merge_target_sql("glue_catalog.`db`.`t`", "v", ["id", "a`b"], ["id"])
    assert sql.splitlines() == [
        "MERGE INTO glue_catalog.`db`.`t` AS t",
        "USING v AS s",
        "ON t.`id` = s.`id`",
        "WHEN MATCHED AND s.__alur_delete THEN DELETE",
        "WHEN MATCHED THEN UPDATE SET t.`id` = s.`id`, t.`a``b` = s.`a``b`",
        "WHEN NOT MATCHED AND NOT s.__alur_delete THEN INSERT (`id`, `a``b`) "
        "VALUES (s.`id`, s.`a``b`)",
    ]


def test_merge_sql_with_composite_keys_and_side_table() -> None:
    sql = merge_target_sql("t1", "v", ["k1", "k2", "x"], ["k1", "k2"])
    assert "ON t.`k1` = s.`k1` AND t.`k2` = s.`k2`" in sql
    side = merge_side_sql("t1__alur_tombstones", "d", ["k1", "k2"], "tombstones")
    assert "WHEN MATCHED AND NOT d.__alur_deleted THEN DELETE" in side
    assert "ON k.`k1` = d.`k1` AND k.`k2` = d.`k2`" in side
    assert "DELETE" not in merge_side_sql("t1__alur_tombstones", "d", ["k1"], "versions")


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
