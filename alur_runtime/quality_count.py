"""Counting for the quality evaluator: every count of one evaluation in ONE Spark job.

Inlined into generated Glue scripts before `quality.py`, which uses it (see that module's
docstring for the whole algorithm and specs/checks.md for the semantics). Pure PySpark +
stdlib.

- The row pass: one aggregation of every row check's counts, freshness maxima and the
  rows other drop/quarantine checks flag.
- `unique`: per distinct key set, its duplicate groups by window functions over the rows
  partitioned by the key (NULLs equal, as in a group-by).
- Relationship: a left-anti join of the column's non-NULL values to the target.
A check's `where` filter is folded into its considered/fail SQL (row checks) or filters the
rows a table check reads (`w<i>` counts them).
All branches are single rows (maps of counts) of one union, collected once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

from alur_runtime.conform import quote_ident

_BLOCKING = ("drop", "quarantine")


#: a unique check's key set: its columns (sorted) and the rows it considers (`where`)
_Key = tuple[tuple[str, ...], str]


def _key(check: Mapping[str, Any]) -> _Key:
    """The key set of a unique check (column order does not change which rows are
    duplicates; a `where` filter does: duplicates are counted among the filtered rows)."""
    return tuple(sorted(set(check["columns"]))), str(check["considered_expr"])


class _KeySet(NamedTuple):
    """One distinct key set of the unique checks."""

    k: int
    columns: tuple[str, ...]
    considered: str
    flagged: bool  # rows are flagged (drop/quarantine, or `_failed_checks` lists it)
    blocking: bool  # a drop/quarantine check on it: flagged rows are not published
    quarantining: bool  # a quarantine check on it: flagged rows go to quarantine


def _key_sets(row: list[tuple[int, Mapping[str, Any]]]) -> dict[_Key, _KeySet]:
    """Distinct key sets of the unique checks, in order of first use.

    Rows are flagged for a key set of a `drop`/`quarantine` unique check, and for every key
    set when some check quarantines (`_failed_checks` names all row checks).
    """
    quarantining = any(c["action"] == "quarantine" for _, c in row)
    out: dict[_Key, _KeySet] = {}
    for _, c in row:
        if c["type"] == "unique":
            key = _key(c)
            old = out.get(key, _KeySet(len(out), key[0], key[1], False, False, False))
            blocking = old.blocking or c["action"] in _BLOCKING
            out[key] = old._replace(
                flagged=old.flagged or quarantining or blocking,
                blocking=blocking,
                quarantining=old.quarantining or c["action"] == "quarantine",
            )
    return out


def _other_flags(row: list[tuple[int, Mapping[str, Any]]]) -> dict[str, str]:
    """SQL of "a non-unique drop/quarantine check flags the row" (`b`) and quarantine (`q`)."""
    out = {}
    for name, actions in (("b", _BLOCKING), ("q", ("quarantine",))):
        parts = [
            f"coalesce(({c['fail_expr']}), FALSE)"
            for _, c in row
            if c["type"] != "unique" and c["action"] in actions
        ]
        if parts:
            out[name] = " OR ".join(parts)
    return out


def _dup_groups(
    source: Any, keysets: dict[_Key, _KeySet], other: dict[str, str], held: list[Any]
) -> dict[_Key, Any]:
    """Per key set, its duplicate groups, one row each (lazy; cached when rows are flagged).

    Columns: the key (`__alur_k<k>_<j>`), the group's row count `__alur_c`, and how many of
    its rows other drop (`__alur_b`) and quarantine (`__alur_q`) checks flag, when needed
    to count the rows removed without a join (`_rows_removed`). Counted with window
    functions over the rows partitioned by the key (NULLs equal, as in a group-by): one
    shuffle of the key columns, then a sort, and no hash aggregation of ~one group per row
    on the map side, which is what a group-by costs when most keys are unique.
    """
    out: dict[_Key, Any] = {}
    for key, ks in keysets.items():
        cols = ks.columns
        names = [f"__alur_k{ks.k}_{j}" for j in range(len(cols))]
        keys = ", ".join(names)
        group = f"PARTITION BY {keys} ORDER BY {keys}"
        whole = f"({group} ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)"
        inner = [f"{quote_ident(c)} AS {n}" for c, n in zip(cols, names, strict=True)]
        outer = [*names, f"count(1) OVER {whole} AS __alur_c"]
        for extra, needed in (("b", ks.blocking), ("q", ks.quarantining)):
            if needed and extra in other:
                inner.append(f"({other[extra]}) AS __alur_f{extra}")
                outer.append(f"count(CASE WHEN __alur_f{extra} THEN 1 END) OVER {whole}")
                outer[-1] += f" AS __alur_{extra}"
        outer.append(f"row_number() OVER ({group}) AS __alur_n")
        rows = source.where(ks.considered).selectExpr(*inner).selectExpr(*outer)
        found = rows.where("__alur_c > 1 AND __alur_n = 1").drop("__alur_n")
        if ks.flagged:
            found = found.cache()  # filled by the counting job, read again to flag rows
            held.append(found)
        out[key] = found
    return out


def _ref_keys(
    checks: Sequence[Mapping[str, Any]], lookup: Callable[[str], Any] | None
) -> tuple[dict[int, Any], dict[int, str]]:
    """Per relationship check: its target's key column (`__alur_r`), or why it cannot be read."""
    refs: dict[int, Any] = {}
    errors: dict[int, str] = {}
    for i, c in enumerate(checks):
        if c["type"] != "relationship":
            continue
        try:
            if lookup is None:
                raise ValueError(f"relationship check {c['name']} needs lookup({c['ref_table']!r})")
            ref = lookup(c["ref_table"])
            refs[i] = ref.selectExpr(f"{quote_ident(c['ref_column'])} AS __alur_r")
        except Exception as exc:  # a missing or unreadable lookup table is a failed check
            errors[i] = f"{type(exc).__name__}: {exc}"
    return refs, errors


