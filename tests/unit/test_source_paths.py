"""Ingestion source paths (issue 13.2): one grammar, and IAM grants where the job reads.

Each case is a one-ingestion project compiled through the real loader, semantic rules and
builders: a rejected path is AL316 at the path value; an accepted one yields the exact
landing ARNs and ListBucket prefixes of the job's role, and the runtime's own
`source_base` (given the environment's landing base, as the Glue job is) resolves the path
the JOB literal carries to the same bucket and prefix.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from alur_compiler import api
from alur_compiler.backends.glue.config import ingestion_config
from alur_compiler.backends.terraform import build_stack
from alur_compiler.diagnostics import Diagnostics
from alur_compiler.semantic.paths import SourcePath, parse_source_path
from alur_runtime.common import source_base

LANDING = "corpus-dev-landing"
PROJECT = f"""\
apiVersion: alur/v1
kind: Project
name: corpus
environments:
  dev:
    region: eu-west-1
    account: "111122223333"
    buckets: {{lake: corpus-dev-lake, artifacts: corpus-dev-artifacts, landing: {LANDING}}}
---
apiVersion: alur/v1
kind: Table
name: raw
layer: bronze
columns: [{{name: id, type: int}}]
---
apiVersion: alur/v1
kind: Ingestion
name: load_raw
target: raw
source_system: s
sources:
  - path: @PATH@
    format: csv
