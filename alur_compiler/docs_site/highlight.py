"""SQL syntax highlighting at build time: the SQL as a list of (class, text) runs.

sqlglot's Spark tokenizer splits the text; the gaps between tokens (blanks and comments)
are kept, so the runs joined give back the SQL exactly as written. The page turns each run
into a `<span>` through `textContent`: no SQL text is ever parsed as HTML. Text the
tokenizer rejects is shown as one plain run.
"""

from __future__ import annotations

from sqlglot import Token, TokenType
from sqlglot.dialects.dialect import Dialect

_SPARK = Dialect.get_or_raise("spark")

#: run classes: keyword, string, number, comment, identifier, punctuation, plain
KEYWORD, STRING, NUMBER, COMMENT, NAME, PUNCT, PLAIN = "k", "s", "n", "c", "i", "p", ""

_STRINGS = {TokenType.STRING, TokenType.NATIONAL_STRING, TokenType.RAW_STRING}
_NUMBERS = {TokenType.NUMBER, TokenType.BIT_STRING, TokenType.HEX_STRING}
_NAMES = {TokenType.VAR, TokenType.IDENTIFIER}

Run = tuple[str, str]


def _kind(token: Token, text: str) -> str:
    if token.token_type in _STRINGS:
        return STRING
    if token.token_type in _NUMBERS:
        return NUMBER
    if token.token_type in _NAMES:
        return NAME
    if text[:1].isalpha():
        return KEYWORD
    return PUNCT


def _gap(text: str) -> Run:
    return (COMMENT if text.strip() else PLAIN, text)


def sql_runs(sql: str) -> list[Run]:
    """(class, text) runs that concatenate to `sql`."""
    try:
        tokens = _SPARK.tokenize(sql)
    except Exception:  # the compiler reported it already; show the text as it is
        return [(PLAIN, sql)] if sql else []
    runs: list[Run] = []
    at = 0
    for token in tokens:
        start, end = token.start, token.end + 1
        if start < at or end > len(sql):
            continue  # a token the tokenizer synthesised or one that overlaps: skip it
        if start > at:
            runs.append(_gap(sql[at:start]))
        text = sql[start:end]
        runs.append((_kind(token, text), text))
        at = end
    if at < len(sql):
        runs.append(_gap(sql[at:]))
    return _merged(runs)


def _merged(runs: list[Run]) -> list[Run]:
    out: list[Run] = []
    for kind, text in runs:
        if out and out[-1][0] == kind and kind in (PLAIN, PUNCT):
            out[-1] = (kind, out[-1][1] + text)
        else:
            out.append((kind, text))
    return out
