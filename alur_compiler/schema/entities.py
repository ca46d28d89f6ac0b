"""Name the thing a schema error is about in the user's words, not by its JSON pointer.

`/checks/0` of table orders is "check 1 of table `orders` (`unique`)"; `/columns/2/type` is
"`type` of column `amount` of table `orders`"; `/environments/dev/buckets` is "`buckets` of
environment `dev`". Lists of mappings (columns, checks, sources) and named maps
(environments) start a new entity; every other step is a key inside the current one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

_PLAIN = re.compile(r"^[a-z_][a-z0-9_]*$")

#: document kind -> how the document is called
KIND_LABELS = {
    "Table": "table",
    "Pipeline": "pipeline",
    "Ingestion": "ingestion",
    "Project": "project",
    "Test": "test",
}
#: list keys whose items are entities of their own -> (singular, key that names an item)
ITEM_ENTITIES: dict[str, tuple[str, str | None]] = {
    "columns": ("column", "name"),
    "checks": ("check", "type"),
    "sources": ("source", "path"),
}
#: map keys whose entries are named entities -> singular
NAMED_ENTRIES = {"environments": "environment"}


def code(text: object) -> str:
    """A name or key as the user writes it, in backticks."""
    return f"`{text}`"


@dataclass(frozen=True)
class Subject:
    """What a pointer is about: an entity and, inside it, a key path (maybe empty)."""

    entity: str  # "check 1 of table `orders` (`unique`)"
    keys: tuple[str, ...] = ()  # ("merge", "keys") inside the entity
    item: int | None = None  # a trailing list index inside the key path (0-based)

    @property
    def key_text(self) -> str | None:
        if not self.keys:
            return None
        plain = list(self.keys)
        entry = plain.pop() if not _PLAIN.match(plain[-1]) else None  # a map's own key
        text = code(".".join(plain)) if plain else ""
        if entry is not None:
            text = f"entry {code(entry)}" + (f" of {text}" if text else "")
        return f"item {self.item + 1} of {text}" if self.item is not None else text

    def __str__(self) -> str:
        key = self.key_text
        return f"{key} of {self.entity}" if key else self.entity

    def child(self, key: str) -> Subject:
        """The subject of `key` inside this subject (for unknown and missing keys)."""
        return Subject(self.entity, (*self.keys, key))


def document_entity(kind: str | None, data: Any, named: bool = True) -> str:
    """ "table `orders`"; "this table" when it has no usable name (or `named` is False:
    the message is about the name itself)."""
    label = KIND_LABELS.get(kind or "", "document")
    name = data.get("name") if isinstance(data, dict) else None
    if named and isinstance(name, str) and name:
        return f"{label} {code(name)}"
    return f"this {label}"


def _item_entity(key: str, index: int, item: Any, parent: str, named: bool = True) -> str:
    singular, naming = ITEM_ENTITIES[key]
    label = item.get(naming) if isinstance(item, dict) and naming and named else None
    if singular == "column" and isinstance(label, str) and label:
        return f"column {code(label)} of {parent}"
    text = f"{singular} {index + 1} of {parent}"
    if isinstance(label, str) and label:
        text += f" ({code(label)})"
    return text


def describe(kind: str | None, data: Any, parts: Sequence[str | int]) -> Subject:
    """The subject at instance path `parts` of a document of `kind` holding `data`."""
    entity = document_entity(kind, data, named=list(parts) != ["name"])
    keys: list[str] = []
    item: int | None = None
    node: Any = data
    i = 0
    while i < len(parts):
        part = parts[i]
        nxt = parts[i + 1] if i + 1 < len(parts) else None
        value = _step(node, part)
        if isinstance(part, str) and part in ITEM_ENTITIES and isinstance(nxt, int) and not keys:
            about_label = list(parts[i + 2 :]) == [ITEM_ENTITIES[part][1]]
            entity = _item_entity(part, nxt, _step(value, nxt), entity, not about_label)
            node, i, keys, item = _step(value, nxt), i + 2, [], None
            continue
        if isinstance(part, str) and part in NAMED_ENTRIES and nxt is not None and not keys:
            entity = f"{NAMED_ENTRIES[part]} {code(nxt)}"
            node, i = _step(value, nxt), i + 2
            continue
        if isinstance(part, int):
            item = part
        else:
            keys.append(part)
            item = None
        node, i = value, i + 1
    return Subject(entity, tuple(keys), item)


def _step(node: Any, part: str | int) -> Any:
    if isinstance(node, dict):
        return node.get(part)
    if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
        return node[part]
    return None