"""

#: accepted path -> the prefix granted in the landing bucket
VALID = {
    "orders/": "orders/",
    "orders": "orders/",
    "crm/customers/": "crm/customers/",
    "crm/customers": "crm/customers/",
    "a": "a/",
    "dt-2024_01.v2/": "dt-2024_01.v2/",
    "weird!'()/": "weird!'()/",
    ".hidden/": ".hidden/",
    "_staging/x/": "_staging/x/",
    "a.b/c..d/": "a.b/c..d/",
    "UPPER/Case9/": "UPPER/Case9/",
    f"s3://{LANDING}/orders/": "orders/",
    f"s3://{LANDING}/crm/customers": "crm/customers/",
}
#: rejected path -> a substring of the AL316 message
INVALID = {
    "s3://*/": "not an S3 bucket name",
    "s3://*/orders/": "not an S3 bucket name",
    "*": "wildcard '*'",
    "orders/*": "wildcard '*'",
    "orders/*.csv": "wildcard '*'",
    "orders?/": "wildcard '?'",
    "orders/[ab]/": "wildcard '['",
    "orders/{a,b}/": "wildcard '{'",
    "s3a://corpus-dev-landing/orders/": "scheme 's3a://'",
    "s3n://corpus-dev-landing/orders/": "scheme 's3n://'",
    "S3://corpus-dev-landing/orders/": "scheme 'S3://'",
    "file:///etc/": "scheme 'file://'",
    "https://example.com/orders/": "scheme 'https://'",
    "hdfs://nn/orders/": "scheme 'hdfs://'",
    "/etc/": "absolute path",
    "/": "absolute path",
    "//orders/": "absolute path",
    "c:/orders/": "looks like a URI",
    "orders/../secrets/": "segment '..'",
    "../": "segment '..'",
    "./orders/": "segment '.'",
    "orders/./x/": "segment '.'",
    "orders//x/": "empty segment",
    "orders//": "empty segment",
    "orders/${var.x}/": "'${'",
    "${aws:username}/": "'${'",
    "orders/a b/": "' '",
    "orders\\x/": "'\\\\'",
    "orders/\u00e9/": "'\u00e9'",
    "orders/\x00/": "U+0000",
    "orders\n/": "U+000A",
    "orders/\u202e/": "U+202E",
    "orders/%2e%2e/": "'%'",
    "orders/#x/": "'#'",
    f"s3://{LANDING}": "whole bucket",
    f"s3://{LANDING}/": "whole bucket",
    f"s3://{LANDING}//x/": "empty segment",
    f"s3://{LANDING}/../lake/": "segment '..'",
    "s3://Corpus-Dev-Landing/orders/": "not an S3 bucket name",
    "s3://corpus..landing/orders/": "not an S3 bucket name",
    "s3://corpus-dev-lake/bronze/": "not the landing bucket of environment dev",
    "s3://partner-drop/exports/": "not the landing bucket of environment dev",
    "a" * 600 + "/": "longer than 512",
}


def _compile(tmp_path: Path, path: str) -> tuple[object, Diagnostics]:
    (tmp_path / "alur.yaml").write_text(
        PROJECT.replace("@PATH@", json.dumps(path)), encoding="utf-8"
    )
    return api.load_project(tmp_path)


@pytest.mark.parametrize("path", sorted(VALID), ids=repr)
def test_accepted_path_grants_where_the_job_reads(tmp_path: Path, path: str) -> None:
    project, diags = _compile(tmp_path, path)
    assert project is not None and not diags.errors, [d.message for d in diags.errors]
    prefix = VALID[path]
    # IAM: exactly the prefix in the landing bucket, objects and listing
    env = project.environments[0]  # type: ignore[attr-defined]
    doc = build_stack(project, env, Diagnostics())  # type: ignore[arg-type]
    policy = json.loads(
        doc["resource"]["aws_iam_role_policy"]["ingestion__load_raw__role"]["policy"]
    )
    landing = [s for s in policy["Statement"] if s["Sid"].startswith("Landing")]
    assert landing == [
        {
            "Sid": "Landing0Objects",
            "Effect": "Allow",
            "Action": ["s3:GetObject"],
            "Resource": [f"arn:aws:s3:::{LANDING}/{prefix}*"],
        },
        {
            "Sid": "Landing0List",
            "Effect": "Allow",
            "Action": ["s3:ListBucket"],
            "Resource": f"arn:aws:s3:::{LANDING}",
            "Condition": {"StringLike": {"s3:prefix": [f"{prefix}*"]}},
        },
    ]
    # the runtime: the JOB literal's path, resolved by the job's own rule, lists that prefix
    ingestion = project.jobs[0]  # type: ignore[attr-defined]
    job_path = ingestion_config(project, ingestion)["sources"][0]["path"]  # type: ignore[arg-type]
    base = source_base({"alur_landing": f"s3://{LANDING}"}, job_path)
    assert base.rstrip("/") + "/" == f"s3://{LANDING}/{prefix}"
    # locally the relative form lands under local.landing, never outside it
    local = source_base({"alur_landing": "/data/landing"}, job_path)
    if not path.startswith("s3://"):
        assert local.rstrip("/") + "/" == f"/data/landing/{prefix}"


@pytest.mark.parametrize("path", sorted(INVALID), ids=repr)
def test_rejected_path_is_located(tmp_path: Path, path: str) -> None:
    _, diags = _compile(tmp_path, path)
    errors = [d for d in diags.errors if d.code.code == "AL316"]
    assert len(errors) == 1, [d.message for d in diags.errors]
    d = errors[0]
    assert INVALID[path] in d.message
    assert (Path(d.span.file).name, d.span.line, d.span.col) == ("alur.yaml", 22, 11), (
        "at the path value"
    )
    assert d.hint and "relative to the landing bucket" in d.hint


def test_the_grammar_is_the_normal_form() -> None:
    """Parsing the normalised text gives it back (the IR holds a fixed point)."""
    for path in VALID:
        parsed = parse_source_path(path)
        assert isinstance(parsed, SourcePath)
        again = parse_source_path(parsed.location)
        assert again == parsed and again.location == parsed.location
    for path in INVALID:
        if "landing bucket" not in INVALID[path]:
            assert isinstance(parse_source_path(path), str), path


def test_no_environment_no_s3_uri(tmp_path: Path) -> None:
    text = PROJECT.replace("@PATH@", json.dumps(f"s3://{LANDING}/orders/"))
    text = text.replace(text[text.index("environments:") : text.index("---")], "")
    (tmp_path / "alur.yaml").write_text(text, encoding="utf-8")
    _, diags = api.load_project(tmp_path)
    assert [d.message for d in diags.errors if d.code.code == "AL316"] == [
        f"source path 's3://{LANDING}/orders/': bucket '{LANDING}' is not a landing bucket: "
        "no environment is declared"
    ]
