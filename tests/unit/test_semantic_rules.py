"""The semantic rule tuples: each rule is registered once, and semantic/ agrees with the IR."""

from __future__ import annotations

from alur_compiler.ir.nodes import TABLE_LEVEL_CHECKS, CheckType
from alur_compiler.semantic import checks, passes, tables


def test_table_level_checks_agree_with_the_ir() -> None:
    assert {str(t) for t in TABLE_LEVEL_CHECKS} == checks.TABLE_LEVEL
    assert set(checks.TABLE_LEVEL) <= {str(t) for t in CheckType}


def test_every_rule_is_registered_once() -> None:
    for rules in (checks.CHECK_RULES, tables.COLUMN_RULES, tables.CONTENT_RULES, passes.RULES):
        assert len(set(rules)) == len(rules)
        assert all(callable(r) for r in rules)
