"""did-you-mean suggestions."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from typing import TypeVar

T = TypeVar("T")


def did_you_mean(word: str, candidates: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The closest candidate to `word` other than `word` itself, or None. Case-insensitive
    first, then fuzzy. (Suggesting the name itself is never help: the name was looked up
    somewhere it does not exist, so the message must say where, not offer it back.)"""
    pool = sorted(set(candidates) - {word})
    for cand in pool:
        if cand.lower() == word.lower() and cand != word:
            return cand
    matches = difflib.get_close_matches(word, pool, n=1, cutoff=cutoff)
    return matches[0] if matches else None


def suggestion_suffix(word: str, candidates: Iterable[str]) -> str:
    """' (did you mean 'x'?)' or ''."""
    best = did_you_mean(word, candidates)
    return f" (did you mean '{best}'?)" if best else ""


def name_list(names: Iterable[str], limit: int = 12) -> str:
    """a, b, c (at most `limit` names, then "and N more")."""
    shown = list(names)
    more = len(shown) - limit
    return ", ".join(shown[:limit]) + (f" and {more} more" if more > 0 else "")


class UnknownName(LookupError):
    """A name the user gave (a job, an environment, a table, a choice) that does not exist.

    The one way every command line error about a name is worded: `unknown job
    'stg_customer' (did you mean 'stg_customers'?)`, and a hint that lists what exists or
    says where to look.
    """

    def __init__(
        self, what: str, given: str | Sequence[str], known: Iterable[str], hint: str | None = None
    ) -> None:
        self.what = what
        self.given = [given] if isinstance(given, str) else list(given)
        self.known = sorted(set(known))
        parts = [f"'{g}'{suggestion_suffix(g, self.known)}" for g in self.given]
        noun = what if len(parts) == 1 else _plural_noun(what)
        self.message = f"unknown {noun} " + (", ".join(parts[:-1]) + " and " if parts[1:] else "")
        self.message += parts[-1]
        listing = f"{_plural_noun(what)}: {name_list(self.known)}" if self.known else None
        self.hint = "; ".join(x for x in (listing, hint) if x) or f"there is no {what} yet"
        super().__init__(self.message)


def _plural_noun(noun: str) -> str:
    from alur_compiler.diagnostics.words import plural

    return plural(noun)


def lookup(what: str, given: str, known: Mapping[str, T], hint: str | None = None) -> T:
    """`known[given]`, or UnknownName with a did-you-mean."""
    if given in known:
        return known[given]
    raise UnknownName(what, given, known, hint)


def require_known(
    what: str, given: Sequence[str], known: Iterable[str], hint: str | None = None
) -> None:
    """UnknownName for the names of `given` that `known` lacks (all of them at once)."""
    pool = set(known)
    missing = [g for g in dict.fromkeys(given) if g not in pool]
    if missing:
        raise UnknownName(what, missing, pool, hint)
