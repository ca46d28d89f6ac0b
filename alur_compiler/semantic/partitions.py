"""Partition specs: `col`, `days(col)`, `bucket(16, col)`, ... and the bronze rule.

Bronze is plain Parquet: Hive-style partitions by column value, no transforms. This module
is the one place that rule is checked (AL311); the IR never holds a bronze transform.
"""

from __future__ import annotations

import re

from alur_compiler.diagnostics import Diagnostics, codes
from alur_compiler.load.source import SourceDoc

_PART = re.compile(
    r"^\s*(?:(?P<fn>years|months|days|hours)\(\s*(?P<c1>\w+)\s*\)"
    r"|(?P<fn2>bucket|truncate)\(\s*(?P<n>\d+)\s*,\s*(?P<c2>\w+)\s*\)"
    r"|(?P<c3>\w+))\s*$"
)


def parse_partition(text: str) -> tuple[str | None, str, int | None] | None:
    """(transform or None, column, N of bucket/truncate) or None when `text` is no partition."""
    m = _PART.match(text)
    if m is None:
        return None
    fn = m.group("fn") or m.group("fn2")
    col = m.group("c1") or m.group("c2") or m.group("c3")
    return fn, col, int(m.group("n")) if m.group("n") else None


def check_bronze_partitions(doc: SourceDoc, diags: Diagnostics) -> None:
    """A bronze table's partitions are plain columns, never transforms."""
    for i, text in enumerate(doc.data.get("partition_by", ())):
        parsed = parse_partition(text)
        fn = parsed[0] if parsed else None
        if fn:
            diags.report(
                codes.PARTITION_RULE,
                f"bronze tables are Parquet: partition by plain columns, not {fn}()",
                doc.span_of(f"/partition_by/{i}"),
                hint="add a derived date column in silver, or partition bronze by a column",
            )
