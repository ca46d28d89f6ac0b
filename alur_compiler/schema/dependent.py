"""`dependentRequired` errors: a key that only means something beside another one
(`max_wait` needs `after`; `on_max_wait` needs `max_wait`). Reported at the key that is
given, with the key it needs."""

from __future__ import annotations

from collections.abc import Iterator

from alur_compiler.diagnostics import codes
from alur_compiler.schema import forms
from alur_compiler.schema.entities import code
from alur_compiler.schema.problem import Context, Problem


def needs_other_key(c: Context) -> Iterator[Problem]:
    instance = c.instance if isinstance(c.instance, dict) else {}
    rule = c.rule if isinstance(c.rule, dict) else {}
    for key, needed in sorted(rule.items()):
        if key not in instance:
            continue
        for other in needed:
            if other in instance:
                continue
            yield Problem(
                codes.MISSING_KEY,
                f"{c.subject} has {code(key)}, which needs {code(other)} beside it",
                (*c.path, key),
                hint=f"add {forms.example(other, c.key_schema(other))}, or drop {code(key)}",
                at_key=True,
            )
