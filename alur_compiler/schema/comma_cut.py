"""A value that YAML's flow style cut at a comma, reported once, at the value, with the fix.

Inside `{...}` and `[...]` a comma ends a plain value, so the column
`{name: amount, type: decimal(20,9)}` is read as `{name: amount, type: "decimal(20",
"9)": null}`: a type that is not one, and a key that is not one; and
`partition_by: [day, bucket(8, user_id)]` as three items, `bucket(8` and `user_id)` among
them. The errors of one cut value come from one cause, so they become one diagnostic at
the value, naming what YAML read and how to write it (quoted). A cut is recognised by
brackets: the value opens more `( < [ {` than it closes, and the keys (each without a
value) or items right after it close them.
"""

from __future__ import annotations

from typing import Any

from alur_compiler.diagnostics import codes
from alur_compiler.schema.entities import describe
from alur_compiler.schema.problem import Problem

_OPEN, _CLOSE = "(<[{", ")>]}"


def _depth(text: str) -> int:
    return sum(text.count(c) for c in _OPEN) - sum(text.count(c) for c in _CLOSE)


def cut(mapping: Any, stray: object) -> tuple[str, list[str]] | None:
    """(the key whose value was cut, the keys holding its rest) when `stray` is one of
    those keys; None otherwise."""
    if not isinstance(mapping, dict) or mapping.get(stray, 0) is not None:
        return None
    keys = list(mapping)
    for i, key in enumerate(keys):
        value = mapping[key]
        if not isinstance(value, str) or _depth(value) <= 0:
            continue
        depth, rest = _depth(value), []
        for other in keys[i + 1 :]:
            if not isinstance(other, str) or mapping[other] is not None:
                break
            rest.append(other)
            depth += _depth(other)
            if depth <= 0:
                break
        if depth == 0 and stray in rest:
            return str(key), rest
    return None


def cut_items(items: Any, index: object) -> tuple[int, int] | None:
    """(first, last) of the run of list items that one value cut at commas became, when
    item `index` is in it (`[view_date, bucket(8, user_id)]`: items 1 and 2)."""
    if not isinstance(items, list) or not isinstance(index, int):
        return None
    for start, value in enumerate(items[: index + 1]):
        if not isinstance(value, str) or _depth(value) <= 0:
            continue
        depth = _depth(value)
        for end in range(start + 1, len(items)):
            if not isinstance(items[end], str):
                break
            depth += _depth(items[end])
            if depth <= 0:
                if depth == 0 and start <= index <= end:
                    return start, end
                break
    return None


def _at(data: Any, path: tuple[str | int, ...]) -> Any:
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def merge_cuts(kind: str, data: Any, found: list[Problem]) -> list[Problem]:
    """`found` with the problems of each cut value (its own, its stray keys') replaced by
    one problem at the value."""
    cuts: dict[tuple[str | int, ...], Problem] = {}
    covered: set[tuple[str | int, ...]] = set()
    for p in found:
        if not p.path:
            continue
        parent = _at(data, p.path[:-1])
        run = cut_items(parent, p.path[-1])
        if run is not None:
            first, last = run
            path = (*p.path[:-1], first)
            covered |= {(*p.path[:-1], i) for i in range(first, last + 1)}
            if path not in cuts:
                parts = parent[first : last + 1]
                read = ", ".join(f"`{x}`" for x in parts)
                cuts[path] = Problem(
                    p.code,
                    f"{describe(kind, data, path)} was cut at a comma: YAML read {read}",
                    path,
                    hint='inside `[...]` a comma ends an item: quote it, `"'
                    + ", ".join(parts)
                    + '"`, or write the list as block items (`- ...`)',
                )
            continue
        if p.code is not codes.UNKNOWN_KEY:
            continue
        hit = cut(parent, p.path[-1])
        if hit is None:
            continue
        key, rest = hit
        path = (*p.path[:-1], key)
        covered |= {path, *((*p.path[:-1], r) for r in rest)}
        if path in cuts:
            continue
        value = parent[key]
        whole = ",".join([value, *rest])
        read = ", ".join([f"`{value}`", *(f"a key `{r}`" for r in rest)])
        cuts[path] = Problem(
            codes.BAD_VALUE,
            f"{describe(kind, data, path)} was cut at a comma: YAML read {read}",
            path,
            hint=f'inside `{{...}}` or `[...]` a comma ends a value: quote it, `{key}: "{whole}"`',
        )
    if not cuts:
        return found
    kept = [p for p in found if p.path not in covered]
    return kept + list(cuts.values())
