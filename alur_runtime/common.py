"""Job plumbing shared by every generated job: arguments, sessions, paths, files, reports.

Pure stdlib + PySpark; boto3 only inside functions, for s3:// paths (Glue mode). Part of
the `alur_runtime` wheel, which imports nothing from the compiler.
"""

from __future__ import annotations

import datetime
import fnmatch
import json
import os
import shutil
import sys
import time
import uuid
from typing import Any

from alur_runtime.config import Job
from alur_runtime.digest import file_digest

#: Argument keys every job understands (contracts.md §3), without the leading "--".
ARG_KEYS = (
    "alur_mode",
    "alur_env",
    "alur_project",
    "alur_lake",
    "alur_landing",
    "alur_state",
    "alur_db_bronze",
    "alur_db_silver",
    "alur_db_gold",
    "alur_reports",
)


class JobFailed(Exception):
    """The job stopped on purpose (a `fail` check, a bad file or row); nothing was published."""


class SimulatedCrash(BaseException):
    """Raised by the crash-injection hook (tests): escapes every `except Exception`."""


#: Every named kill point, per job kind, in the order a run passes them (specs/ingestion.md,
#: specs/pipeline.md). `ALUR_FAULT=<point>` ends the process there with `os._exit(137)`
#: (like a SIGKILL: no finally, no flush); `ALUR_SIMULATE_CRASH=<point>` raises
#: SimulatedCrash instead (in-process tests).
KILL_POINTS: dict[str, tuple[str, ...]] = {
    "ingestion": (
        "after_type_record",
        "after_open_batch",
        "after_claim",
        "after_file_quarantine",
        "after_row_quarantine",
        "after_check_quarantine",
        "after_data_write",
        "before_commit",
        "after_commit",
        "after_publish_file",
        "after_file_commit",
        "after_commit_files",
    ),
    #: a database (jdbc) ingestion, alur_runtime/jdbc.py
    "jdbc": (
        "after_type_record",
        "after_open_batch",
        "after_extract",
        "after_commit",
        "after_publish_file",
        "after_watermark",
    ),
    "pipeline": (
        "after_intent",
        "after_merge",
        "after_tombstones",
        "after_publish",
        "after_quarantine",
        "before_watermark",
        "after_watermark",
    ),
}
_ALL_POINTS = frozenset(p for points in KILL_POINTS.values() for p in points)


def crash_point(name: str) -> None:
    """Die here when ALUR_FAULT (abruptly) or ALUR_SIMULATE_CRASH (raise) names this point."""
    assert name in _ALL_POINTS, name
    if os.environ.get("ALUR_FAULT", "") == name:
        sys.stderr.write(f"ALUR_FAULT: killed at {name}\n")
        sys.stderr.flush()
        os._exit(137)
    if os.environ.get("ALUR_SIMULATE_CRASH", "") == name:
        raise SimulatedCrash(name)


def parse_args(argv: list[str]) -> dict[str, str]:
    """`--key value` pairs (how Glue passes job arguments) into a dict without the dashes."""
    args: dict[str, str] = {}
    i = 0
    while i < len(argv):
        key = argv[i]
        if key.startswith("--") and i + 1 < len(argv):
            args[key[2:]] = argv[i + 1]
            i += 2
        else:
            i += 1
    args.setdefault("alur_mode", "glue")
    return args


def start_session(args: dict[str, str]) -> Any:
    """The SparkSession: GlueContext's on Glue, the embedded Iceberg session locally."""
    if args.get("alur_mode") == "glue":
        from awsglue.context import GlueContext  # type: ignore[import-not-found]  # Glue only
        from pyspark.context import SparkContext

        return GlueContext(SparkContext.getOrCreate()).spark_session
    from pathlib import Path

    from alur_runtime.session import get_spark

    return get_spark(Path(args.get("alur_warehouse", ".alur/warehouse")))


def log(job: str, message: str) -> None:
    stamp = datetime.datetime.now(datetime.UTC).strftime("%H:%M:%S")
    print(f"[{stamp}] {job}: {message}", file=sys.stderr, flush=True)


