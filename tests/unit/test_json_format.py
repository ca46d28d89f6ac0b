"""orjson-encoded outputs equal the standard library's text (fingerprints and pretty JSON)."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from alur_compiler.ir import Action, Check, CheckType, Column, Layer, Table
from alur_compiler.ir.fingerprint import canonical_json, fingerprint, pretty_json, to_jsonable

# Plain-notation floats (what specs can hold: thresholds, `mostly`); ints within 64 bits.
_floats = st.floats(min_value=1e-4, max_value=1e15, allow_nan=False) | st.just(0.0)
_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | _floats
    | st.text()
)
_docs = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=30,
)


def _stdlib_pretty(value: object) -> bytes:
    return (json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


@settings(max_examples=300, derandomize=True)
@given(_docs)
def test_pretty_json_equals_the_standard_library(doc: object) -> None:
    assert pretty_json(doc) == _stdlib_pretty(doc)


def test_pretty_json_falls_back_for_what_orjson_refuses() -> None:
    doc = {"big": 2**70, "small": [1, 2.5]}
    assert pretty_json(doc) == _stdlib_pretty(doc)


def _stdlib_canonical(value: object) -> bytes:
    text = json.dumps(to_jsonable(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode()


def test_fingerprint_of_ir_nodes_has_no_locations_and_matches_the_stdlib() -> None:
    table = Table(
        "orders",
        Layer.SILVER,
        (Column("id", "string", nullable=False), Column("amount", "decimal(12,2)")),
        checks=(Check("id_unique", CheckType.UNIQUE, Action.QUARANTINE, ("id",), mostly=0.95),),
    )
    encoded = canonical_json(table)
    assert encoded == _stdlib_canonical(table)
    assert b'"span"' not in encoded and b'"layer":"silver"' in encoded
    assert fingerprint(table) != fingerprint(Table("orders", Layer.GOLD, table.columns))


@settings(max_examples=200, derandomize=True)
@given(st.dictionaries(st.integers(-5, 5), _scalars, max_size=6))
def test_canonical_json_of_int_keys_equals_the_stdlib_on_to_jsonable(
    doc: dict[object, object],
) -> None:
    """Keys become strings first (`to_jsonable`), so they sort as strings: "10" < "9"."""
    assert canonical_json(doc) == _stdlib_canonical(doc)


def test_infinity_and_nan_are_kept_not_written_as_null() -> None:
    """orjson writes them as null; a spec's `max: .inf` must stay Infinity (and differ from
    no bound at all in the fingerprint)."""
    doc = {"max_value": float("inf"), "min_value": None, "values": [float("-inf"), 1.5]}
    assert pretty_json(doc) == _stdlib_pretty(doc)
    assert b'"max_value": Infinity' in pretty_json(doc)
    assert b"NaN" in pretty_json([float("nan")])
    check = Check("q", CheckType.BETWEEN, Action.WARN, ("amount",), min=0, max=float("inf"))
    assert b'"max":Infinity' in canonical_json(check)
    assert canonical_json(check) == _stdlib_canonical(check)
    open_ended = Check("q", CheckType.BETWEEN, Action.WARN, ("amount",), min=0)
    assert fingerprint(check) != fingerprint(open_ended)
    # nested in a table (orjson reaches the check through its `default` hook)
    columns = (Column("amount", "double"),)
    table = Table("t", Layer.SILVER, columns, checks=(check,))
    assert canonical_json(table) == _stdlib_canonical(table)
    open_table = Table("t", Layer.SILVER, columns, checks=(open_ended,))
    assert fingerprint(table) != fingerprint(open_table)
    listed = Check("v", CheckType.ACCEPTED_VALUES, Action.WARN, ("amount",), values=(float("nan"),))
    assert b"NaN" in canonical_json(Table("t", Layer.SILVER, columns, checks=(listed,)))
