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
