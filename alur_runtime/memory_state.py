"""An in-memory state store with exactly the semantics of the real ones (state.py).

`alurc schedule` and the tests drive the chain Lambda's decision function over it. Its
compare-and-set uses the real stores' own matching rule (`state._matches`): an expected
item matches when every *expected* field has the expected value, whatever other fields
the stored item has; `None` expects no item. A test (tests/integration/
test_state_store_parity.py) runs one sequence against this store, SQLite and DynamoDB
on moto's server and requires identical outcomes.
"""

from __future__ import annotations

from alur_runtime.state import _matches


class MemoryStateStore:
    """Items in a dict, keyed by (pk, sk); values are copied in and out."""

    def __init__(self) -> None:
        self.items: dict[tuple[str, str], dict[str, str]] = {}

    def get(self, pk: str, sk: str) -> dict[str, str] | None:
        item = self.items.get((pk, sk))
        return None if item is None else dict(item)

    def put(self, pk: str, sk: str, item: dict[str, str]) -> None:
        self.items[(pk, sk)] = dict(item)

    def put_if(
        self, pk: str, sk: str, item: dict[str, str], expected: dict[str, str] | None
    ) -> bool:
        """Write `item` if the current item matches `expected` (None: no item may exist)."""
        if not _matches(self.items.get((pk, sk)), expected):
            return False
        self.items[(pk, sk)] = dict(item)
        return True

    def query(self, pk: str, prefix: str) -> list[tuple[str, dict[str, str]]]:
        """Items of `pk` whose sort key starts with `prefix`, sorted by sort key."""
        found = [(sk, dict(v)) for (p, sk), v in self.items.items() if p == pk]
        return sorted(((sk, v) for sk, v in found if sk.startswith(prefix)), key=lambda kv: kv[0])

    def delete_if(self, pk: str, sk: str, expected: dict[str, str]) -> bool:
        current = self.items.get((pk, sk))
        if current is None or not _matches(current, expected):
            return False
        del self.items[(pk, sk)]
        return True
