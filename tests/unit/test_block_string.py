"""`block_string`'s shortcut for text that needs no escape gives the bytes of the general
loop, and every result reads back as the text."""

from __future__ import annotations

import ast
import random

from alur_compiler.backends.glue.literal import block_string


def _reference(text: str) -> str:
    """The general loop of `block_string`, character by character."""
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


ALPHABET = [*"SELECT a, b FROM t WHERE x = 'y' ;", *'\n\t\r\x00\x0b\u00e9\u2028\U0001f600"\\ ']


def test_same_as_the_general_loop_on_random_text() -> None:
    rng = random.Random(18)
    for _ in range(3000):
        text = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 40)))
        assert block_string(text) == _reference(text), repr(text)
        assert ast.literal_eval(block_string(text)) == text


def test_plain_sql_is_kept_as_written() -> None:
    sql = "SELECT *\n\tFROM orders\nWHERE id > 1"
    assert block_string(sql) == '"""\\\n' + sql + '"""'
    assert block_string("") == '"""\\\n"""'