def _count(
    source: Any,
    checks: Sequence[Mapping[str, Any]],
    other: dict[str, str],
    keysets: dict[_Key, _KeySet],
    groups: dict[_Key, Any],
    refs: dict[int, Any],
    errors: dict[int, str],
) -> dict[str, Any]:
    """Every count in ONE Spark job: a union of single-row branches, each a map of counts.

    If the job fails while relationship branches are in it, it runs again without them and
    each relationship is counted on its own: a target that fails to read fails its check only.
    """
    branches = [_main_branch(source, checks, other)]
    branches += [_group_branch(found, keysets[key].k) for key, found in groups.items()]
    if refs:
        orphans = [_orphan_branch(source, checks[i], i, ref) for i, ref in refs.items()]
        try:
            return _collect(branches + orphans)
        except Exception:  # find out below which target fails (if any does)
            pass
    stats = _collect(branches)
    for i, ref in refs.items():
        try:
            stats.update(_collect([_orphan_branch(source, checks[i], i, ref)]))
        except Exception as exc:  # an unreadable lookup table is a failed check
            errors[i] = f"{type(exc).__name__}: {exc}"
    return stats


def _collect(branches: list[Any]) -> dict[str, Any]:
    union = branches[0]
    for branch in branches[1:]:
        union = union.unionAll(branch)
    stats: dict[str, Any] = {}
    for got in union.collect():
        stats.update(got[0])
    return stats


def _counts_map(pairs: list[tuple[str, str]]) -> str:
    return "map(" + ", ".join(f"'{name}', CAST({sql} AS BIGINT)" for name, sql in pairs) + ")"


def _main_branch(source: Any, checks: Sequence[Mapping[str, Any]], other: dict[str, str]) -> Any:
    """One aggregation over the rows: `n`, `e<i>`/`u<i>` per row check (but the unique
    counts), `ts<i>` per freshness check, `e<i>` per relationship, `w<i>` (rows a check's
    `where` holds for), `ob`/`oq` (other flags)."""
    aggs = [("n", "count(1)")]
    for i, c in enumerate(checks):
        where = c.get("where")
        if where:
            aggs.append((f"w{i}", f"count_if({where})"))
        if c["level"] == "row":
            aggs.append((f"e{i}", f"count_if({c['considered_expr']})"))
            if c["type"] != "unique":
                aggs.append((f"u{i}", f"count_if(coalesce(({c['fail_expr']}), FALSE))"))
        elif c["type"] == "freshness":
            column = quote_ident(c["column"])
            if where:
                column = f"CASE WHEN {where} THEN {column} END"
            aggs.append((f"ts{i}", f"unix_micros(CAST(max({column}) AS TIMESTAMP))"))
        elif c["type"] == "relationship":
            nonnull = f"{quote_ident(c['column'])} IS NOT NULL"
            aggs.append(
                (f"e{i}", f"count_if({nonnull} AND {where})" if where else f"count_if({nonnull})")
            )
    aggs += [(f"o{name}", f"count_if({sql})") for name, sql in other.items()]
    return source.selectExpr(_counts_map(aggs) + " AS m")


def _group_branch(found: Any, k: int) -> Any:
    """`g<k>` duplicate groups and `r<k>` rows in them (+ `b<k>`/`q<k>`) of key set k."""
    pairs = [(f"g{k}", "count(1)"), (f"r{k}", "coalesce(sum(__alur_c), 0)")]
    for extra in ("b", "q"):
        if f"__alur_{extra}" in found.columns:
            pairs.append((f"{extra}{k}", f"coalesce(sum(__alur_{extra}), 0)"))
    return found.selectExpr(_counts_map(pairs) + " AS m")


def _orphan_branch(source: Any, c: Mapping[str, Any], i: int, ref: Any) -> Any:
    """`o<i>`: rows whose non-null column value is absent from the target (a left-anti join;
    Spark broadcasts the target when it is small, else shuffles both sides)."""
    if c.get("where"):
        source = source.where(c["where"])
    keys = source.selectExpr(f"{quote_ident(c['column'])} AS __alur_k").where(
        "__alur_k IS NOT NULL"
    )
    orphans = keys.join(ref, keys["__alur_k"] == ref["__alur_r"], "left_anti")
    return orphans.selectExpr(_counts_map([(f"x{i}", "count(1)")]) + " AS m")
