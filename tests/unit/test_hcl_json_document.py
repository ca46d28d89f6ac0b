"""hcl.json_document's fast path gives exactly the reference encoder's template."""

from __future__ import annotations

import random

import pytest

from alur_compiler.backends.terraform.hcl import (
    Address,
    Expr,
    Template,
    Value,
    _json_parts,
    json_document,
    ref,
    template,
)

TEXTS = [
    "",
    "a",
    "s3:GetObject",
    'quote"d',
    "back\\slash",
    "nul\x00",
    "ünï",
    "$",
    "${x}",
    "%{",
    "\u2028",
]


def _value(rng: random.Random, depth: int = 0) -> Value:
    pick = rng.randrange(9 if depth < 4 else 6)
    if pick == 0:
        return rng.choice(TEXTS) + str(rng.randrange(3))
    if pick == 1:
        return rng.choice([0, -1, 2**70, 1.5, 1e-7, True, False, None])
    if pick == 2:
        return ref(f"aws_iam_role.r{rng.randrange(5)}.arn")
    if pick == 3:
        return template("arn:", ref("data.aws_caller_identity.me.account_id"), rng.choice(TEXTS))
    if pick in (4, 5):
        return rng.choice(["Sid", "Effect", "Action"])
    if pick == 6:
        return [_value(rng, depth + 1) for _ in range(rng.randrange(4))]
    if pick == 7:
        return tuple(_value(rng, depth + 1) for _ in range(rng.randrange(3)))
    keys = rng.sample(["b", "a", "Sid", "Resource", "é", "z\\k", "Condition"], rng.randrange(5))
    return {k: _value(rng, depth + 1) for k in keys}


@pytest.mark.parametrize("seed", range(300))
def test_fast_path_equals_the_reference(seed: int) -> None:
    value = _value(random.Random(seed))
    assert json_document(value) == template(*_json_parts(value))


def test_a_policy_with_expressions() -> None:
    policy = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Resource": [template("arn:aws:s3:::", ref("var.b"))]}],
    }
    doc = json_document(policy)
    assert doc == template(*_json_parts(policy))
    assert isinstance(doc, Template) and Expr("var.b") in doc.parts


def test_an_address_is_still_refused() -> None:
    with pytest.raises(TypeError):
        json_document({"a": Address("aws_s3_bucket.x")})
