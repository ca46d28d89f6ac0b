"""User strings are inert in the Terraform JSON (DESIGN.md §9), over the whole class.

The retail example and the deploy sample are rebuilt with every free-text and name-like
field of the IR carrying template syntax (`${...}`, `%{...}`, `$${x}`, `%%{x}`, a lone
`$`, `%`, `{`). A walk over the rendered JSON, side by side with the typed model, checks
that each literal decodes (by HCL's template rules) back to exactly the model's text and
that the only interpolations are the expressions the model built; `terraform validate`
then accepts the document.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import fields, is_dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from alur_compiler.backends.terraform import hcl
from alur_compiler.backends.terraform.naming import address_name
from alur_compiler.backends.terraform.stack import build_stack, render, stack_model
from alur_compiler.deploy.sample import sample_environment, sample_project
from alur_compiler.diagnostics import Diagnostics
from alur_compiler.ir import Project, StateBackend

ROOT = Path(__file__).resolve().parents[2]
PLUGIN_DIR = Path("/opt/tf-plugins")
HOSTILE = ' ${file("/etc/hostname")} %{ if true }x%{ endif } $${x} %%{x} ${~ $ % { } \\${y}$'
#: str fields that hold free text or a name of their own (not a reference to another entity)
OWN_TEXT = {
    "description",
    "key",
    "path",
    "pattern",
    "source_system",
    "bucket",
    "lock_table",
    "region",
    "account",
    "lake_bucket",
    "artifacts_bucket",
    "landing_bucket",
    # jdbc sources and the environment's network (ir/jdbc.py)
    "host",
    "database",
    "subnet",
    "availability_zone",
    "security_groups",
}
#: of those, the ones AWS constrains (the schema only allows names AWS accepts)
NAME_LIKE = {"bucket", "lock_table", "region", "account", "lake_bucket", "artifacts_bucket"}
NAME_LIKE |= {"landing_bucket"}
PAIRS_BOTH = {"tags", "extra_arguments", "spark_conf", "options"}  # keys and values hostile
PAIRS_VALUES = {"endpoints", "secrets"}


# --- HCL template decoding (hclsyntax's rules, as measured with terraform 1.11) ---------


def scan(text: str) -> list[tuple[str, str]]:
    """A JSON string as Terraform reads it: ("lit", text), ("interp"|"directive", code)."""
    out: list[tuple[str, str]] = []
    lit: list[str] = []
    i = 0
    while i < len(text):
        if text.startswith(("$${", "%%{"), i):
            lit.append(text[i + 1 : i + 3])
            i += 3
        elif text.startswith(("${", "%{"), i):
            end = _close(text, i + 2)
            if lit:
                out.append(("lit", "".join(lit)))
                lit = []
            out.append(("interp" if text[i] == "$" else "directive", text[i + 2 : end]))
            i = end + 1
        else:
            lit.append(text[i])
            i += 1
    if lit:
        out.append(("lit", "".join(lit)))
    return out


def _close(text: str, start: int) -> int:
    stack, k = ["expr"], start
    while k < len(text):
        ch = text[k]
        if stack[-1] == "expr":
            if ch == '"':
                stack.append("str")
            elif ch == "{":
                stack.append("expr")
            elif ch == "}":
                stack.pop()
                if not stack:
                    return k
        elif ch == "\\":
            k += 1
        elif ch == '"':
            stack.pop()
        elif text.startswith(("$${", "%%{"), k):
            k += 2
        elif text.startswith(("${", "%{"), k):
            stack.append("expr")
            k += 1
        k += 1
    raise AssertionError(f"unclosed template sequence in {text!r}")


def decoded(text: str) -> list[tuple[str, str]]:
    """scan(), with alurc's `${"$$"}` spelling of dollars before an interpolation folded
    back into the literal text around it."""
    out: list[tuple[str, str]] = []
    for kind, value in scan(text):
        if kind == "interp" and value.startswith('"') and set(value[1:-1]) == {"$"}:
            kind, value = "lit", value[1:-1]
        if kind == "lit" and out and out[-1][0] == "lit":
            out[-1] = ("lit", out[-1][1] + value)
        else:
            out.append((kind, value))
    return out


def expected_parts(value: str | hcl.Expr | hcl.Template) -> list[tuple[str, str]]:
    parts = value.parts if isinstance(value, hcl.Template) else (value,)
    return [("lit", p) if isinstance(p, str) else ("interp", p.code) for p in parts if p != ""]


def compare(model: Any, rendered: Any, where: str, seen: list[str]) -> None:
    """Walk the typed model and its rendering side by side."""
    if isinstance(model, str | hcl.Expr | hcl.Template):
        assert isinstance(rendered, str), where
        assert decoded(rendered) == expected_parts(model), f"{where}: {rendered!r}"
        seen.append(rendered)
    elif isinstance(model, hcl.Address):
        assert rendered == model.address, where
    elif isinstance(model, dict):
        assert isinstance(rendered, dict) and len(rendered) == len(model), where
        for key, value in model.items():
            (rkey,) = [k for k in rendered if decoded(k) == expected_parts(key)]
            compare(value, rendered[rkey], f"{where}.{key}", seen)
    elif isinstance(model, list | tuple):
        assert isinstance(rendered, list) and len(rendered) == len(model), where
        for i, (m, r) in enumerate(zip(model, rendered, strict=True)):
            compare(m, r, f"{where}[{i}]", seen)
    else:
        assert model == rendered, where


# --- hostile projects ------------------------------------------------------------------


def hostile(project: Project, names: bool = True) -> Project:
    """Every free-text string of the IR ends in HOSTILE; with `names`, every name too
    (project, environments, buckets, tables, jobs, columns), renamed consistently
    wherever it is referenced."""
    if not names:
        out = _rewrite(project, {}, own=OWN_TEXT - NAME_LIKE)
        assert isinstance(out, Project)
        return out
    entities = {t.name for t in project.tables} | {j.name for j in project.jobs}
    entities |= {c.name for t in project.tables for c in t.columns}
    out = _rewrite(project, {n: n + HOSTILE for n in entities}, own=OWN_TEXT)
    assert isinstance(out, Project)
    return replace(out, name=project.name + HOSTILE)


def _rewrite(obj: Any, mapping: dict[str, str], own: set[str], field_name: str = "") -> Any:
    if is_dataclass(obj) and not isinstance(obj, type):
        changes = {
            f.name: _rewrite(getattr(obj, f.name), mapping, own, f.name)
            for f in fields(obj)
            if "span" not in f.name and f.name not in ("sql", "root", "lineage")
        }
        if type(obj).__name__ == "Environment" and mapping:
            changes["name"] = obj.name + HOSTILE
        return replace(obj, **changes)
    if field_name in PAIRS_BOTH | PAIRS_VALUES and isinstance(obj, tuple):
        keys = field_name in PAIRS_BOTH
        return tuple((k + HOSTILE if keys else k, v + HOSTILE) for k, v in obj)
    if isinstance(obj, tuple):
        return tuple(_rewrite(v, mapping, own, field_name) for v in obj)
    if type(obj) is str:
        if field_name in own:
            return obj + HOSTILE
        return mapping.get(obj, obj)
    return obj


def _retail() -> Project:
    from alur_compiler import api

    project, diags = api.load_project(ROOT / "examples" / "retail")
    assert project is not None and not diags.has_errors
    return project


def _jdbc() -> Project:
    """The sample with a jdbc ingestion: the Glue connection's URL, SECRET_ID and network
    and the job role's secret ARN all reach the Terraform JSON."""
    from alur_compiler.ir import Ingestion
    from alur_compiler.ir.jdbc import JdbcSource, Network

    arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:crm-AbCdEf"
    env = replace(
        sample_environment("dev"),
        network=Network("subnet-0123456789abcdef0", ("sg-0123456789abcdef0",), "eu-west-1a"),
        secrets=(("crm", arn),),
    )
    base = sample_project(envs=(env,))
    source = JdbcSource("postgresql", "db.internal", 5432, "crm", "crm", table="public.c")
    load = Ingestion("load_db", "orders_raw", "crm", (), jdbc=source)  # after ingest_orders
    return replace(base, ingestions=(*base.ingestions, load), pipelines=())


