"""did-you-mean suggestions."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


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
