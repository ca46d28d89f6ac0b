"""Counts with their nouns, in agreement: `1 ingestion`, `2 ingestions`, `1 entry`.

Every place that prints a count with a noun goes through `count`, so console output never
says `1 ingestions`.
"""

from __future__ import annotations

#: nouns whose plural is not the noun + s
_IRREGULAR = {
    "entry": "entries",
    "dependency": "dependencies",
    "child": "children",
    "index": "indexes",
}


def plural(noun: str) -> str:
    """The plural of an English noun as alurc's messages use them."""
    if noun in _IRREGULAR:
        return _IRREGULAR[noun]
    if noun.endswith("y") and noun[-2:-1] not in "aeiou":
        return noun[:-1] + "ies"
    if noun.endswith(("s", "x", "ch", "sh")):
        return noun + "es"
    return noun + "s"


def count(n: int, singular: str, plural_form: str | None = None) -> str:
    """`1 table`, `0 tables`, `2 tables` (`plural_form` for nouns `plural` gets wrong)."""
    return f"{n} {noun(n, singular, plural_form)}"


def noun(n: int, singular: str, plural_form: str | None = None) -> str:
    """The noun alone, in agreement with `n`: `environment` or `environments`."""
    return singular if n == 1 else (plural_form or plural(singular))
