"""AWS limits (AL502): for every limited field a value at the limit passes, one past it fails.

Length limits come from aws_limits.LENGTH_LIMITS, so a new limit is tested by this file
without a new test; the derived IAM role name, bucket names and tags have their own cases.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from alur_compiler import api
from alur_compiler.semantic.aws_limits import (
    IAM_ROLE_NAME_MAX,
    LENGTH_LIMITS,
    MAX_ENV_TAGS,
    LengthLimit,
    bucket_problem,
    glue_length,
    tag_char_ok,
)

PROJECT = {
    "apiVersion": "alur/v1",
    "kind": "Project",
    "name": "lim",
    "environments": {
        "dev": {
            "region": "eu-west-1",
            "buckets": {"lake": "lim-lake", "artifacts": "lim-art", "landing": "lim-land"},
        }
    },
}
TABLE = {
    "apiVersion": "alur/v1",
    "kind": "Table",
    "name": "raw",
    "layer": "bronze",
    "columns": [{"name": "id", "type": "int"}, {"name": "note", "type": "string"}],
}
JOB = {
    "apiVersion": "alur/v1",
    "kind": "Ingestion",
    "name": "load_raw",
    "target": "raw",
    "source_system": "s",
    "sources": [{"path": "raw/", "format": "csv"}],
}
PIPELINE = {
    "apiVersion": "alur/v1",
    "kind": "Pipeline",
    "name": "clean",
    "target": "clean",
    "mode": "overwrite",
    "sql": "SELECT id FROM raw",
}
CLEAN = {**TABLE, "name": "clean", "layer": "silver", "columns": [{"name": "id", "type": "int"}]}


def errors(tmp: Path, *docs: dict) -> list[tuple[str, str]]:
    text = "\n---\n".join(json.dumps(d, ensure_ascii=False) for d in docs)
    (tmp / "alur.yaml").write_text(text + "\n", encoding="utf-8")
    cwd = os.getcwd()
    os.chdir(tmp)
    try:
        result = api.load(Path("."))
    finally:
        os.chdir(cwd)
    return [(d.code.code, d.message) for d in result.diagnostics.errors]


def with_field(limit: LengthLimit, value: str) -> list[dict]:
    docs = [json.loads(json.dumps(d)) for d in (PROJECT, TABLE, JOB, CLEAN, PIPELINE)]
    doc = next(d for d in docs if d["kind"] == limit.kind)
    parts = limit.field.strip("/").split("/")
    node = doc
    for part in parts[:-1]:
        node = node[0] if part == "*" else node[part]
    node[parts[-1]] = value
    return docs


@pytest.mark.parametrize("limit", LENGTH_LIMITS, ids=lambda x: f"{x.kind}{x.field}")
@pytest.mark.parametrize("char", ["a", "é", "\U0001f600"])
def test_length_limit(limit: LengthLimit, char: str, tmp_path: Path) -> None:
    unit = glue_length(char)
    at = char * (limit.max // unit) + "a" * (limit.max % unit)
    assert glue_length(at) == limit.max
    assert errors(tmp_path, *with_field(limit, at)) == []
    past = errors(tmp_path, *with_field(limit, at + "a"))
    assert [c for c, _ in past] == ["AL502"]
    assert f"at most {limit.max}" in past[0][1]


@pytest.mark.parametrize("limit", [x for x in LENGTH_LIMITS if x.glue_text], ids=str)
def test_glue_text_has_no_line_breaks(limit: LengthLimit, tmp_path: Path) -> None:
    assert errors(tmp_path, *with_field(limit, "tab\tis fine")) == []
    got = errors(tmp_path, *with_field(limit, "two\nlines"))
    assert [c for c, _ in got] == ["AL502"] and "U+000A" in got[0][1]


def project_named(name: str, env: str) -> dict:
    proj = json.loads(json.dumps(PROJECT))
    proj["name"] = name
    proj["environments"] = {env: proj["environments"]["dev"]}
    return proj


@pytest.mark.parametrize("extra", [0, 1])
def test_derived_iam_role_name(extra: int, tmp_path: Path) -> None:
    job = "j" + "x" * (IAM_ROLE_NAME_MAX - len("lim-dev-") - 1 + extra)
    got = errors(tmp_path, project_named("lim", "dev"), TABLE, {**JOB, "name": job})
    role = f"lim-dev-{job}"
    assert len(role) == IAM_ROLE_NAME_MAX + extra
    if extra:
        assert [c for c, _ in got] == ["AL502"] and role in got[0][1]
    else:
        assert got == []


@pytest.mark.parametrize(
    ("name", "ok"),
    [
        ("abc", True),
        ("a" * 63, True),
        ("a.b-c", True),
        ("ab", False),
        ("a" * 64, False),
        ("a_b", False),
        ("Abc", False),
        ("-ab", False),
        ("ab-", False),
        ("a..b", False),
        ("10.0.0.1", False),
        ("xn--abc", False),
        ("sthree-abc", False),
        ("amzn-s3-demo-x", False),
        ("abc-s3alias", False),
        ("abc--ol-s3", False),
        ("abc.mrap", False),
        ("abc--x-s3", False),
        ("abc--table-s3", False),
    ],
)
def test_bucket_names(name: str, ok: bool) -> None:
    assert (bucket_problem(name) is None) is ok


def test_tag_count_and_characters(tmp_path: Path) -> None:
    def with_tags(tags: dict[str, str]) -> list[tuple[str, str]]:
        proj = json.loads(json.dumps(PROJECT))
        proj["environments"]["dev"]["tags"] = tags
        return errors(tmp_path, proj, TABLE, JOB)

    at = {f"k{i}": "v" for i in range(MAX_ENV_TAGS)}
    assert with_tags(at) == []
    assert [c for c, _ in with_tags({**at, "one-more": "v"})] == ["AL502"]
    assert with_tags({"k" * 128: "v" * 256, "Ünïcode key:/=+-@_.": "a b"}) == []
    assert [c for c, _ in with_tags({"k" * 129: "v"})] == ["AL206"]  # the schema's limit
    assert [c for c, _ in with_tags({"k": "v" * 257})] == ["AL206"]
    assert [c for c, _ in with_tags({"AWS:x": "v"})] == ["AL502"]
    assert [c for c, _ in with_tags({"k": "a;b"})] == ["AL502"]
    assert not tag_char_ok("\n") and not tag_char_ok("#") and tag_char_ok("ß")