def _projects(names: bool) -> dict[str, Project]:
    emulated = sample_environment(
        "dev", endpoint="http://127.0.0.1:1/", state=StateBackend("s3", "b", "k", "t", None)
    )
    return {
        "sample": hostile(sample_project(), names),
        "sample-emulated-no-account": hostile(
            sample_project(envs=(replace(emulated, account=None),)), names
        ),
        "retail": hostile(_retail(), names),
        "jdbc": hostile(_jdbc(), names),
    }


CASES = [
    (n, names)
    for n in ("sample", "sample-emulated-no-account", "retail", "jdbc")
    for names in (True, False)
]


@pytest.fixture(
    scope="module", params=CASES, ids=[f"{n}-{'names' if b else 'text'}" for n, b in CASES]
)
def case(request: pytest.FixtureRequest) -> tuple[Project, dict[str, Any], dict[str, Any]]:
    name, names = request.param
    project = _projects(names)[name]
    env = project.environments[0]
    diags = Diagnostics()
    model = stack_model(project, env, diags)
    assert not diags.items
    return project, model, build_stack(project, env, Diagnostics())


def test_hostile_text_reaches_the_json_inert(
    case: tuple[Project, dict[str, Any], dict[str, Any]],
) -> None:
    _, model, doc = case
    seen: list[str] = []
    body = {k: v for k, v in model.items() if k not in ("//", "terraform")}
    compare(body, {k: v for k, v in doc.items() if k not in ("//", "terraform")}, "doc", seen)
    assert any("${file(" in decoded(s)[0][1] for s in seen if decoded(s)[0][0] == "lit")
    interps = {code for s in seen for kind, code in decoded(s) if kind != "lit"}
    assert all(not c.startswith(("file(", " if")) for c in interps), interps
    assert doc["terraform"] == model["terraform"]  # literal: Terraform evaluates nothing there


