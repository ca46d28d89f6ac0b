"""Compare expected rows with a table's rows, in any order: a readable row diff.

Rows equal cell for cell are matched first (as multisets: a duplicate row counts). Of
what is left, rows with the same key (the target's primary key, when every key column is
compared) are *changed* rows, reported cell by cell; the rest are *missing* (expected,
not found) or *unexpected* (found, not expected).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from alur_compiler.testing.rows import Cell
from alur_compiler.testing.values import is_complex

Row = tuple[Cell, ...]


@dataclass(frozen=True)
class Change:
    key: Row
    cells: tuple[tuple[str, Cell, Cell], ...]  # column, expected, actual


@dataclass(frozen=True)
class RowDiff:
    what: str  # "table orders", "the quarantine of orders"
    columns: tuple[str, ...]
    key: tuple[str, ...]
    missing: tuple[Row, ...] = ()
    unexpected: tuple[Row, ...] = ()
    changed: tuple[Change, ...] = ()
    matched: int = 0
    types: tuple[str, ...] = field(default=())  # of `columns`: lists and maps shown as JSON

    @property
    def ok(self) -> bool:
        return not (self.missing or self.unexpected or self.changed)

    def lines(self) -> list[str]:
        """The diff as text lines (no colour): one line per missing/unexpected/changed row."""
        if self.ok:
            return []
        parts = [
            f"{len(self.missing)} missing" if self.missing else "",
            f"{len(self.unexpected)} unexpected" if self.unexpected else "",
            f"{len(self.changed)} changed" if self.changed else "",
        ]
        out = [f"{self.what}: {', '.join(p for p in parts if p)} ({self.matched} matched)"]
        kinds = dict(zip(self.columns, self.types, strict=False))
        for row in self.missing:
            out.append(f"  - missing     {render_row(self.columns, row, kinds)}")
        for row in self.unexpected:
            out.append(f"  + unexpected  {render_row(self.columns, row, kinds)}")
        for change in self.changed:
            cells = ", ".join(
                f"{c}: expected {cell_text(e, kinds.get(c))}, got {cell_text(a, kinds.get(c))}"
                for c, e, a in change.cells
            )
            out.append(f"  ~ changed     {render_row(self.key, change.key, kinds)}: {cells}")
        return out


def cell_text(value: Cell, kind: str | None = None) -> str:
    """A cell as a test would write it: null, a quoted string, a list/mapping as JSON."""
    if value is None:
        return "null"
    if kind is not None and is_complex(kind):
        return value
    return repr(value)


def render_row(columns: tuple[str, ...], row: Row, kinds: dict[str, str] | None = None) -> str:
    kinds = kinds or {}
    return " ".join(f"{c}={cell_text(v, kinds.get(c))}" for c, v in zip(columns, row, strict=True))


def diff_rows(
    what: str,
    columns: tuple[str, ...],
    expected: list[Row],
    actual: list[Row],
    key: tuple[str, ...] = (),
    types: tuple[str, ...] = (),
) -> RowDiff:
    """The difference between `expected` and `actual` rows over `columns`."""
    left = Counter(expected)
    right = Counter(actual)
    common = left & right
    left -= common
    right -= common
    missing = list(left.elements())
    unexpected = list(right.elements())
    changed: list[Change] = []
    if key and all(k in columns for k in key):
        index = [columns.index(k) for k in key]
        by_key: dict[Row, list[Row]] = {}
        for row in unexpected:
            by_key.setdefault(tuple(row[i] for i in index), []).append(row)
        still_missing: list[Row] = []
        for row in missing:
            k = tuple(row[i] for i in index)
            if by_key.get(k):
                got = by_key[k].pop(0)
                unexpected.remove(got)
                cells = tuple(
                    (c, e, a) for c, e, a in zip(columns, row, got, strict=True) if e != a
                )
                changed.append(Change(k, cells))
            else:
                still_missing.append(row)
        missing = still_missing
    return RowDiff(
        what,
        columns,
        key,
        tuple(sorted(missing, key=_order)),
        tuple(sorted(unexpected, key=_order)),
        tuple(sorted(changed, key=lambda c: _order(c.key))),
        sum(common.values()),
        types,
    )


def _order(row: Row) -> tuple[tuple[bool, str], ...]:
    return tuple((v is not None, v or "") for v in row)
