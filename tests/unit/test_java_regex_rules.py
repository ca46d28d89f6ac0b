"""java_regex without a JVM. Every expected value below was recorded once from
java.util.regex.Pattern.compile on OpenJDK 17.0.15 (PatternSyntaxException index and
description), not computed by alurc; tests/integration/test_java_regex.py re-checks a larger
corpus against the live JVM."""

from __future__ import annotations

import pytest

from alur_compiler.semantic.java_regex import java_regex_error

# (pattern, None if Java compiles it, else (Java's error index, Java's description))
ORACLE: list[tuple[str, tuple[int, str] | None]] = [
    ("^[0-9]+$", None),
    ("^(?P<s>[a-z]+)$", (3, "Unknown inline modifier")),
    ("(?<s>[a-z]+)\\k<s>", None),
    ("(?P<n>a)(?P=n)", (2, "Unknown inline modifier")),
    ("(?#note)a", (2, "Unknown inline modifier")),
    ("a{x}", (2, "Illegal repetition")),
    ("a{,3}", (2, "Illegal repetition")),
    ("{2}a", None),
    ("x{", (2, "Illegal repetition")),
    ("a{3,1}", (5, "Illegal repetition range")),
    ("a*+b++c?+", None),
    ("a{1,3}+", None),
    ("(?>ab|a)c", None),
    ("(?<=ab)c", None),
    ("(?<=a+)b", None),
    ("(?<=(ab)+)c", (8, "Look-behind group does not have an obvious maximum length")),
    ("(?<=x{1,4})y", None),
    ("(?<=\\1)(a)", (5, "Look-behind group does not have an obvious maximum length")),
    ("(?i)abc", None),
    ("(?i-msx:a)b", None),
    ("(?q)a", (2, "Unknown inline modifier")),
    ("(?)", None),
    ("\\i", (1, "Illegal/unsupported escape sequence")),
    ("\\y", (1, "Illegal/unsupported escape sequence")),
    ("\\_", None),
    ("\\Qa.b(\\E+", None),
    ("[a-z&&[^aeiou]]", None),
    ("[z-a]", (3, "Illegal character range")),
    ("[]a]", None),
    ("[a", (1, "Unclosed character class")),
    ("[\\w-z]", None),
    ("[a-\\d]", (4, "Illegal character range")),
    ("\\x{1F600}", None),
    ("\\x{110000}", (8, "Hexadecimal codepoint is too big")),
    ("\\0101", None),
    ("\\08", (2, "Illegal octal escape sequence")),
    ("\\cA", None),
    ("\\u00e9", None),
    ("\\N{LATIN SMALL LETTER A}", None),
    ("\\N{NO SUCH CHAR}", (15, "Unknown character name [NO SUCH CHAR]")),
    ("\\R\\X\\h\\H\\v\\V\\b{g}", None),
    ("\\p{L}\\p{IsLatin}\\p{InGreek}\\p{Alpha}", None),
    ("\\p{Foo}", (6, "Unknown character property name {Foo}")),
    ("\\p{lu}", (5, "Unknown character property name {lu}")),
    ("*a", (0, "Dangling meta character '*'")),
    ("a**", (2, "Dangling meta character '*'")),
    ("(a", (2, "Unclosed group")),
    ("a)", (0, "Unmatched closing ')'")),
    ("(?<a_b>x)", (4, "named capturing group is missing trailing '>'")),
    ("(?<1a>x)", (3, "capturing group name does not start with a Latin letter")),
    ("(?<a>x)(?<a>y)", (11, "Named capturing group <a> is already defined")),
    ("\\k<nope>", (7, "named capturing group <nope> does not exist")),
    ("a\\", (2, "Unexpected internal error")),
    ("(?x) a b # comment", None),
]


@pytest.mark.parametrize(("pattern", "expected"), ORACLE, ids=[p for p, _ in ORACLE])
def test_matches_the_jvm(pattern: str, expected: tuple[int, str] | None) -> None:
    got = java_regex_error(pattern)
    assert (None if got is None else (got.offset, got.message)) == expected


@pytest.mark.parametrize(
    ("pattern", "hint"),
    [
        ("^(?P<s>[a-z]+)$", "(?<name>...)"),
        ("(?<n>a)(?P=n)", "\\k<name>"),
        ("a{x}", "\\{"),
        ("a{,3}", "{0,n}"),
        ("\\i", "drop the backslash"),
    ],
)
def test_hints(pattern: str, hint: str) -> None:
    got = java_regex_error(pattern)
    assert got is not None and got.hint is not None and hint in got.hint


def test_offsets_map_back_through_quoting() -> None:
    got = java_regex_error("\\Q(x)\\E{y}")
    assert got is not None and got.offset == len("\\Q(x)\\E{")