def new_run_id() -> str:
    now = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"{now}-{uuid.uuid4().hex[:8]}"


def join_path(base: str, *parts: str) -> str:
    out = base.rstrip("/")
    for part in parts:
        out += "/" + part.strip("/")
    return out


def is_s3(path: str) -> bool:
    return path.startswith(("s3://", "s3a://"))


def _split_s3(uri: str) -> tuple[str, str]:
    rest = uri.split("://", 1)[1]
    bucket, _, key = rest.partition("/")
    return bucket, key


def _s3_client() -> Any:
    import boto3

    return boto3.client("s3", endpoint_url=os.environ.get("ALUR_S3_ENDPOINT") or None)


def source_base(args: dict[str, str], path: str) -> str:
    """A source path relative to the landing base, unless it is absolute (s3://, /)."""
    if "://" in path or os.path.isabs(path):
        return path
    return join_path(args["alur_landing"], path)


def landing_files(sources: list[Any], args: dict[str, str]) -> list[tuple[str, str]]:
    """(uri, content id) of every landing file an ingestion's `sources` match, sorted."""
    out: list[tuple[str, str]] = []
    for source in sources:
        base = source_base(args, source["path"])
        out += list_files(base, source["pattern"], source.get("recursive", False))
    return sorted(set(out))


def list_files(base: str, pattern: str, recursive: bool = False) -> list[tuple[str, str]]:
    """(uri, content id) of the files under `base` whose name matches `pattern`, sorted.

    Only files directly inside `base` unless `recursive`. Names starting with `.` or `_`
    are never files to load (Spark's and Hadoop's hidden files). The content id is the
    ETag on S3 (`etag:<etag>`) and the sha256 of the bytes locally (`sha256:<hex>`): it
    changes with the content and only with it (a `touch` is not a new version).
    """
    found: list[tuple[str, str]] = []
    if is_s3(base):
        bucket, prefix = _split_s3(base.rstrip("/") + "/")
        pages = _s3_client().get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        for page in pages:
            for obj in page.get("Contents", []):
                rest = obj["Key"][len(prefix) :]
                name = rest.rsplit("/", 1)[-1]
                if not name or ("/" in rest and not recursive) or name.startswith((".", "_")):
                    continue
                if fnmatch.fnmatch(name, pattern):
                    uri = f"s3://{bucket}/{obj['Key']}"
                    found.append((uri, f"etag:{obj['ETag'].strip(chr(34))}"))
        return sorted(found)
    for root, dirs, files in os.walk(base):
        if not recursive:
            dirs[:] = []
        dirs[:] = [d for d in dirs if not d.startswith((".", "_"))]
        for name in files:
            full = os.path.join(root, name)
            if fnmatch.fnmatch(name, pattern) and not name.startswith((".", "_")):
                found.append((os.path.abspath(full), "sha256:" + file_digest(full)))
    return sorted(found)


def copy_file(src: str, dest: str) -> None:
    if is_s3(src) or is_s3(dest):
        sb, sk = _split_s3(src)
        db, dk = _split_s3(dest)
        _s3_client().copy_object(Bucket=db, Key=dk, CopySource={"Bucket": sb, "Key": sk})
        return
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    shutil.copyfile(src, dest)


def list_tree(folder: str) -> list[str]:
    """Paths relative to `folder` of every file below it (local or s3://), sorted; names
    starting with `.` or `_` (Spark's `_SUCCESS`, Hadoop's `.crc`) are left out. A missing
    folder has no files."""
    found: list[str] = []
    if is_s3(folder):
        bucket, prefix = _split_s3(folder.rstrip("/") + "/")
        pages = _s3_client().get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        for page in pages:
            for obj in page.get("Contents", []):
                rest = obj["Key"][len(prefix) :]
                if rest and not rest.rsplit("/", 1)[-1].startswith((".", "_")):
                    found.append(rest)
        return sorted(found)
    for root, _dirs, files in os.walk(folder):
        for name in files:
            if not name.startswith((".", "_")):
                found.append(os.path.relpath(os.path.join(root, name), folder).replace(os.sep, "/"))
    return sorted(found)


