"""The `after:` chain pieces of the stack, the plan's chain lines and `alurc schedule`."""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from typer.testing import CliRunner

from alur_compiler.api import load_project
from alur_compiler.backends.terraform import TerraformBackend, build_stack
from alur_compiler.cli import app
from alur_compiler.deploy.plan_summary import PlanSummary, render_text, with_chains
from alur_compiler.deploy.sample import sample_project
from alur_compiler.diagnostics import Diagnostics
from alur_compiler.ir import Schedule
from alur_compiler.schedule.preview import firings
from alur_compiler.semantic.cron_times import firing_times

ROOT = Path(__file__).resolve().parents[2]
RETAIL = ROOT / "examples" / "retail"


def _zip(project: object) -> bytes:
    arts = TerraformBackend().generate(project, Diagnostics())  # type: ignore[arg-type]
    return next(a.content for a in arts if a.path == "terraform/dev/alur_chains.zip")


def test_package_is_deterministic_and_holds_the_chain_map() -> None:
    first, again = _zip(sample_project()), _zip(sample_project())
    assert first == again
    with zipfile.ZipFile(io.BytesIO(first)) as zf:
        assert zf.namelist() == [
            "alur_chains.json",
            "alur_runtime/__init__.py",
            "alur_runtime/chain.py",
            "alur_runtime/chain_wait.py",
            "alur_runtime/state.py",
        ]
        assert {i.date_time for i in zf.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        config = json.loads(zf.read("alur_chains.json"))
        for name in zf.namelist()[1:]:
            assert b"alur_compiler" not in zf.read(name).split(b'"""')[-1]
    assert config == {
        "after": {
            "shop-dev-clean_orders": ["shop-dev-ingest_orders"],
            "shop-dev-daily_revenue": ["shop-dev-clean_orders"],
        },
        "disabled": [],
    }


def test_chain_role_is_least_privilege() -> None:
    project = sample_project()
    off = replace(project.pipelines[0], schedule=Schedule(after=("ingest_orders",), enabled=False))
    project = replace(project, pipelines=(off, *project.pipelines[1:]))
    assert off.name == "clean_orders"
    res = build_stack(project, project.environments[0], Diagnostics())["resource"]
    policy = json.loads(res["aws_iam_role_policy"]["environment__dev__chains"]["policy"])
    stmts = {s["Sid"]: s for s in policy["Statement"]}
    assert all("*" not in a for s in stmts.values() for a in s["Action"])
    assert all(s["Resource"] != "*" for s in stmts.values())
    # the disabled clean_orders is never started: only daily_revenue may be
    assert stmts["StartSuccessors"]["Resource"] == [
        "arn:aws:glue:eu-west-1:123456789012:job/shop-dev-daily_revenue"
    ]
    assert stmts["State"]["Action"] == ["dynamodb:GetItem", "dynamodb:PutItem"]
    assert stmts["Logs"]["Resource"].endswith(":log-group:/aws/lambda/shop-dev-alur-chains:*")
    trust = json.loads(res["aws_iam_role"]["environment__dev__chains"]["assume_role_policy"])
    assert trust["Statement"][0]["Principal"] == {"Service": "lambda.amazonaws.com"}
    permission = res["aws_lambda_permission"]["environment__dev__chains"]
    assert permission["source_arn"] == "${aws_cloudwatch_event_rule.environment__dev__chains.arn}"
    rule = json.loads(res["aws_cloudwatch_event_rule"]["environment__dev__chains"]["event_pattern"])
    assert rule["detail"]["jobName"] == [{"prefix": "shop-dev-"}]
    assert "SUCCEEDED" in rule["detail"]["state"] and "RUNNING" not in rule["detail"]["state"]


def test_no_after_no_chain_resources() -> None:
    project = sample_project()
    plain = tuple(replace(p, schedule=Schedule(cron="0 2 * * ? *")) for p in project.pipelines)
    project = replace(project, pipelines=plain)
    res = build_stack(project, project.environments[0], Diagnostics())["resource"]
    assert "aws_lambda_function" not in res and "aws_cloudwatch_event_rule" not in res
    assert not [a for a in TerraformBackend().generate(project, Diagnostics()) if "zip" in a.path]


def test_plan_lists_each_chain_changed_or_not() -> None:
    project, _ = load_project(RETAIL)
    assert project is not None
    lines = render_text(with_chains(PlanSummary("dev"), project))
    assert lines[0] == "dev: no changes; the infrastructure matches the build."
    assert "daily_revenue    after clean_orders, clean_products" in "\n".join(lines)
    assert with_chains(PlanSummary("dev"), project).to_json()["chains"]["clean_orders"] == [
        "ingest_orders"
    ]


def test_retail_day_preview() -> None:
    project, _ = load_project(RETAIL)
    assert project is not None
    day = firings(project, datetime(2026, 12, 2, tzinfo=UTC), datetime(2026, 12, 3, tzinfo=UTC))
    jobs = [f.job for f in day]
    assert jobs.count("ingest_orders") == jobs.count("clean_orders") == 24
    revenue = [f for f in day if f.job == "daily_revenue"]
    # clean_products follows ingest_products at 01:00; clean_orders had run at 00:15
    assert [(f.at.hour, f.at.minute, f.after) for f in revenue] == [
        (1, 0, ("clean_orders", "clean_products"))
    ]


def test_cron_iterator_special_forms_by_hand() -> None:
    t0, t1 = datetime(2026, 12, 1, tzinfo=UTC), datetime(2027, 3, 1, tzinfo=UTC)

    def days(expr: str) -> list[str]:
        return [f"{t:%m-%d}" for t in firing_times(expr, t0, t1)]

    # December 2026 starts on a Tuesday; 2027-01-01 is a Friday, 2027-02-01 a Monday
    assert days("0 9 ? * 2#1 *") == ["12-07", "01-04", "02-01"]  # first Monday
    assert days("0 9 ? * 6L *") == ["12-25", "01-29", "02-26"]  # last Friday
    assert days("0 9 L * ? *") == ["12-31", "01-31", "02-28"]
    assert days("0 9 LW * ? *") == ["12-31", "01-29", "02-26"]
    assert days("0 9 1W * ? *") == ["12-01", "01-01", "02-01"]
    assert days("0 9 2W * ? *") == ["12-02", "01-01", "02-02"]  # Sat Jan 2 -> Fri Jan 1
    assert days("0 9 1 * ? 2027") == ["01-01", "02-01"]
    assert days("0 9 ? * L *")[:2] == ["12-05", "12-12"]  # L alone: Saturday
    assert len(list(firing_times("0/5 * * * ? *", t0, t1))) == 90 * 24 * 12


def test_cli_schedule_json_and_usage_errors() -> None:
    runner = CliRunner()
    args = ["schedule", str(RETAIL), "--from", "2026-12-02T00:00", "--to", "2026-12-02T02:00"]
    out = runner.invoke(app, [*args, "--format", "json"])
    assert out.exit_code == 0, out.output
    doc = json.loads(out.stdout)
    assert doc["counts"]["ingest_orders"] == 2 and doc["firings"][0] == {
        "at": "2026-12-02T00:15:00+00:00",
        "job": "ingest_orders",
        "glue_job": "retail-dev-ingest_orders",
        "cron": "15 * * * ? *",
    }
    text = runner.invoke(app, [*args, "--env", "prod"])
    assert "retail (prod): 9 firings" in text.stdout
    revenue = [line.split() for line in text.stdout.splitlines() if "daily_revenue" in line]
    assert revenue == [
        ["2026-12-02", "01:00", "daily_revenue", "after", "clean_orders,", "clean_products"]
    ]
    bad = runner.invoke(app, ["schedule", str(RETAIL), "--from", "tomorrow"])
    assert bad.exit_code == 2 and "is not a time" in bad.output
    backwards = runner.invoke(app, [*args[:3], "--from", "2026-12-02", "--to", "2026-12-01"])
    assert backwards.exit_code == 2


def test_readme_shows_what_alurc_schedule_prints_for_retail() -> None:
    args = ["--from", "2026-12-02T00:00", "--to", "2026-12-02T02:00"]
    out = CliRunner().invoke(app, ["schedule", str(RETAIL), *args])
    assert out.exit_code == 0, out.output
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "alurc schedule " + " ".join(args) in readme
    assert "```\n" + out.stdout + "```" in readme
