"""`anyOf` / `oneOf` errors: speak for the branch the user meant, not for every branch.

Three shapes occur in alurc's schemas, each rendered its own way:

- key choices, whose branches only require different keys (`sql` or `sql_file`; `cron` or
  `after`; `min`, `max` or both): the message names the keys, and says which to drop when
  `oneOf` got more than one;
- value choices, whose branches are all strings (a column type: a known name or a
  parameterised form): one message with the did-you-mean of every branch's names;
- shapes (a KMS setting `{alias: ...}` or `{create: true}`): the branch whose keys the
  value uses, and whose type it has, is the one meant; its own errors are reported.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from alur_compiler.diagnostics import codes
from alur_compiler.diagnostics.suggest import did_you_mean
from alur_compiler.schema import forms
from alur_compiler.schema.entities import code
from alur_compiler.schema.messages import problems_of
from alur_compiler.schema.problem import Context, Problem

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError


def _required_only(branch: Any) -> list[str] | None:
    if isinstance(branch, dict) and set(branch) == {"required"}:
        return [str(k) for k in branch["required"]]
    return None


def _listing(keys: list[str], last: str) -> str:
    shown = [code(k) for k in keys]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + f" {last} " + shown[-1]


def _key_choice(c: Context, keys: list[str]) -> Iterator[Problem]:
    instance = c.instance if isinstance(c.instance, dict) else {}
    present = [k for k in keys if k in instance]
    examples = [forms.example(k, c.key_schema(k)) for k in keys]
    if c.error.validator == "oneOf" and len(present) > 1:
        yield Problem(
            codes.SCHEMA_OTHER,
            f"{c.subject} has {_listing(present, 'and')}; it takes only one of them",
            (*c.path, present[-1]),
            hint=f"keep {_listing(present, 'or')}, not several",
            at_key=True,
        )
        return
    if c.error.validator == "anyOf" and len(keys) == 2:
        needs = f"{_listing(keys, ',')} or both".replace(" , ", ", ")
    else:
        needs = _listing(keys, "or")
    if c.error.validator == "anyOf":
        hint = "add " + ", ".join(examples) + (" or all of them" if len(keys) > 2 else " or both")
    else:
        hint = "add " + " or ".join(examples) + ", only one of them"
    near = [k for k in instance if isinstance(k, str) and did_you_mean(k, keys)]
    message = f"{c.subject} needs {needs}"
    if near:
        message += f" (did you mean {code(did_you_mean(near[0], keys))}?)"
    yield Problem(codes.MISSING_KEY, message, c.path, hint=hint, missing=keys[0])


def _strings_only(branches: list[Any]) -> bool:
    return all(isinstance(b, dict) and b.get("type") == "string" for b in branches)


def _value_choice(c: Context, branches: list[Any]) -> Iterator[Problem]:
    names = [str(v) for b in branches for v in b.get("enum", [])]
    examples = [e for b in branches for e in b.get("examples", [])]
    best = did_you_mean(c.instance, names)
    message = f"{c.subject} is `{c.instance}`, which is not one of its forms"
    if best is not None:
        message = f"{c.subject} is `{c.instance}` (did you mean {code(best)}?)"
    text = forms.describe_text(c.schema_here())
    shown = ", ".join(code(n) for n in [*names[:8], *examples[:4]])
    hint = (f"{text} " if text else "") + f"For example: {shown}"
    yield Problem(codes.BAD_VALUE, message, c.path, hint=hint)


def _keys_of(branch: Any, resolver: Any) -> set[str]:
    schema, _ = forms.deref(branch, resolver)
    if not isinstance(schema, dict):
        return set()
    return set(schema.get("properties", {})) | set(schema.get("required", []))


def _pick(c: Context, branches: list[Any]) -> list[ValidationError]:
    """The errors of the branch the user evidently meant."""
    grouped: dict[int, list[ValidationError]] = {}
    for sub in c.error.context or []:
        grouped.setdefault(int(sub.relative_schema_path[0]), []).append(sub)
    resolver = forms.schema_at(c.kind, c.data, c.path)[1]
    instance = c.instance
    used = set(instance) if isinstance(instance, dict) else set()
    depth = len(c.path)

    def score(index: int) -> tuple[int, int, int]:
        errors = grouped[index]
        wrong_type = any(e.validator == "type" and len(e.absolute_path) == depth for e in errors)
        overlap = len(used & _keys_of(branches[index], resolver))
        return (0 if wrong_type else 1, overlap, max(len(e.absolute_path) for e in errors))

    if not grouped:
        return []
    return grouped[max(sorted(grouped), key=score)]


def branch_problems(kind: str, data: Any, error: ValidationError) -> Iterator[Problem]:
    c = Context(kind, data, error)
    branches = error.validator_value if isinstance(error.validator_value, list) else []
    required = [_required_only(b) for b in branches]
    if branches and all(r is not None for r in required):
        yield from _key_choice(c, [k for r in required if r for k in r])
        return
    if branches and _strings_only(branches) and isinstance(error.instance, str):
        yield from _value_choice(c, branches)
        return
    chosen = _pick(c, branches)
    if not chosen:
        yield Problem(
            codes.SCHEMA_OTHER,
            f"{c.subject} fits more than one of its forms",
            c.path,
            hint=c.hint_here(),
        )
        return
    for sub in chosen:
        yield from problems_of(kind, data, sub)
