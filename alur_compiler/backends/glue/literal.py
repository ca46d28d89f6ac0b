"""Render values as Python literals: the only way YAML text enters generated code.

Every string goes through `repr()`, so quotes, backslashes, newlines and `{}` in user text
can never change the meaning of the script. Long strings are split into adjacent literals
(one per line) so the script stays within the line length; output is deterministic.
"""

from __future__ import annotations

from typing import Any

LINE = 96  # leave room for a trailing comma under ruff's 100 columns
CHUNK = 64


def literal(value: Any, indent: int = 0, *, used: int = 0) -> str:
    """`value` (str, int, float, bool, None, list, tuple, dict) as Python source.

    `indent` is the indentation of the line the value starts on, `used` how many columns of
    that line are already taken (by a key, an assignment) before the value.
    """
    if isinstance(value, str):  # the most common value: tested first
        return _string(value, indent, used)
    if value is None or isinstance(value, bool | int | float):
        return repr(value)
    if isinstance(value, dict):
        return _mapping(value, indent, used)
    if isinstance(value, list | tuple):
        brackets = "[]" if isinstance(value, list) else "()"
        return _sequence(list(value), indent, brackets, used)
    raise TypeError(f"cannot render {type(value).__name__} as a literal")


def _string(value: str, indent: int, used: int = 0) -> str:
    text = repr(value)
    if max(indent, used) + len(text) <= LINE:
        return text
    pad = " " * (indent + 4)
    pieces = "\n".join(pad + repr(chunk) for chunk in _chunks(value))
    return "(\n" + pieces + "\n" + " " * indent + ")"


def _chunks(value: str) -> list[str]:
    """Split at line ends, then at spaces, into pieces whose repr fits on a line."""
    out: list[str] = []
    for line in value.splitlines(keepends=True):
        while len(repr(line)) > CHUNK:
            cut = line.rfind(" ", 0, CHUNK)
            cut = cut + 1 if cut > 0 else CHUNK // 2
            out.append(line[:cut])
            line = line[cut:]
        out.append(line)
    return out or [""]


_SCALARS = (type(None), bool, int, float, str)


def _flat(value: Any, budget: int) -> str | None:
    """One-line rendering if it fits in `budget` columns, else None.

    Gives up as soon as the budget is spent, so trying the flat form first costs O(LINE)
    per level instead of rendering every subtree twice (which is exponential in depth).
    Scalars are rendered inline (this is the compiler's hottest loop on large projects).
    """
    kind = type(value)
    if kind in _SCALARS:
        text = repr(value)
        return text if len(text) <= budget and "\n" not in text else None
    if kind is dict:
        parts, open_, close = list(value.items()), "{", "}"
    elif kind is list or kind is tuple:
        parts = [(None, v) for v in value]
        open_, close = ("[", "]") if kind is list else ("(", ")")
    else:
        raise TypeError(f"cannot render {kind.__name__} as a literal")
    trailing = "," if open_ == "(" and len(parts) == 1 else ""
    out: list[str] = []
    used = 2 + len(trailing)  # brackets and the 1-tuple comma
    for key, item in parts:
        if out:
            used += 2  # ", " between items
        head = ""
        if key is not None:
            key_text = repr(key) if type(key) in _SCALARS else _flat(key, budget - used)
            if key_text is None or len(key_text) > budget - used:
                return None
            head = key_text + ": "
        if type(item) in _SCALARS:
            text = repr(item)
            if "\n" in text:
                return None
        else:
            sub = _flat(item, budget - used - len(head))
            if sub is None:
                return None
            text = sub
        out.append(head + text)
        used += len(head) + len(text)
        if used > budget:
            return None
    return open_ + ", ".join(out) + trailing + close


def _mapping(value: dict[Any, Any], indent: int, used: int = 0) -> str:
    if not value:
        return "{}"
    flat = _flat(value, LINE - max(indent, used))
    if flat is not None:
        return flat
    pad = " " * (indent + 4)
    lines = ["{\n"]
    for k, v in value.items():
        key = literal(k)
        lines.append(f"{pad}{key}: {literal(v, indent + 4, used=indent + 6 + len(key))},\n")
    lines.append(" " * indent + "}")
    return "".join(lines)


def _sequence(items: list[Any], indent: int, brackets: str, used: int = 0) -> str:
    open_, close = brackets[0], brackets[1]
    if not items:
        return brackets
    flat = _flat(tuple(items) if brackets == "()" else items, LINE - max(indent, used))
    if flat is not None:
        return flat
    pad = " " * (indent + 4)
    body = "".join(f"{pad}{literal(v, indent + 4)},\n" for v in items)
    return open_ + "\n" + body + " " * indent + close


def block_string(text: str) -> str:
    """`text` as a triple-quoted literal that reads as written (for a job's SQL).

    Only what would change the value is escaped: backslashes, a run of three double
    quotes, a double quote at the very end, and characters that are not printable (tab and
    newline stay as they are; a carriage return would be read back as a newline). The
    result always evaluates to exactly `text`.
    """
    if '"' not in text and "\\" not in text and _printable(text):  # most SQL: as is
        return '"""\\\n' + text + '"""'
    out: list[str] = []
    quotes = 0
    last = len(text) - 1
    for i, ch in enumerate(text):
        if ch == '"':
            quotes += 1
            out.append('\\"' if quotes == 3 or i == last else ch)
            quotes %= 3
            continue
        quotes = 0
        if ch == "\\":
            out.append("\\\\")
        elif ch in "\n\t" or ch.isprintable():
            out.append(ch)
        else:
            out.append(repr(ch)[1:-1])
    return '"""\\\n' + "".join(out) + '"""'


def _printable(text: str) -> bool:
    """Every character printable, newline or tab (what `block_string` keeps as it is)."""
    return text.replace("\n", "").replace("\t", "").isprintable()