def move_file(src: str, dest: str) -> bool:
    """Move one file (local: an atomic rename; S3: copy, then delete the source). Safe to
    repeat and to race: a source already moved by someone else is not an error (returns
    False), and a crash between the S3 copy and delete leaves a copy the next move
    overwrites with the same bytes."""
    if is_s3(src) or is_s3(dest):
        from botocore.exceptions import ClientError

        sb, sk = _split_s3(src)
        db, dk = _split_s3(dest)
        client = _s3_client()
        try:
            client.copy({"Bucket": sb, "Key": sk}, db, dk)  # managed: multipart above 5 GB
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey"):
                return False
            raise
        client.delete_object(Bucket=sb, Key=sk)
        return True
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    try:
        os.replace(src, dest)
    except FileNotFoundError:
        return False
    return True


def write_text(dest: str, text: str) -> None:
    if is_s3(dest):
        bucket, key = _split_s3(dest)
        _s3_client().put_object(Bucket=bucket, Key=key, Body=text.encode("utf-8"))
        return
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    with open(dest, "w", encoding="utf-8") as fh:
        fh.write(text)


def delete_file(uri: str) -> None:
    """Delete one data file given as Spark reports it (file:/..., s3://...). Spark's
    `input_file_name()` is URL-encoded (a space is %20) on S3 as locally: decoded first,
    or S3 would silently delete nothing (a missing key is no error)."""
    from urllib.parse import unquote

    if is_s3(uri):
        bucket, key = _split_s3(unquote(uri))
        _s3_client().delete_object(Bucket=bucket, Key=key)
        return
    path = uri[len("file:") :] if uri.startswith("file:") else uri
    while path.startswith("//"):
        path = path[1:]
    path = unquote(path)
    if os.path.exists(path):
        os.remove(path)
        crc = os.path.join(os.path.dirname(path), "." + os.path.basename(path) + ".crc")
        if os.path.exists(crc):
            os.remove(crc)


def path_exists(spark: Any, path: str) -> bool:
    """Whether a file or folder exists, through Hadoop's FileSystem (S3 and local alike)."""
    if not is_s3(path):
        return os.path.exists(path)
    jvm = spark.sparkContext._jvm
    hpath = jvm.org.apache.hadoop.fs.Path(path)
    fs = hpath.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())
    return bool(fs.exists(hpath))


def write_report(args: dict[str, str], report: dict[str, Any]) -> str | None:
    """Write the JSON run report under --alur_reports and print it; returns where it went."""
    text = json.dumps(report, indent=2, sort_keys=True, default=str)
    if args.get("alur_print_report", "true") != "false":
        print(text, flush=True)
    base = args.get("alur_reports")
    if not base:
        return None
    dest = join_path(base, report["job"], report["run_id"] + ".json")
    write_text(dest, text + "\n")
    return dest


def base_report(job: Job, args: dict[str, str], run_id: str) -> dict[str, Any]:
    return {
        "job": job["name"],
        "kind": job["kind"],
        "target": job["target"]["name"],
        "env": args.get("alur_env", ""),
        "mode": args.get("alur_mode", ""),
        "run_id": run_id,
        "status": "running",
        "started_at": datetime.datetime.now(datetime.UTC).isoformat(),
        "rows_read": 0,
        "rows_written": 0,
        "rows_dropped": 0,
        "rows_quarantined": 0,
        "checks": [],
        "_t0": time.monotonic(),
    }


def finish_report(
    args: dict[str, str], report: dict[str, Any], status: str, error: str | None = None
) -> dict[str, Any]:
    report["status"] = status
    report.pop("_step", None)  # steps.enter: only a failure names its step
    report.pop("_check", None)
    report["seconds"] = round(time.monotonic() - report.pop("_t0", time.monotonic()), 3)
    if error is not None:
        report["error"] = error
    report["report_path"] = write_report(args, report)
    return report
