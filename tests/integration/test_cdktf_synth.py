"""The CDKTF app synthesizes the same resources and provider as the Terraform JSON.

Uses the real CDK Terrain packages (`cdktn` 0.24 + `cdktn-provider-aws` 25.8.1, pinned in
requirements-dev.txt): the maintained drop-in fork of the archived `cdktf`, with identical
JSON, installed in seconds instead of ~40 s / ~1 GB (FACTS.md). The generated main.py
imports `cdktf` when `cdktn` is absent. Needs `node` (jsii); skipped with a reason otherwise.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from alur_compiler.backends.cdktf import CdktfBackend
from alur_compiler.backends.terraform import TerraformBackend
from alur_compiler.deploy.sample import sample_environment, sample_project
from alur_compiler.diagnostics import Diagnostics
from alur_compiler.ir import StateBackend

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("node") is None, reason="node (for jsii) not on PATH"),
    pytest.mark.skipif(
        importlib.util.find_spec("cdktn") is None and importlib.util.find_spec("cdktf") is None,
        reason="neither cdktn nor cdktf installed (optional extra)",
    ),
]


def _normalise(value: Any) -> Any:
    """Drop cdktf's `//` metadata and undo the deeper synth folder in file paths."""
    if isinstance(value, dict):
        return {k: _normalise(v) for k, v in value.items() if k != "//"}
    if isinstance(value, list):
        return [_normalise(v) for v in value]
    if isinstance(value, str):
        return value.replace("${path.module}/../../../..", "${path.module}/../..")
    return value


def test_synth_matches_terraform_json(tmp_path: Path) -> None:
    s3_state = StateBackend("s3", "shop-tfstate", None, "shop-tflock", None)
    envs = (
        sample_environment("dev", endpoint="http://127.0.0.1:5000"),
        sample_environment("prod", state=s3_state, account=None),
    )
    project = sample_project(envs=envs)
    diags = Diagnostics()
    for art in [
        *TerraformBackend().generate(project, diags),
        *CdktfBackend().generate(project, diags),
    ]:
        (tmp_path / art.path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / art.path).write_bytes(art.content)
    env = dict(
        os.environ,
        JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="1",
        JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION="1",
    )
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "main.py"],
        cwd=tmp_path / "cdktf",
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    print(f"\ncdktf synth of 2 stacks: {time.perf_counter() - start:.1f} s")
    for name in ("dev", "prod"):
        tf = json.loads((tmp_path / "terraform" / name / "main.tf.json").read_text())
        synth = json.loads((tmp_path / "cdktf/cdktf.out/stacks" / name / "cdk.tf.json").read_text())
        assert _normalise(synth["resource"]) == tf["resource"]
        assert _normalise(synth["provider"]) == tf["provider"]
        assert _normalise(synth.get("data")) == tf.get("data")
        count = sum(len(r) for r in synth["resource"].values())
        assert count == sum(len(r) for r in tf["resource"].values()) >= 37, count
    prod = json.loads((tmp_path / "cdktf/cdktf.out/stacks/prod/cdk.tf.json").read_text())
    assert prod["terraform"]["backend"]["s3"]["dynamodb_table"] == "shop-tflock"
    assert _normalise(prod["data"]) == {"aws_caller_identity": {"current": {}}}
