"""Posture of the generated stack: bucket policies, KMS, security configuration,
trust conditions and `protected` environments (issue 13, items 7 and 8)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import yaml

from alur_compiler import api

ROOT = Path(__file__).resolve().parents[2]


def _stacks(tmp: Path, edit: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    project = tmp / "p"
    shutil.copytree(
        ROOT / "examples" / "retail", project, ignore=shutil.ignore_patterns("build", ".alur")
    )
    if edit:
        doc = yaml.safe_load((project / "alur.yaml").read_text(encoding="utf-8"))
        for env, keys in edit.items():
            doc["environments"][env].update(keys)
        (project / "alur.yaml").write_text(yaml.safe_dump(doc), encoding="utf-8")
    result = api.compile_project(project, tmp / "b")
    assert not result.diagnostics.has_errors, [d.message for d in result.diagnostics.errors]
    return {
        e: json.loads((tmp / "b" / "terraform" / e / "main.tf.json").read_text(encoding="utf-8"))
        for e in ("dev", "prod")
    }


def test_defaults_without_kms(tmp_path: Path) -> None:
    res = _stacks(tmp_path)["dev"]["resource"]
    policies = res["aws_s3_bucket_policy"]
    assert len(policies) == 2
    for body in policies.values():
        stmts = json.loads(body["policy"])["Statement"]
        tls = next(s for s in stmts if s["Sid"] == "DenyInsecureTransport")
        assert tls["Effect"] == "Deny" and tls["Condition"] == {
            "Bool": {"aws:SecureTransport": "false"}
        }
        sse = next(s for s in stmts if s["Sid"] == "DenyOtherEncryption")
        assert sse["Condition"]["StringNotEqualsIfExists"] == {
            "s3:x-amz-server-side-encryption": "AES256"
        }
    assert "aws_kms_key" not in res and "aws_glue_security_configuration" not in res
    assert all("security_configuration" not in j for j in res["aws_glue_job"].values())
    assert res["aws_s3_bucket"]["environment__dev__artifacts"]["force_destroy"] is True
    for role in res["aws_iam_role"].values():
        trust = json.loads(role["assume_role_policy"])["Statement"][0]
        assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": "111122223333"}}
        assert "Kms" not in role["assume_role_policy"]


def test_kms_and_protected(tmp_path: Path) -> None:
    stacks = _stacks(
        tmp_path,
        {
            "dev": {"kms": {"alias": "alias/data-platform"}},
            "prod": {"kms": {"create": True}, "protected": True},
        },
    )
    dev, prod = stacks["dev"], stacks["prod"]
    assert dev["data"]["aws_kms_alias"]["environment__dev__kms"] == {"name": "alias/data-platform"}
    key = "${data.aws_kms_alias.environment__dev__kms.target_key_arn}"
    res = dev["resource"]
    for body in res["aws_s3_bucket_server_side_encryption_configuration"].values():
        rule = body["rule"][0]["apply_server_side_encryption_by_default"][0]
        assert rule == {"sse_algorithm": "aws:kms", "kms_master_key_id": key}
    assert all(g["kms_key_id"] == key for g in res["aws_cloudwatch_log_group"].values())
    assert res["aws_dynamodb_table"]["environment__dev__state"]["server_side_encryption"] == [
        {"enabled": True, "kms_key_arn": key}
    ]
    conf = "${aws_glue_security_configuration.environment__dev__security.name}"
    assert all(j["security_configuration"] == conf for j in res["aws_glue_job"].values())
    for policy in res["aws_iam_role_policy"].values():
        stmt = next(s for s in json.loads(policy["policy"])["Statement"] if s["Sid"] == "Kms")
        assert stmt["Action"] == ["kms:Decrypt", "kms:GenerateDataKey"]
        assert stmt["Resource"] == key
    assert "lifecycle" not in res["aws_s3_bucket"]["environment__dev__lake"]

    res = prod["resource"]
    kms = res["aws_kms_key"]["environment__prod__kms"]
    assert kms["enable_key_rotation"] is True
    assert kms["lifecycle"] == {"prevent_destroy": True}
    for bucket in res["aws_s3_bucket"].values():
        assert bucket["force_destroy"] is False
        assert bucket["lifecycle"] == {"prevent_destroy": True}
    state = res["aws_dynamodb_table"]["environment__prod__state"]
    assert state["deletion_protection_enabled"] is True
    assert state["lifecycle"] == {"prevent_destroy": True}
    assert all(
        d["lifecycle"] == {"prevent_destroy": True}
        for d in res["aws_glue_catalog_database"].values()
    )


def test_no_bucket_policy_against_an_s3_emulator() -> None:
    """moto applies a bucket policy's Deny without its condition and speaks plain HTTP, so an
    environment with `endpoints.s3` gets no bucket policy; a real one always has both."""
    from alur_compiler.backends.terraform import build_stack
    from alur_compiler.deploy.sample import sample_environment, sample_project
    from alur_compiler.diagnostics import Diagnostics

    real = sample_environment("dev")
    emulated = sample_environment("dev", endpoint="http://127.0.0.1:5000")
    for env, expected in ((real, 2), (emulated, 0)):
        project = sample_project(envs=(env,))
        stack = build_stack(project, env, Diagnostics())
        assert len(stack["resource"].get("aws_s3_bucket_policy", {})) == expected
