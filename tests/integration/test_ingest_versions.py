"""File versions by content, recovery without waiting, every partial state (issue 12).

Oracles are plain facts about the landing files (which names hold which bytes) and the
processes this test starts and kills, never alurc's own bookkeeping.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from test_glue_support import HEADER, Harness, project, write_csv

pytestmark = pytest.mark.spark

ROWS_A = ["O1,C1,1,10.50,placed,2026-11-01 10:00:00", "O2,C2,2,20.00,placed,2026-11-01 11:00:00"]
ROWS_B = ["O3,C3,3,30.00,placed,2026-11-02 10:00:00"]


def order_ids(h: Harness) -> list[str]:
    if not (h.tmp / "lake" / "bronze" / "orders_raw").exists():
        return []
    return sorted(r[0] for r in h.bronze().select("order_id").collect())


def harness(spark: Any, tmp: Path, **ingest: Any) -> Harness:
    proj = project(tmp)
    if ingest:
        sources = ingest.pop("sources", None)
        ing = replace(proj.ingestions[0], **ingest)
        if sources is not None:
            ing = replace(ing, sources=sources)
        proj = replace(proj, ingestions=(ing,))
    return Harness(spark, tmp, proj)


def test_touch_is_not_a_new_version_and_copies_are_skipped(spark: Any, tmp_path: Path) -> None:
    h = harness(spark, tmp_path)
    a = write_csv(h.landing, "a.csv", HEADER, ROWS_A)
    assert h.run("ingest_orders")["rows_written"] == 2
    os.utime(a, ns=(10**18, 10**18))  # touch: new mtime, same bytes
    again = h.run("ingest_orders")
    assert (again["files_claimed"], again["rows_read"]) == (0, 0)
    shutil.copyfile(a, h.landing / "orders" / "a_copy.csv")  # same bytes, new name
    copy = h.run("ingest_orders")
    assert copy["status"] == "succeeded"
    assert copy["duplicate_files"] == [
        {"file": str(h.landing / "orders" / "a_copy.csv"), "same_as": str(a)}
    ]
    assert copy["rows_read"] == 0
    assert h.run("ingest_orders")["files_claimed"] == 0  # recorded as handled
    assert order_ids(h) == ["O1", "O2"]
    write_csv(h.landing, "a.csv", HEADER, [*ROWS_A, *ROWS_B])  # new bytes: a new version
    assert h.run("ingest_orders")["rows_written"] == 3
    assert order_ids(h) == ["O1", "O1", "O2", "O2", "O3"]


def test_same_bytes_in_one_run_and_on_duplicate_file_ingest(spark: Any, tmp_path: Path) -> None:
    h = harness(spark, tmp_path / "skip")
    write_csv(h.landing, "x.csv", HEADER, ROWS_B)
    write_csv(h.landing, "y.csv", HEADER, ROWS_B)
    report = h.run("ingest_orders")
    assert [d["file"].rsplit("/", 1)[1] for d in report["duplicate_files"]] == ["y.csv"]
    assert order_ids(h) == ["O3"]
    both = harness(spark, tmp_path / "ingest", on_duplicate_file="ingest")
    write_csv(both.landing, "x.csv", HEADER, ROWS_B)
    write_csv(both.landing, "y.csv", HEADER, ROWS_B)
    assert "duplicate_files" not in both.run("ingest_orders")
    assert order_ids(both) == ["O3", "O3"]


def test_sub_folders_only_with_recursive(spark: Any, tmp_path: Path) -> None:
    flat = harness(spark, tmp_path / "flat")
    write_csv(flat.landing, "top.csv", HEADER, ROWS_A)
    write_csv(flat.landing, "2026/11/deep.csv", HEADER, ROWS_B)
    flat.run("ingest_orders")
    assert order_ids(flat) == ["O1", "O2"]
    proj = project(tmp_path / "deep")
    src = replace(proj.ingestions[0].sources[0], recursive=True)
    deep = harness(spark, tmp_path / "deep", sources=(src,))
    write_csv(deep.landing, "top.csv", HEADER, ROWS_A)
    write_csv(deep.landing, "2026/11/deep.csv", HEADER, ROWS_B)
    deep.run("ingest_orders")
    assert order_ids(deep) == ["O1", "O2", "O3"]


def test_same_named_bad_files_of_sub_folders_keep_their_own_copies(
    spark: Any, tmp_path: Path
) -> None:
    proj = project(tmp_path)
    src = replace(proj.ingestions[0].sources[0], recursive=True)
    h = harness(spark, tmp_path, sources=(src,))
    (h.landing / "orders" / "a").mkdir(parents=True)
    (h.landing / "orders" / "b").mkdir(parents=True)
    (h.landing / "orders" / "a" / "x.csv").write_text("nope\n1\n")  # no order_id column
    (h.landing / "orders" / "b" / "x.csv").write_text("other\n2\n")
    report = h.run("ingest_orders")
    assert report["status"] == "succeeded" and len(report["bad_files"]) == 2
    [batch] = list((h.tmp / "lake" / "quarantine" / "orders_raw" / "files").iterdir())
    copies = {str(p.relative_to(batch)): p.read_text() for p in batch.rglob("*.csv")}
    assert copies == {"a/x.csv": "nope\n1\n", "b/x.csv": "other\n2\n"}


def _fake_claim(h: Harness, file: Path, pid: int, started: str) -> None:
    """A batch of another process that claimed `file` and died (or not) before committing."""
    from alur_runtime.common import list_files
    from alur_runtime.state import LocalStateStore

    store = LocalStateStore(h.args["alur_state"])
    (uri, content) = next(iter(list_files(str(file.parent), file.name)))
    batch = {
        "status": "open",
        "claimed_at": "9999999999",  # far in the future: the lease never expires
        "opened_at": "2026-12-01 10:00:00.000000",
        "owner_host": socket.gethostname(),
        "owner_pid": str(pid),
        "owner_started": started,
    }
    store.put("ingest_orders", "batch#other", batch)
    claim = {"status": "claimed", "batch_id": "other", "uri": uri}
    store.put("ingest_orders", f"file#{uri}#{content}", claim)


def test_live_owner_is_reported_gone_owner_is_recovered_at_once(spark: Any, tmp_path: Path) -> None:
    from alur_runtime.owner import process_start

    h = harness(spark, tmp_path)
    a = write_csv(h.landing, "a.csv", HEADER, ROWS_A)
    owner = subprocess.Popen(["sleep", "120"])
    try:
        started = process_start(owner.pid)
        assert started is not None
        _fake_claim(h, a, owner.pid, started)
        held = h.run("ingest_orders")
        assert (held["status"], held["files_claimed"]) == ("succeeded", 0)
        [claim] = held["claims_held"]
        assert claim["batch_id"] == "other"
        assert claim["owner"] == f"pid {owner.pid} on {socket.gethostname()}"
        assert (claim["owner_liveness"], claim["since"]) == ("alive", "2026-12-01 10:00:00.000000")
        assert claim["files"] == [str(a)]
    finally:
        owner.kill()
        owner.wait()
    report = h.run("ingest_orders")  # the owner is gone: no lease wait
    assert (report["files_claimed"], report["rows_written"]) == (1, 2)
    assert "claims_held" not in report
    other = subprocess.Popen(["sleep", "120"])
    try:  # a reused pid: the process lives but started at another time: the owner is gone
        b = write_csv(h.landing, "b.csv", HEADER, ROWS_B)
        _fake_claim(h, b, other.pid, "1")
        reused = h.run("ingest_orders")
        assert (reused["files_claimed"], reused["rows_written"]) == (1, 1)
    finally:
        other.kill()
        other.wait()
    assert order_ids(h) == ["O1", "O2", "O3"]


@pytest.mark.parametrize("state", ["no_folder", "temporary_only", "empty_folder", "partial"])
def test_recovery_tolerates_every_partial_state(spark: Any, tmp_path: Path, state: str) -> None:
    """A batch killed during the first write into a lake folder: whatever it left."""
    h = harness(spark, tmp_path)
    a = write_csv(h.landing, "a.csv", HEADER, ROWS_A)
    write_csv(h.landing, "bad.csv", "customer_id,quantity", ["C9,1"])  # a bad file
    lake = tmp_path / "lake"
    for sub in ("bronze/orders_raw", "quarantine/orders_raw/rows"):
        folder = lake / sub
        if state != "no_folder":
            folder.mkdir(parents=True)
        if state in ("temporary_only", "partial"):
            attempt = folder / "_temporary" / "0" / "_temporary" / "attempt_0"
            attempt.mkdir(parents=True)
            (attempt / "part-00000.snappy.parquet").write_bytes(b"PAR1 truncated")
        if state == "partial":
            (folder / ".part-00001.parquet.crc").write_bytes(b"junk")
    copies = lake / "quarantine/orders_raw/files/other"
    copies.mkdir(parents=True)
    (copies / "bad.csv").write_text("copied by the dead batch\n")
    _fake_claim(h, a, 2**22 + 7, "1")  # no such process
    report = h.run("ingest_orders")
    assert report["status"] == "succeeded", report
    assert (report["files_claimed"], report["rows_written"]) == (2, 2)
    assert order_ids(h) == ["O1", "O2"]
    assert not copies.exists()  # the dead batch's quarantined copy is gone: one copy only
    files = sorted(p.name for p in (lake / "quarantine/orders_raw/files").rglob("bad.csv*"))
    assert files == ["bad.csv", "bad.csv.reason.txt"]
    assert h.run("clean_orders")["status"] == "succeeded"  # pipelines read the folder too
