"""`max_wait` durations (specs/schedule.md, "max_wait"): `90m`, `6h`, `2d`.

The JSON Schema checks the form; this module reads it and checks the range (AL325): at
least MIN_MINUTES, because the chain Lambda's sweep runs every 5 minutes and a shorter wait
would elapse mostly by the sweep's clock, and at most MAX_MINUTES (7 days).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from alur_compiler.diagnostics import Diagnostics, codes
from alur_compiler.load.source import SourceDoc

DURATION = re.compile(r"^([1-9][0-9]{0,5})([mhd])$")
UNIT_MINUTES = {"m": 1, "h": 60, "d": 1440}
MIN_MINUTES = 15
MAX_MINUTES = 7 * 1440


def duration_minutes(text: object) -> int | None:
    """Minutes of a `max_wait` value, or None when absent or not of the form."""
    if not isinstance(text, str):
        return None
    found = DURATION.match(text)
    if found is None:
        return None
    return int(found.group(1)) * UNIT_MINUTES[found.group(2)]


def check_max_wait(jobs: Mapping[str, SourceDoc], diags: Diagnostics) -> None:
    for _, doc in sorted(jobs.items()):
        spec = doc.data.get("schedule")
        wait = spec.get("max_wait") if isinstance(spec, dict) else None
        minutes = duration_minutes(wait)
        if minutes is None or MIN_MINUTES <= minutes <= MAX_MINUTES:
            continue
        side = "shorter than 15m" if minutes < MIN_MINUTES else "longer than 7d"
        diags.report(
            codes.MAX_WAIT_RANGE,
            f"max_wait {wait} is {side}",
            doc.span_of("/schedule/max_wait"),
            hint="a max_wait is 15m to 7d (e.g. 6h); the chain Lambda checks waits every 5 minutes",
        )
