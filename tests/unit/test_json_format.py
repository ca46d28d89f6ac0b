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
def test_canonical_json_sorts_int_keys_like_the_stdlib(doc: dict[object, object]) -> None:
    assert canonical_json(doc) == _stdlib_canonical(doc)
