"""AWS cron as Glue accepts it: ASCII numbers, one `#` expression, at most every 5 minutes."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alur_compiler.semantic.cron import validate_cron


def messages(expr: str) -> list[str]:
    return [e.message for e in validate_cron(expr)]


@pytest.mark.parametrize(
    "expr",
    ["0 ²2 * * ? *", "0 2 * * ? ²⁰²⁶", "*/² * * * ? *", "0 2 ? * 3#² *", "0 2 ²W * ? *"],
)
def test_superscript_digits_are_errors_not_crashes(expr: str) -> None:
    (message,) = messages(expr)
    assert "is not allowed: cron numbers and names are plain ASCII (U+00B" in message


@pytest.mark.parametrize(
    "expr", ["0 ２ * * ? *", "0 2 ? * ３#1 *", "0 2 ? * FRı *", "0\u00a02 * * ? *"]
)
def test_fullwidth_digits_and_lookalike_names_are_rejected(expr: str) -> None:
    assert len(messages(expr)) == 1


def test_hash_only_as_the_single_day_of_week_expression() -> None:
    assert messages("0 9 ? * 2#1 *") == []
    (message,) = messages("0 9 ? * 2#1,6#3 *")
    assert "AWS allows only one expression when '#' is used" in message
    assert messages("0 9 ? * 2#1,MON *")  # with any other element too


@pytest.mark.parametrize(
    ("expr", "gap"),
    [
        ("* * * * ? *", 1),
        ("0/4 * * * ? *", 4),
        ("*/2 8-17 ? * MON-FRI *", 2),
        ("0,1 3 * * ? *", 1),
        ("0,58 8,9 * * ? *", 2),  # 08:58 then 09:00
        ("10-12 * * * ? *", 1),
    ],
)
def test_faster_than_every_5_minutes_is_rejected(expr: str, gap: int) -> None:
    (message,) = messages(expr)
    assert message.startswith(f"minutes: runs {gap} minute")
    assert "Glue schedules run at most every 5 minutes" in message


@pytest.mark.parametrize(
    "expr",
    ["0/5 * * * ? *", "*/10 * * * ? *", "0,58 8 * * ? *", "0,58 8,10 * * ? *", "0-55/5 * * * ? *"],
)
def test_every_5_minutes_or_slower_is_fine(expr: str) -> None:
    assert messages(expr) == []


@settings(max_examples=500, deadline=None, derandomize=True)
@given(st.text(alphabet="0123456789²３٣*?/,-#LW \tMONFRIJANı", max_size=30))
def test_any_text_gives_errors_never_an_exception(expr: str) -> None:
    for err in validate_cron(expr):
        assert 0 <= err.offset <= len(expr) and err.length >= 1
