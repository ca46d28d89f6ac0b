"""Runtime file helpers on S3 (moto's HTTP server): listing with ETags, copies, reports."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import boto3
import pytest
from moto.server import ThreadedMotoServer

from alur_runtime import common


@pytest.fixture()
def s3(monkeypatch: pytest.MonkeyPatch, moto_reset: Callable[[str], None]) -> Iterator[object]:
    server = ThreadedMotoServer(port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    moto_reset(f"http://{host}:{port}")
    endpoint = f"http://{host}:{port}"
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "ALUR_S3_ENDPOINT": endpoint,
    }.items():
        monkeypatch.setenv(key, value)
    client = boto3.client("s3", endpoint_url=endpoint)
    client.create_bucket(Bucket="landing")
    yield client
    server.stop()


def test_list_files_fingerprints_change_with_content(s3: object) -> None:
    client = s3
    client.put_object(Bucket="landing", Key="orders/a.csv", Body=b"x")  # type: ignore[attr-defined]
    client.put_object(Bucket="landing", Key="orders/b.json", Body=b"y")  # type: ignore[attr-defined]
    client.put_object(Bucket="landing", Key="orders/sub/c.csv", Body=b"z")  # type: ignore[attr-defined]
    found = common.list_files("s3://landing/orders/", "*.csv")
    assert [uri for uri, _ in found] == ["s3://landing/orders/a.csv"]  # sub-folders: opt-in
    deep = common.list_files("s3://landing/orders/", "*.csv", recursive=True)
    assert [uri for uri, _ in deep] == [
        "s3://landing/orders/a.csv",
        "s3://landing/orders/sub/c.csv",
    ]
    before = dict(found)["s3://landing/orders/a.csv"]
    client.put_object(Bucket="landing", Key="orders/a.csv", Body=b"changed")  # type: ignore[attr-defined]
    after = dict(common.list_files("s3://landing/orders", "*.csv"))["s3://landing/orders/a.csv"]
    assert before != after and after.startswith("etag:")


def test_copy_write_and_delete_on_s3(s3: object) -> None:
    client = s3
    client.put_object(Bucket="landing", Key="orders/a.csv", Body=b"data")  # type: ignore[attr-defined]
    common.copy_file("s3://landing/orders/a.csv", "s3://landing/q/files/b1/a.csv")
    common.write_text("s3://landing/reports/job/r1.json", '{"ok": true}\n')
    body = client.get_object(Bucket="landing", Key="q/files/b1/a.csv")["Body"].read()  # type: ignore[attr-defined]
    assert body == b"data"
    report = client.get_object(Bucket="landing", Key="reports/job/r1.json")["Body"].read()  # type: ignore[attr-defined]
    assert report == b'{"ok": true}\n'
    common.delete_file("s3://landing/q/files/b1/a.csv")
    assert [u for u, _ in common.list_files("s3://landing/q", "*")] == []


def test_parse_args_reads_glue_style_arguments() -> None:
    args = common.parse_args(["--JOB_NAME", "x", "--alur_mode", "local", "--alur_lake", "s3://l"])
    assert args == {"JOB_NAME": "x", "alur_mode": "local", "alur_lake": "s3://l"}
    assert common.parse_args([])["alur_mode"] == "glue"


def test_delete_decodes_the_uri_spark_reports(s3: object) -> None:
    """input_file_name() is URL-encoded: the key with a space must really go."""
    client = s3
    client.put_object(Bucket="landing", Key="bronze/t/a b%.parquet", Body=b"x")  # type: ignore[attr-defined]
    common.delete_file("s3://landing/bronze/t/a%20b%25.parquet")
    assert [u for u, _ in common.list_files("s3://landing/bronze/t", "*")] == []


def test_a_batch_is_published_from_staging_once_also_when_repeated_or_raced(s3: object) -> None:
    """Issue 12 item 7: a batch's files wait outside the table location until its commit;
    publishing moves each (partition folders, spaces and % in keys included) exactly once,
    skips Spark's hidden files, and a second or concurrent publisher is harmless."""
    import threading

    from alur_runtime import ingest

    client = s3
    ctx = {"job": "ingest_t", "paths": ingest.lake_paths({"alur_lake": "s3://landing/lake"}, "t")}
    staged = {
        "data/day=2026-12-01/part-0-a b%.parquet": b"d1",
        "data/day=2026-12-02/part-1.parquet": b"d2",
        "data/_SUCCESS": b"",
        "rows/part-2.parquet": b"r1",
        "checks/part-3.parquet": b"c1",
    }
    for rel, body in staged.items():
        client.put_object(Bucket="landing", Key=f"lake/_alur_staging/t/b1/{rel}", Body=body)  # type: ignore[attr-defined]
    results: list[int] = []
    workers = [
        threading.Thread(target=lambda: results.append(ingest.publish_files(ctx, "b1")))
        for _ in range(2)
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    results.append(ingest.publish_files(ctx, "b1"))  # a later finisher: nothing left
    # Two racing S3 movers may both copy a file before either deletes it (then both count
    # it); what matters is below: each file once, at its place, and nothing left staged.
    assert 4 <= sum(results[:2]) <= 8 and results[-1] == 0
    keys = {
        o["Key"]: client.get_object(Bucket="landing", Key=o["Key"])["Body"].read()  # type: ignore[attr-defined]
        for o in client.list_objects_v2(Bucket="landing", Prefix="lake/")["Contents"]  # type: ignore[attr-defined]
    }
    assert keys == {
        "lake/bronze/t/day=2026-12-01/part-0-a b%.parquet": b"d1",
        "lake/bronze/t/day=2026-12-02/part-1.parquet": b"d2",
        "lake/quarantine/t/rows/part-2.parquet": b"r1",
        "lake/quarantine/t/checks/part-3.parquet": b"c1",
    }


def test_move_file_tolerates_a_source_someone_else_moved(s3: object, tmp_path: object) -> None:
    assert common.move_file("s3://landing/nope/a.parquet", "s3://landing/b/a.parquet") is False
    from pathlib import Path

    base = Path(str(tmp_path))
    (base / "s").mkdir()
    (base / "s" / "a.parquet").write_bytes(b"x")
    assert common.move_file(str(base / "s" / "a.parquet"), str(base / "t" / "p=1" / "a.parquet"))
    assert (base / "t" / "p=1" / "a.parquet").read_bytes() == b"x"
    assert common.move_file(str(base / "s" / "a.parquet"), str(base / "t" / "a.parquet")) is False
    assert common.list_tree(str(base / "t")) == ["p=1/a.parquet"]
    assert common.list_tree(str(base / "missing")) == []
