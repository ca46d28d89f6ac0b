"""An environment's cost as text lines (a table per job, then the total) and as JSON."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from alur_compiler.cost.estimate import EnvCost, JobCost, Priced
from alur_compiler.cost.prices import MINIMUM_BILLED_SECONDS, PRICES_DATE, PRICES_SOURCE

CENT = Decimal("0.01")
DPU_HOUR_PLACES = Decimal("0.0001")


def money(value: Decimal | None) -> str:
    return "?" if value is None else str(value.quantize(CENT, ROUND_HALF_UP))


def _signed(value: Decimal | None) -> str:
    text = money(value)
    return text if value is None or text.startswith("-") else "+" + text


def _number(value: Decimal, places: Decimal) -> float:
    return float(value.quantize(places, ROUND_HALF_UP))


def _seconds_text(value: Decimal) -> str:
    whole = value.to_integral_value()
    return f"{whole if whole == value else value.quantize(Decimal('0.1'))} s"


def per_run(job: JobCost) -> str:
    """`600 s (declared expected_minutes)`, `30 s -> 60 s billed (1-minute minimum; ...)`."""
    raw, billed = job.duration.seconds, job.planned.billed_seconds
    if billed > math.ceil(raw):
        return f"{_seconds_text(raw)} -> {billed} s billed (1-minute minimum; {job.duration.label})"
    return f"{_seconds_text(raw)} ({job.duration.label})"


def _capacity(p: Priced) -> str:
    flex = ", FLEX" if p.workers.execution_class == "FLEX" else ""
    return f"{p.workers.workers} x {p.workers.worker_type} = {p.workers.dpus.normalize()} DPU{flex}"


def _row(job: JobCost) -> list[str]:
    p = job.planned
    row = [job.job, str(p.runs), job.trigger, _capacity(p), per_run(job)]
    row += [str(p.dpu_hours.quantize(CENT, ROUND_HALF_UP)), money(p.usd)]
    if job.now is not None:
        row += ["new" if job.deployed is False else money(job.now.usd), _signed(job.change)]
    return row


def _table(rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    numeric = {1, 5, 6, 7, 8}
    out = []
    for r in rows:
        cells = [
            c.rjust(w) if i in numeric else c.ljust(w)
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        ]
        out.append("    " + "  ".join(cells).rstrip())
    return out


def render_lines(cost: EnvCost) -> list[str]:
    span = f"the 30 days from {cost.start:%Y-%m-%d %H:%M} UTC"
    lines = [f"  cost: Glue jobs of {cost.environment} ({cost.region}) in {span}, USD"]
    if cost.price_override is not None:
        lines.append(f"    price: {cost.price_override} per DPU-hour (--price-per-dpu-hour)")
    else:
        lines.append(
            f"    price: per DPU-hour from {PRICES_SOURCE} ({PRICES_DATE}); "
            f"billed per second, at least {MINIMUM_BILLED_SECONDS} s a run"
        )
    head = ["job", "runs", "trigger", "capacity", "per run", "DPU-hours", "USD/month"]
    compared = cost.compared_with is not None
    rows = [head + (["now", "change"] if compared else [])] + [_row(j) for j in cost.jobs]
    total = ["total", "", "", "", "", str(cost.total_dpu_hours.quantize(CENT, ROUND_HALF_UP))]
    total.append(money(cost.total("planned")))
    if compared:
        now = cost.total("now")
        planned = cost.total("planned")
        change = planned - now if planned is not None and now is not None else None
        total += [money(now), _signed(change)]
    lines += _table([*rows, total])
    if any(j.planned.price is None for j in cost.jobs):
        lines.append(
            f"    no price for region {cost.region} in the table: give --price-per-dpu-hour"
        )
    if compared:
        lines.append(f"    now: as deployed, read from {cost.compared_with}")
    return lines


def _priced_json(p: Priced) -> dict[str, Any]:
    return {
        "runs": p.runs,
        "worker_type": p.workers.worker_type,
        "workers": p.workers.workers,
        "execution_class": p.workers.execution_class,
        "dpus": float(p.workers.dpus),
        "billed_seconds_per_run": p.billed_seconds,
        "dpu_hours": _number(p.dpu_hours, DPU_HOUR_PLACES),
        "price_per_dpu_hour": None if p.price is None else float(p.price),
        "monthly_usd": None if p.usd is None else _number(p.usd, CENT),
    }


def _job_json(job: JobCost) -> dict[str, Any]:
    d = job.duration
    duration: dict[str, Any] = {"seconds": float(d.seconds), "source": d.source, "label": d.label}
    if d.source == "observed":
        duration["runs"] = d.runs
    out: dict[str, Any] = {"job": job.job, "glue_job": job.glue_job, "trigger": job.trigger}
    out |= {"duration": duration} | _priced_json(job.planned)
    if job.now is not None:
        out["deployed"] = job.deployed
        out["now"] = _priced_json(job.now)
        out["change_usd"] = None if job.change is None else _number(job.change, CENT)
    return out


def to_json(cost: EnvCost) -> dict[str, Any]:
    planned, now = cost.total("planned"), cost.total("now")
    total: dict[str, Any] = {
        "dpu_hours": _number(cost.total_dpu_hours, DPU_HOUR_PLACES),
        "monthly_usd": None if planned is None else _number(planned, CENT),
    }
    if cost.compared_with is not None:
        total["now_monthly_usd"] = None if now is None else _number(now, CENT)
        both = planned is not None and now is not None
        total["change_usd"] = _number(planned - now, CENT) if both else None  # type: ignore[operator]
    return {
        "project": cost.project,
        "environment": cost.environment,
        "region": cost.region,
        "from": cost.start.isoformat(),
        "to": cost.end.isoformat(),
        "prices": {
            "source": "--price-per-dpu-hour" if cost.price_override is not None else PRICES_SOURCE,
            "date": None if cost.price_override is not None else PRICES_DATE,
            "minimum_billed_seconds": MINIMUM_BILLED_SECONDS,
        },
        "compared_with": cost.compared_with,
        "jobs": [_job_json(j) for j in cost.jobs],
        "total": total,
    }
