"""What AWS Glue 5.0 bills for a Spark job run: DPUs per worker, the billing minimum, and
the on-demand price per DPU-hour per region and execution class (a dated table).

Source: https://aws.amazon.com/glue/pricing/ (ETL jobs), read 2026-12-02: Apache Spark
jobs on Glue 2.0 and later are billed per second with a 1-minute minimum per run, at
$0.44 per DPU-hour (standard) and $0.29 per DPU-hour (Flex execution class) in the regions
listed here. A worker of type G.nX is n DPUs (G.025X a quarter). Prices change and differ
by region: `--price-per-dpu-hour` replaces the table's price (specs/cost.md); a region not
in the table has no price, and the cost is then given in DPU-hours only.
"""

from __future__ import annotations

import re
from decimal import Decimal

PRICES_DATE = "2026-12-02"
PRICES_SOURCE = "https://aws.amazon.com/glue/pricing/"

#: Glue bills each run for at least this many seconds (Glue 2.0+ Spark jobs)
MINIMUM_BILLED_SECONDS = 60

#: DPUs of one worker, by worker type (schemas/common.schema.json allows G.1X to G.8X)
DPU_PER_WORKER: dict[str, Decimal] = {
    "G.025X": Decimal("0.25"),
    "G.1X": Decimal("1"),
    "G.2X": Decimal("2"),
    "G.4X": Decimal("4"),
    "G.8X": Decimal("8"),
}

_STANDARD_AND_FLEX = {"STANDARD": Decimal("0.44"), "FLEX": Decimal("0.29")}

#: USD per DPU-hour, by region and execution class
PRICE_PER_DPU_HOUR: dict[str, dict[str, Decimal]] = {
    "eu-west-1": _STANDARD_AND_FLEX,
    "us-east-1": _STANDARD_AND_FLEX,
    "us-east-2": _STANDARD_AND_FLEX,
    "us-west-2": _STANDARD_AND_FLEX,
}


def price_per_dpu_hour(region: str, execution_class: str) -> Decimal | None:
    """The table's price, or None for a region (or class) it does not list."""
    return PRICE_PER_DPU_HOUR.get(region, {}).get(execution_class)


def dpu_per_worker(worker_type: str) -> Decimal:
    """DPUs of one worker; a type the table lacks is read from its name (G.12X: 12)."""
    if worker_type in DPU_PER_WORKER:
        return DPU_PER_WORKER[worker_type]
    found = re.fullmatch(r"[A-Z]\.(\d+)X", worker_type)
    return Decimal(found.group(1)) if found else Decimal(1)
