"""`alurc cost`: monthly Glue cost per job against figures computed by hand.

The window is pinned: the 30 days from Friday 2027-01-15 00:00 UTC to Sunday 2027-02-14
00:00 UTC (January 2027 starts on a Friday). Every count of firings below is worked out
from the calendar in the comment next to it, not by the code under test.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from alur_compiler.cost.estimate import Duration, EnvCost, estimate
from alur_compiler.cost.render import render_lines, to_json
from alur_compiler.cost.runs import WINDOW, median_duration, run_counts
from alur_compiler.deploy.sample import sample_environment
from alur_compiler.ir import GlueConfig, Pipeline, Project, Schedule, WriteMode

START = datetime(2027, 1, 15, tzinfo=UTC)
END = START + WINDOW


def job(
    name: str,
    cron: str | None = None,
    after: tuple[str, ...] = (),
    worker: str = "G.1X",
    workers: int = 2,
    minutes: float | None = None,
    timeout: int = 60,
    execution: str = "STANDARD",
    enabled: bool = True,
    scheduled: bool = True,
) -> Pipeline:
    glue: dict[str, Any] = {
        "execution_class": execution,
        "timeout_minutes": timeout,
        "worker_type": worker,
        "workers": workers,
    }
    schedule = Schedule(cron=cron, after=after, enabled=enabled) if scheduled else None
    return Pipeline(
        name,
        "t",
        "SELECT 1 AS x",
        WriteMode.OVERWRITE,
        (),
        schedule=schedule,
        glue=GlueConfig(**glue),
        glue_overrides=tuple(sorted(glue.items())),
        expected_minutes=minutes,
    )


def project(*jobs: Pipeline, region: str = "us-east-1") -> Project:
    env = replace(sample_environment("dev"), region=region, glue=GlueConfig())
    return Project("shop", "/tmp/shop", (), tuple(sorted(jobs, key=lambda j: j.name)), (), (env,))


def cost_of(proj: Project, **kwargs: Any) -> EnvCost:
    runs = run_counts(proj, START, END)
    return estimate(proj, proj.environments[0], (START, END), runs, **kwargs)


def by_job(cost: EnvCost) -> dict[str, Any]:
    return {j["job"]: j for j in to_json(cost)["jobs"]}


MONTH = project(
    # every hour on the hour: 24 x 30 = 720 runs; 30 s declared, billed the 1-minute
    # minimum: 720 x 2 DPU x 60 s / 3600 = 24 DPU-hours x $0.44 = $10.56
    job("hourly", cron="0 * * * ? *", minutes=0.5),
    # weekdays 09:00: Fri Jan 15 (1), Jan 18-22 (5), Jan 25-29 (5), Feb 1-5 (5),
    # Feb 8-12 (5) = 21 runs; G.2X x 10 = 20 DPU x 12 min: 21 x 20 x 0.2 h = 84 DPU-h
    # x $0.44 = $36.96
    job("weekdays", cron="0 9 ? * MON-FRI *", worker="G.2X", workers=10, minutes=12),
    # the last day of the month at 00:00: Jan 31 only (Feb 28 is after the window) = 1;
    # no expected_minutes, so the 120-minute timeout: 1 x (G.4X x 5 = 20 DPU) x 2 h
    # = 40 DPU-h x $0.44 = $17.60
    job("month_end", cron="0 0 L * ? *", worker="G.4X", workers=5, timeout=120),
    # the first Monday (2#1) at 12:00: Jan 4 is before the window, Feb 1 is in it = 1;
    # G.8X x 2 = 16 DPU x 30 min = 8 DPU-h x $0.44 = $3.52
    job("first_monday", cron="0 12 ? * 2#1 *", worker="G.8X", workers=2, minutes=30),
    # after hourly: its 720 runs; G.1X x 3 = 3 DPU x 2 min: 720 x 3 x 2/60 = 72 DPU-h
    # x $0.44 = $31.68
    job("clean", after=("hourly",), workers=3, minutes=2),
    # after clean (hourly) and weekdays: once per weekdays run, whose 09:00 start follows
    # an hourly success each time = 21 runs; 2 DPU x 5 min: 21 x 2 x 5/60 = 3.5 DPU-h
    # x $0.44 = $1.54
    job("report", after=("clean", "weekdays"), minutes=5),
    # after report: inherits its 21 runs; FLEX at $0.29: 21 x 2 x 10/60 = 7 DPU-h = $2.03
    job("export", after=("report",), minutes=10, execution="FLEX"),
    # no schedule: started by hand only, 0 runs, $0
    job("backfill", scheduled=False, minutes=45),
    # a cron switched off: 0 runs
    job("paused", cron="0 * * * ? *", enabled=False, minutes=5),
)


def test_monthly_cost_per_job_matches_the_hand_computed_figures() -> None:
    jobs = by_job(cost_of(MONTH))
    expected = {  # job: (runs, DPU-hours, USD)
        "hourly": (720, 24.0, 10.56),
        "weekdays": (21, 84.0, 36.96),
        "month_end": (1, 40.0, 17.60),
        "first_monday": (1, 8.0, 3.52),
        "clean": (720, 72.0, 31.68),
        "report": (21, 3.5, 1.54),
        "export": (21, 7.0, 2.03),
        "backfill": (0, 0.0, 0.0),
        "paused": (0, 0.0, 0.0),
    }
    got = {n: (j["runs"], j["dpu_hours"], j["monthly_usd"]) for n, j in jobs.items()}
    assert got == expected


def test_environment_total_is_the_sum_of_the_hand_computed_jobs() -> None:
    doc = to_json(cost_of(MONTH))
    # 10.56 + 36.96 + 17.60 + 3.52 + 31.68 + 1.54 + 2.03 = 103.89
    # 24 + 84 + 40 + 8 + 72 + 3.5 + 7 = 238.5 DPU-hours
    assert doc["total"] == {"dpu_hours": 238.5, "monthly_usd": 103.89}
    assert doc["from"] == "2027-01-15T00:00:00+00:00"
    assert doc["to"] == "2027-02-14T00:00:00+00:00"


def test_duration_sources_and_triggers_are_labelled() -> None:
    jobs = by_job(cost_of(MONTH))
    assert jobs["weekdays"]["duration"] == {
        "seconds": 720.0,
        "source": "declared",
        "label": "declared expected_minutes",
    }
    assert jobs["month_end"]["duration"]["label"] == "timeout upper bound"
    assert jobs["month_end"]["duration"]["seconds"] == 7200.0
    assert jobs["backfill"]["trigger"] == "manual (no schedule)"
    assert jobs["paused"]["trigger"] == "disabled"
    assert jobs["report"]["trigger"] == "after clean, weekdays"
    assert jobs["export"]["price_per_dpu_hour"] == 0.29
    text = "\n".join(render_lines(cost_of(MONTH)))
    assert "30 s -> 60 s billed (1-minute minimum; declared expected_minutes)" in text
    assert "7200 s (timeout upper bound)" in text
    assert "manual (no schedule)" in text


def test_billing_rounds_each_run_up_to_whole_seconds_above_the_minimum() -> None:
    # 61.01 s is billed 62 s: 720 runs x 2 DPU x 62 s / 3600 = 24.8 DPU-h
    # x $0.44 = $10.912 -> $10.91
    proj = project(job("hourly", cron="0 * * * ? *", minutes=61.01 / 60))
    got = by_job(cost_of(proj))["hourly"]
    assert got["billed_seconds_per_run"] == 62
    assert (got["dpu_hours"], got["monthly_usd"]) == (24.8, 10.91)


def test_observed_duration_wins_over_the_declared_one() -> None:
    observed = {"weekdays": Duration(Decimal(300), "observed", 4)}
    got = by_job(cost_of(MONTH, observed=observed))["weekdays"]
    # 21 x 20 DPU x 300 s / 3600 = 35 DPU-h x $0.44 = $15.40
    assert (got["dpu_hours"], got["monthly_usd"]) == (35.0, 15.40)
    assert got["duration"]["label"] == "observed median of last 4 runs"


def test_price_override_and_a_region_without_a_price() -> None:
    proj = project(job("hourly", cron="0 * * * ? *", minutes=0.5), region="ap-south-2")
    unknown = cost_of(proj)
    # 24 DPU-hours (as above) but no price for the region
    assert to_json(unknown)["total"] == {"dpu_hours": 24.0, "monthly_usd": None}
    assert any("no price for region ap-south-2" in line for line in render_lines(unknown))
    priced = to_json(cost_of(proj, override=Decimal("0.50")))
    # 24 DPU-h x $0.50 = $12.00
    assert priced["total"]["monthly_usd"] == 12.0
    assert priced["prices"]["source"] == "--price-per-dpu-hour"


def test_change_against_the_deployed_settings() -> None:
    proj = project(
        job("hourly", cron="0 * * * ? *", minutes=0.5),
        job("weekdays", cron="0 9 ? * MON-FRI *", worker="G.2X", workers=10, minutes=12),
    )
    from alur_compiler.cost.estimate import Workers

    # deployed now: hourly on G.1X x 4 (24 x 2 = 48 DPU-h = $21.12); weekdays not deployed
    capacity = {"hourly": Workers("G.1X", 4, "STANDARD"), "weekdays": None}
    runs = {"hourly": 720, "weekdays": 21}
    doc = to_json(cost_of(proj, deployed=(capacity, runs, "test")))
    jobs = {j["job"]: j for j in doc["jobs"]}
    assert jobs["hourly"]["now"]["monthly_usd"] == 21.12
    assert jobs["hourly"]["change_usd"] == -10.56  # $10.56 planned - $21.12 now
    assert jobs["weekdays"]["deployed"] is False
    assert jobs["weekdays"]["now"]["monthly_usd"] == 0.0
    assert jobs["weekdays"]["change_usd"] == 36.96
    # total: 10.56 + 36.96 = 47.52 planned, 21.12 now, +26.40
    assert doc["total"]["now_monthly_usd"] == 21.12
    assert doc["total"]["change_usd"] == 26.40


def _run(seconds: int, minute: int, state: str = "SUCCEEDED") -> dict[str, Any]:
    started = datetime(2026, 11, 1, 0, minute, tzinfo=UTC)
    return {
        "Id": f"jr_{minute}",
        "JobRunState": state,
        "ExecutionTime": seconds,
        "StartedOn": started,
    }


def test_median_of_the_last_finished_runs() -> None:
    runs = [_run(s, i) for i, s in enumerate([900, 100, 200, 400, 300])]
    runs.append(_run(0, 30, "RUNNING"))  # not finished: not counted
    runs.append(_run(50, 31, "FAILED"))  # billed too: counted
    # the last 4 finished (by StartedOn): 200, 400, 300, 50 -> sorted 50 200 300 400,
    # median (200 + 300) / 2 = 250
    got = median_duration(runs, last=4)
    assert got is not None and (got.seconds, got.runs) == (Decimal(250), 4)
    assert median_duration([_run(0, 1, "RUNNING")]) is None


def test_plan_summary_shows_the_cost_section_and_its_json() -> None:
    from alur_compiler.deploy.plan_summary import PlanSummary, render_text

    summary = PlanSummary("dev", cost=cost_of(MONTH))
    text = render_text(summary)
    assert text[0] == "dev: no changes; the infrastructure matches the build."
    assert text[1].startswith("  cost: Glue jobs of dev (us-east-1) in the 30 days from 2027-01-15")
    assert text[-1].split() == ["total", "238.50", "103.89"]
    assert summary.to_json()["cost"]["total"] == {"dpu_hours": 238.5, "monthly_usd": 103.89}
