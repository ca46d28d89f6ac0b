"""The selector grammar of `--select` / `--exclude` (specs/selection.md), parsed into data.

    selection := term (SPACE term)*          union: any term matches
    term      := item ("," item)*            intersection: every item matches
    item      := [[DEPTH] "+"] atom ["+" [DEPTH]]
    atom      := METHOD ":" VALUE | NAME     methods: name, layer, tag, path

`+orders` adds what `orders` runs after (all the way up), `2+orders` two levels of it;
`orders+` adds what runs after `orders`, `orders+1` one level. Parsing needs no project:
names and values are checked when the selection is resolved (selection/resolve.py).
"""

from __future__ import annotations

from dataclasses import dataclass

METHODS = ("name", "layer", "tag", "path")
GRAMMAR_HINT = (
    "a selector is NAME, METHOD:VALUE (layer:silver, tag:finance, path:pipelines/finance), "
    "optionally with +, N+ before or +, +N after it (specs/selection.md)"
)

DEPTH_HINT = "a depth is a whole number of levels, 1 or more: 2+orders, orders+1"


class SelectorError(ValueError):
    """A selector that does not parse; `message` and `hint` as for UnknownName."""

    def __init__(self, message: str, hint: str = GRAMMAR_HINT) -> None:
        self.message = message
        self.hint = hint
        super().__init__(message)


#: how far to follow the graph: None = not at all, -1 = all the way, N = N levels
Depth = int | None


@dataclass(frozen=True)
class Item:
    method: str  # one of METHODS
    value: str
    up: Depth = None  # upstream depth ("+x", "2+x")
    down: Depth = None  # downstream depth ("x+", "x+1")
    text: str = ""  # as written, for messages


#: a selection: a union of intersections
Selection = tuple[tuple[Item, ...], ...]


def parse_selection(texts: list[str]) -> Selection:
    """Every `--select` value (each may hold several space-separated terms) as one union."""
    terms: list[tuple[Item, ...]] = []
    for text in texts:
        for term in text.split():
            terms.append(tuple(parse_item(part, term) for part in term.split(",")))
    return tuple(terms)


def parse_item(text: str, term: str = "") -> Item:
    """One item: `+name`, `2+layer:silver`, `path:pipelines/finance+1`, ..."""
    parts = text.split("+")
    if not text or len(parts) > 3:
        raise SelectorError(f"bad selector '{term or text}'")
    up_raw: str | None = None
    down_raw: str | None = None
    if len(parts) == 3:
        up_raw, atom, down_raw = parts
    elif len(parts) == 1:
        atom = parts[0]
    elif parts[0] == "" or (parts[0].isdigit() and not parts[1].isdigit()):
        up_raw, atom = parts
    elif parts[1] == "" or parts[1].isdigit():
        atom, down_raw = parts
    else:  # "x+orders", "orders+x": a depth that is not a number
        raise SelectorError(f"bad depth in selector '{text}'", DEPTH_HINT)
    up, down = _depth(up_raw, text), _depth(down_raw, text)
    method, colon, value = atom.partition(":")
    if not colon:
        method, value = "name", atom
    elif method not in METHODS:
        from alur_compiler.diagnostics.suggest import UnknownName

        raise UnknownName("selector method", method, METHODS, GRAMMAR_HINT)
    if not value:
        raise SelectorError(f"selector '{text}' names nothing")
    return Item(method, value, up, down, text)


def _depth(raw: str | None, text: str) -> Depth:
    if raw is None:
        return None
    if raw == "":
        return -1
    if not (raw.isascii() and raw.isdigit()) or int(raw) < 1:
        raise SelectorError(
            f"bad depth '{raw}' in selector '{text}'",
            DEPTH_HINT,
        )
    return int(raw)