def test_hostile_policy_documents_decode_to_the_user_paths(
    case: tuple[Project, dict[str, Any], dict[str, Any]],
) -> None:
    """The IAM policy (JSON inside a string) keeps the user's landing paths as written."""
    project, _, doc = case
    ingestion = project.ingestions[0]
    policies = doc["resource"]["aws_iam_role_policy"]
    role = policies[address_name("ingestion", ingestion.name, "role")]
    text = "".join(v if k == "lit" else "123456789012" for k, v in decoded(role["policy"]))
    resources = json.dumps([s["Resource"] for s in json.loads(text)["Statement"]])
    path = ingestion.sources[0].path
    assert json.dumps(path)[1:-1] in resources


@pytest.mark.terraform
def test_hostile_stack_validates(
    case: tuple[Project, dict[str, Any], dict[str, Any]], tmp_path: Path
) -> None:
    if shutil.which("terraform") is None or not PLUGIN_DIR.is_dir():
        pytest.skip("terraform CLI or provider mirror /opt/tf-plugins missing: validate not run")
    project, model, doc = case
    folder = tmp_path / "terraform" / "dev"
    folder.mkdir(parents=True)
    (folder / "main.tf.json").write_bytes(render(doc))
    for obj in model["resource"]["aws_s3_object"].values():  # the literal keys, as files
        (tmp_path / obj["key"]).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / obj["key"]).write_text("stand-in\n")
    if "aws_lambda_function" in model["resource"]:  # the after: chain Lambda's package
        chain_zip = tmp_path / "terraform" / project.environments[0].name / "alur_chains.zip"
        chain_zip.parent.mkdir(parents=True, exist_ok=True)
        chain_zip.write_text("stand-in\n")
    init = ["init", "-backend=false", "-input=false", f"-plugin-dir={PLUGIN_DIR}"]
    subprocess.run(["terraform", f"-chdir={folder}", *init], check=True, capture_output=True)
    out = subprocess.run(
        ["terraform", f"-chdir={folder}", "validate", "-json"], capture_output=True, text=True
    )
    result = json.loads(out.stdout)
    if not project.name.endswith(HOSTILE):
        assert result["valid"] is True and result["error_count"] == 0, result
        return
    # hostile names: the AWS provider's own name rules reject them (as the schema does
    # before), reading them as the literal text; Terraform itself evaluated nothing
    summaries = {d["summary"] for d in result["diagnostics"]}
    assert summaries and all(
        not any(w in s.lower() for w in ("interpolation", "template", "function", "variables"))
        for s in summaries
    ), summaries
    assert any('${file("/etc/hostname")}' in s for s in summaries), summaries


# --- the escaping functions themselves --------------------------------------------------


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("${x}", "$${x}"),
        ("%{ if true }", "%%{ if true }"),
        ("$${x}", "$$${x}"),
        ("%%{x}", "%%%{x}"),
        ("$ % { } $$ %%", "$ % { } $$ %%"),
        ("\\${x}", "\\$${x}"),
    ],
)
def test_escape(text: str, escaped: str) -> None:
    assert hcl.escape(text) == escaped
    assert decoded(escaped) == [("lit", text)]


def test_dollars_before_an_interpolation_stay_literal() -> None:
    for dollars in ("$", "$$", "$$$"):
        t = hcl.template("a" + dollars, hcl.ref("path.module"), "%")
        assert decoded(t.render()) == [
            ("lit", "a" + dollars),
            ("interp", "path.module"),
            ("lit", "%"),
        ]


def test_call_arguments_are_quoted_hcl_strings() -> None:
    expr = hcl.call("filemd5", hcl.template(hcl.ref("path.module"), '/a"b\\c${x}%{y}\n'))
    assert expr.code == 'filemd5("${path.module}/a\\"b\\\\c$${x}%%{y}\\n")'


def test_json_document_matches_json_dumps_and_keeps_expressions() -> None:
    doc = {"b": [1, "x${y}", None, True], "a": {"k": "v"}}
    assert hcl.json_document(doc).render() == hcl.escape(json.dumps(doc, sort_keys=True))
    arn = hcl.template("arn:", hcl.ref("data.x.y"), ':"q"')
    assert hcl.json_document({"R": arn}).render() == '{"R": "arn:${data.x.y}:\\"q\\""}'


def test_expressions_cannot_carry_arbitrary_text() -> None:
    for bad in ('x"; file("/etc/passwd")', "a b", "${x}"):
        with pytest.raises(ValueError):
            hcl.ref(bad)
        with pytest.raises(ValueError):
            hcl.Address(bad)
    with pytest.raises(TypeError):
        hcl.literal_json({"backend": hcl.ref("x.y")})
    with pytest.raises(TypeError):
        hcl.to_json({"x": object()})  # type: ignore[dict-item]
