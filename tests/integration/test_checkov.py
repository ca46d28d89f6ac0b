"""An independent scanner over the generated stack: checkov (3.3.30, terraform_json).

The retail example's Terraform JSON has no failed check; what is skipped is listed with
its reason in the repository's `.checkov.yaml`. A variant of the example with `kms:` (an
existing alias in dev, a created key in prod, `protected: true`) is scanned with the KMS
checks back on, so the KMS path is checked too, not only skipped.

checkov pins boto3/networkx/packaging below this project's pins, so it lives in its own
venv: `python -m venv .venv-checkov && .venv-checkov/bin/pip install checkov==3.3.30`
(or set ALURC_CHECKOV to a checkov executable).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from alur_compiler import api

pytestmark = pytest.mark.terraform

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / ".checkov.yaml"
#: Checks a stack without `kms:` fails by design (SSE-S3, AWS-owned keys).
KMS_OPT_IN = {"CKV_AWS_119", "CKV_AWS_145", "CKV_AWS_158", "CKV_AWS_173", "CKV_AWS_195"}


def _checkov() -> str:
    for candidate in (
        os.environ.get("ALURC_CHECKOV", ""),
        str(ROOT / ".venv-checkov" / "bin" / "checkov"),
        shutil.which("checkov") or "",
    ):
        if candidate and Path(candidate).is_file():
            return candidate
    pytest.skip(
        "checkov not found: python -m venv .venv-checkov && "
        ".venv-checkov/bin/pip install checkov==3.3.30 (or set ALURC_CHECKOV)"
    )


def _compile(tmp: Path, edit: dict[str, dict[str, Any]] | None = None) -> Path:
    project = tmp / "project"
    shutil.copytree(
        ROOT / "examples" / "retail", project, ignore=shutil.ignore_patterns("build", ".alur")
    )
    if edit:
        doc = yaml.safe_load((project / "alur.yaml").read_text(encoding="utf-8"))
        for env, keys in edit.items():
            doc["environments"][env].update(keys)
        (project / "alur.yaml").write_text(yaml.safe_dump(doc), encoding="utf-8")
    result = api.compile_project(project, tmp / "build")
    assert not result.diagnostics.has_errors, [d.message for d in result.diagnostics.errors]
    # checkov 3.3.30's terraform_json parser crashes on the `terraform` block (it takes
    # `required_version` for a block); that block declares no resource: scan without it
    scan = tmp / "scan"
    for main in sorted((tmp / "build" / "terraform").glob("*/main.tf.json")):
        doc = json.loads(main.read_text(encoding="utf-8"))
        doc.pop("terraform")
        (scan / main.parent.name).mkdir(parents=True)
        (scan / main.parent.name / "main.tf.json").write_text(json.dumps(doc), encoding="utf-8")
    return scan


def _scan(folder: Path, config: Path) -> dict[str, Any]:
    proc = subprocess.run(
        [_checkov(), "--config-file", str(config), "-d", str(folder), "-o", "json"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode in (0, 1), proc.stderr[-2000:]
    report: dict[str, Any] = json.loads(proc.stdout)
    assert report["summary"]["parsing_errors"] == 0, proc.stderr[-2000:]
    assert report["summary"]["passed"] > 100, report["summary"]
    return report


def _failed(report: dict[str, Any]) -> list[str]:
    return sorted(
        f"{c['check_id']} {c['resource']} ({c['check_name']})"
        for c in report["results"]["failed_checks"]
    )


def _config() -> dict[str, Any]:
    config: dict[str, Any] = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    return config


def test_every_skip_has_a_reason() -> None:
    text = CONFIG.read_text(encoding="utf-8")
    skips = _config()["skip-check"]
    assert set(skips) >= KMS_OPT_IN
    for check in skips:
        line = next(line for line in text.splitlines() if line.strip().startswith(f"- {check}"))
        assert "#" in line and len(line.split("#", 1)[1].strip()) > 20, line


def test_retail_stack_has_no_failed_check(tmp_path: Path) -> None:
    report = _scan(_compile(tmp_path), CONFIG)
    assert _failed(report) == []


def test_retail_with_kms_passes_the_kms_checks(tmp_path: Path) -> None:
    scan = _compile(
        tmp_path,
        {
            "dev": {"kms": {"alias": "alias/data-platform"}},
            "prod": {"kms": {"create": True}, "protected": True},
        },
    )
    config = _config()
    config["skip-check"] = [c for c in config["skip-check"] if c not in KMS_OPT_IN]
    stricter = tmp_path / "checkov.yaml"
    stricter.write_text(yaml.safe_dump(config), encoding="utf-8")
    assert _failed(_scan(scan, stricter)) == []
