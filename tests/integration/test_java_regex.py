"""java_regex against the real oracle: java.util.regex.Pattern in the test session's JVM.

No false alarms, zero tolerance: whenever Java compiles a pattern, java_regex_error says None.
On the hand-written corpus verdicts, messages and (outside \\Q...\\E, where Java reports an
index into its rewritten pattern) offsets agree exactly; on random token soups from Hypothesis
at least 99% of the patterns Java rejects are rejected.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from alur_compiler.semantic.java_regex import java_regex_error

pytestmark = pytest.mark.spark

CORPUS = [
    # plain and common
    r"^[0-9]+$",
    r"^[a-z]+@[a-z]+\.[a-z]{2,}$",
    r"\d{3}-\d{4}",
    r"(a|b)*c",
    r"",
    r"a|",
    r"|",
    r"()",
    r"^\s*$",
    r"[^\W\d_]+",
    r"\bword\b",
    r"\Bx\B",
    r"\A\z",
    r"\Z",
    r"\G",
    r".*?",
    r".+?",
    r"a??",
    # Python-only / Java-differs forms
    r"^(?P<s>[a-z]+)$",
    r"(?P<name>x)(?P=name)",
    r"(?#comment)a",
    r"a{,3}",
    r"a{x}",
    r"a{",
    r"a{1",
    r"a{1,",
    r"a{1,2",
    r"{",
    r"{1}",
    r"x{2}{3}",
    r"a{3,1}",
    r"a{2147483648}",
    r"a{2147483647}",
    r"a{1,2147483648}",
    r"}",
    r"]",
    r"a]",
    r"a}",
    r"\i",
    r"\y",
    r"\j",
    r"\l",
    r"\m",
    r"\o",
    r"\q",
    r"\C",
    r"\E",
    r"\F",
    r"\I",
    r"\J",
    r"\K",
    r"\L",
    r"\M",
    r"\O",
    r"\T",
    r"\U",
    r"\Y",
    r"\g",
    r"\_",
    r"\%",
    r"\-",
    r"\ ",
    r"\é",
    # named groups and backreferences
    r"(?<name>x)",
    r"(?<n1>x)\k<n1>",
    r"(?<_n>x)",
    r"(?<1n>x)",
    r"(?<na-me>x)",
    r"(?<name>x)(?<name>y)",
    r"\k<nope>",
    r"\k<a>(?<a>x)",
    r"(?<a>\k<a>)",
    r"\kx",
    r"(?<é>x)",
    r"(?<a",
    r"(?<>x)",
    r"\1",
    r"(a)\1",
    r"(a)\12",
    r"[\1]",
    r"\0",
    r"\07",
    r"\0777",
    r"\08",
    r"\0400",
    # possessive / lazy / atomic / lookaround
    r"a*+",
    r"a++",
    r"a?+",
    r"a{1,3}+",
    r"a{2}?",
    r"a**",
    r"a*?+",
    r"a+++",
    r"(?>ab|a)c",
    r"(?=a)",
    r"(?!a)b",
    r"(?<=a)b",
    r"(?<!ab)c",
    r"(?<=a+)b",
    r"(?<=a*)b",
    r"(?<=ba*)c",
    r"(?<=ba*?)c",
    r"(?<=a{1,3})b",
    r"(?<=(ab)+)c",
    r"(?<=(?:ab)*)c",
    r"(?<=(a|bc))d",
    r"(?<=\1)(a)",
    r"(a)(?<=\1)",
    r"(?<=a|b+)c",
    r"(?<=.*)x",
    r"(?<=x.*)y",
    r"(?<=\R)x",
    r"(?<=\X)x",
    r"(?<=(?>a+))b",
    r"(?<=a?)b",
    r"(?<=(?=a*)b)c",
    r"(?<=a{2,})b",
    r"(?<=[ab]{0,5})c",
    # inline flags
    r"(?i)abc",
    r"(?imsux)a",
    r"(?U)\w",
    r"(?d)^a",
    r"(?c)a",
    r"(?-i)a",
    r"(?i-msx)a",
    r"(?i:a)b",
    r"(?-i:a)",
    r"(?)",
    r"(?-)",
    r"(?--i)",
    r"(?i-m-s)",
    r"(?q)",
    r"(?i",
    r"(?i:a",
    r"(?$)",
    r"(?@)",
    r"(?x) a b # c",
    r"(?x)a {2}",
    r"(?x)a{ 2}",
    r"(?x)[a b]",
    r"(?x)\p{ L}",
    r"(?i)*",
    # classes
    r"[abc]",
    r"[a-z]",
    r"[z-a]",
    r"[a-]",
    r"[-a]",
    r"[]a]",
    r"[]",
    r"[^]",
    r"[^]a]",
    r"[a",
    r"[[a]]",
    r"[a[b]]",
    r"[a-z&&[^aeiou]]",
    r"[a-z&&def]",
    r"[&&a]",
    r"[a&&]",
    r"[[a]b&&]",
    r"[a&b]",
    r"[a&&&b]",
    r"[\w-z]",
    r"[a-\d]",
    r"[\d-z]",
    r"[\v-\x0c]",
    r"[\Q]\E]",
    r"[\b]",
    r"[\A]",
    r"[\R]",
    r"[\X]",
    r"[\k<a>]",
    r"[\Z]",
    r"[\p{L}-z]",
    r"[a-\p{L}]",
    r"[\x{41}-\x{5A}]",
    r"[\u0041-\u005a]",
    r"[\cA-\cZ]",
    r"[\0101]",
    r"[a-a]",
    r"[\x{10FFFF}]",
    r"[^^]",
    r"[[]",
    # escapes
    r"\x41",
    r"\x4",
    r"\xG1",
    r"\x{41}",
    r"\x{}",
    r"\x{110000}",
    r"\x{10FFFF}",
    r"\x{41",
    r"\u0041",
    r"\u004",
    r"\uD83D\uDE00",
    r"\cA",
    r"\c",
    r"\N{LATIN SMALL LETTER A}",
    r"\N{latin small letter a}",
    r"\N{NO SUCH NAME}",
    r"\N{",
    r"\Nx",
    r"\R",
    r"\X",
    r"\h",
    r"\H",
    r"\v",
    r"\V",
    r"\b{g}",
    r"\b{x}",
    r"\b{",
    r"\a\e\f\n\r\t",
    r"\Qa.b\E",
    r"\Q(",
    r"a\Q\E*",
    r"\Q\E*",
    r"\Qab\Ec{2}",
    r"a\\",
    "a\\",
    "\\",
    # properties
    r"\p{L}",
    r"\pL",
    r"\p{Lu}",
    r"\p{lu}",
    r"\p{IsLatin}",
    r"\p{InGreek}",
    r"\p{InBasic_Latin}",
    r"\p{InBasicLatin}",
    r"\p{In Basic Latin}",
    r"\p{InLatin-1 Supplement}",
    r"\p{Alpha}",
    r"\p{alpha}",
    r"(?U)\p{alpha}",
    r"\p{javaLowerCase}",
    r"\p{IsAlphabetic}",
    r"\p{IsEmoji}",
    r"\p{sc=Greek}",
    r"\p{script=grek}",
    r"\p{blk=Basic Latin}",
    r"\p{gc=Lu}",
    r"\p{gc=lu}",
    r"\p{foo=bar}",
    r"\p{}",
    r"\p{L",
    r"\pX",
    r"\p",
    r"\P{L}",
    r"\p{IsWhite_Space}",
    r"\p{Isall}",
    # dangling and unbalanced
    r"*a",
    r"+a",
    r"?a",
    r"a|*",
    r"(*)",
    r"(a",
    r"a)",
    r"((a)",
    r"(a))",
    r"(?:a",
    r"(?=a",
    r"^*",
    r"$+",
    r"\b+",
    r"(?i)+",
    r"a(?i)*",
]

TOKENS = [
    "a",
    "b",
    "z",
    "1",
    "é",
    " ",
    "#",
    "\n",
    "(",
    ")",
    "(?:",
    "(?<n>",
    "(?<=",
    "(?<!",
    "(?=",
    "(?>",
    "(?i)",
    "(?x)",
    "(?-i:",
    "(?P<n>",
    "[",
    "]",
    "[^",
    "&&",
    "-",
    "{",
    "}",
    "{2}",
    "{1,3}",
    "{2,}",
    ",",
    "*",
    "+",
    "?",
    "|",
    "^",
    "$",
    ".",
    "\\",
    "\\d",
    "\\w",
    "\\1",
    "\\k<n>",
    "\\Q",
    "\\E",
    "\\p{L}",
    "\\pL",
    "\\p{Lu}",
    "\\x41",
    "\\x{41}",
    "\\u0041",
    "\\0",
    "\\c",
    "\\b",
    "\\b{g}",
    "\\R",
    "\\X",
    "\\h",
    "\\v",
    "\\i",
    "\\N{LATIN SMALL LETTER A}",
]


def java_verdict(spark: Any, pattern: str) -> tuple[int, str] | None:
    """None if the JVM compiles `pattern`, else (index, description) of its exception."""
    from py4j.protocol import Py4JJavaError
    from pyspark.errors.exceptions.captured import CapturedException

    try:
        spark.sparkContext._jvm.java.util.regex.Pattern.compile(pattern)
    except (Py4JJavaError, CapturedException) as exc:
        # PySpark wraps Py4JJavaError; the Java PatternSyntaxException is kept as _origin
        err = getattr(exc, "java_exception", None) or exc._origin  # type: ignore[union-attr]
        assert err.getClass().getName() == "java.util.regex.PatternSyntaxException"
        return int(err.getIndex()), str(err.getDescription())
    return None


def test_corpus_agrees_with_the_jvm(spark: Any) -> None:
    assert len(CORPUS) == len(set(CORPUS)) >= 150
    false_alarms, disagreements = [], []
    for pattern in CORPUS:
        java = java_verdict(spark, pattern)
        got = java_regex_error(pattern)
        ours = None if got is None else (got.offset, got.message)
        if java is None and ours is not None:
            false_alarms.append((pattern, ours))
        elif "\\Q" in pattern and (java is None) == (ours is None):
            continue  # Java's index points into its \Q...\E-rewritten copy of the pattern
        elif java != ours:
            disagreements.append((pattern, java, ours))
    invalid = sum(java_verdict(spark, p) is not None for p in CORPUS)
    print(
        f"corpus: {len(CORPUS)} patterns, {invalid} invalid in Java, "
        f"{len(false_alarms)} false alarms, {len(disagreements)} disagreements"
    )
    assert not false_alarms
    assert not disagreements


_STATS = {"valid": 0, "invalid": 0, "missed": 0}


@pytest.fixture(scope="module")
def jvm(spark: Any) -> Any:
    return spark


@seed(20240611)
@settings(
    max_examples=3000,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(st.sampled_from(TOKENS), min_size=1, max_size=8).map("".join))
def _random_pattern(jvm: Any, pattern: str) -> None:
    java = java_verdict(jvm, pattern)
    got = java_regex_error(pattern)
    if java is None:
        _STATS["valid"] += 1
        assert got is None, f"false alarm on {pattern!r}: {got}"
    else:
        _STATS["invalid"] += 1
        _STATS["missed"] += got is None


def test_random_patterns_no_false_alarm_and_agreement_on_invalid(jvm: Any) -> None:
    """The Hypothesis run (no false alarm, ever) and, over the same patterns, the share of
    Java's rejections the validator catches: one test, so neither can run without the other."""
    _STATS.update(valid=0, invalid=0, missed=0)
    _random_pattern(jvm)
    total = _STATS["valid"] + _STATS["invalid"]
    caught = _STATS["invalid"] - _STATS["missed"]
    print(f"random: {total} patterns, {_STATS['invalid']} invalid in Java, {caught} caught")
    assert _STATS["invalid"] > total // 10
    assert caught >= 0.99 * _STATS["invalid"]
