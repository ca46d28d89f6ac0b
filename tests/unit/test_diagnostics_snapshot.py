"""Every diagnostic, exactly: the error corpus plus seeded semantic mutations of examples/retail.

The full printed list of each case (code, severity, message, span with its end, hint, notes,
in the order the CLI prints them) is compared with tests/unit/snapshots/diagnostics.json.
Any difference fails. The mutations are deterministic (`random.Random(case)`) and aimed at
the semantic rules, not at the schema: renamed, retyped and duplicated columns, unknown keys
and partitions, bad check parameters, write modes, merge/overwrite/incremental settings, SQL
edits, crons, targets and environments.

Re-record (only when a diagnostic is meant to change):
    ALURC_UPDATE_SNAPSHOT=1 .venv/bin/pytest tests/unit/test_diagnostics_snapshot.py
"""

from __future__ import annotations

import copy
import json
import os
import random
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from alur_compiler import api

ROOT = Path(__file__).resolve().parents[2]
RETAIL = ROOT / "examples" / "retail"
CORPUS = ROOT / "tests" / "errors"
SNAPSHOT = Path(__file__).resolve().parent / "snapshots" / "diagnostics.json"
MUTANTS = 300

Docs = dict[str, list[dict[str, Any]]]  # file -> YAML documents
Texts = dict[str, str]  # file -> text (SQL files)

BAD_TYPES = ["decimal(10", "array<", "strin", "map<string>", "int(", "varchar(10)", "x y"]
OK_TYPES = ["string", "int", "bigint", "double", "date", "timestamp", "boolean", "decimal(10,2)"]
PARTITIONS = [
    "days(order_ts)",
    "bucket(0, order_id)",
    "bucket(16, order_id)",
    "hours(order_date)",
    "months(status)",
    "nope(x)",
    "truncate(4, status)",
    "years(signup_date)",
    "order_date",
    "missing_col",
    "days(missing)",
    "customer_id",
]
CRONS = ["0 2 * * * *", "61 * * * ? *", "cron(0 2 * * ? *)", "0 2 ? * MON-FRI *", "0 2 * *"]
REGEXES = ["[a-", "(?<name>x)", "a{2,1}", "^(?P<s>x)$", "^ok$", "\\p{Lx}"]
EXPRESSIONS = ["amount >", "SELECT 1", "unknown_col > 0", "status = 'x'", "order_id IS NOT NULL"]
NAMES = ["orders", "ordrs", "customers", "products", "daily_revenue", "orders_raw", "nope"]


def _pick_doc(rng: random.Random, docs: Docs, kind: str) -> dict[str, Any] | None:
    found = [d for f in sorted(docs) for d in docs[f] if d.get("kind") == kind]
    return rng.choice(found) if found else None


def _column_names(rng: random.Random, docs: Docs) -> list[str]:
    cols = {c["name"] for f in docs for d in docs[f] for c in d.get("columns", [])}
    return [*sorted(cols), "missing_col", "order_idd"]


def _m_column(rng: random.Random, docs: Docs, texts: Texts) -> None:
    table = _pick_doc(rng, docs, "Table")
    if not table:
        return
    cols = table["columns"]
    i = rng.randrange(len(cols))
    op = rng.choice(["rename", "badtype", "oktype", "dup", "reserved", "nullable", "drop"])
    if op == "rename":
        cols[i]["name"] = cols[i]["name"] + rng.choice(["_x", "s", ""])[: rng.randrange(3)]
    elif op == "badtype":
        cols[i]["type"] = rng.choice(BAD_TYPES)
    elif op == "oktype":
        cols[i]["type"] = rng.choice(OK_TYPES)
    elif op == "dup":
        cols.append(dict(cols[i]))
    elif op == "reserved":
        cols.append({"name": rng.choice(["_ingested_at", "_batch_id"]), "type": "string"})
    elif op == "nullable":
        cols[i]["nullable"] = not cols[i].get("nullable", True)
    elif len(cols) > 1:
        del cols[i]


def _m_table(rng: random.Random, docs: Docs, texts: Texts) -> None:
    table = _pick_doc(rng, docs, "Table")
    if not table:
        return
    op = rng.choice(["layer", "pk", "partition", "nopart"])
    if op == "layer":
        table["layer"] = rng.choice(["bronze", "silver", "gold"])
    elif op == "pk":
        names = _column_names(rng, docs)
        table["primary_key"] = rng.sample(names, rng.randint(1, 2))
    elif op == "partition":
        table["partition_by"] = rng.sample(PARTITIONS, rng.randint(1, 2))
    else:
        table.pop("partition_by", None)
        table.pop("primary_key", None)


def _check_spec(rng: random.Random, docs: Docs) -> dict[str, Any]:
    col = rng.choice(_column_names(rng, docs))
    kind = rng.choice(
        [
            "not_null",
            "unique",
            "regex",
            "between",
            "length_between",
            "freshness",
            "relationship",
            "expression",
            "row_count_between",
            "accepted_values",
        ]
    )
    spec: dict[str, Any] = {"type": kind}
    if kind == "unique":
        spec["columns"] = [col, rng.choice(_column_names(rng, docs))][: rng.randint(1, 2)]
    elif kind not in ("expression", "row_count_between"):
        spec["column"] = col
    if kind == "regex":
        spec["pattern"] = rng.choice(REGEXES)
    elif kind in ("between", "length_between", "row_count_between"):
        spec["min"] = rng.choice([1, 10, "2024-01-01", 0.5])
        spec["max"] = rng.choice([1, 100, "2025-01-01"])
    elif kind == "freshness":
        spec["max_age"] = "1d"
    elif kind == "relationship":
        spec["to"] = rng.choice(["customers.customer_id", "customers", "nope.id", "orders.idd"])
    elif kind == "expression":
        spec["sql"] = rng.choice(EXPRESSIONS)
    elif kind == "accepted_values":
        spec["values"] = ["a", "b"]
    spec["action"] = rng.choice(["warn", "fail", "drop", "quarantine"])
    if rng.random() < 0.3:
        spec["name"] = rng.choice(["c1", "revenue_not_negative", "unique_order_id"])
    return spec


def _m_check(rng: random.Random, docs: Docs, texts: Texts) -> None:
    doc = _pick_doc(rng, docs, rng.choice(["Table", "Pipeline"]))
    if not doc:
        return
    checks = doc.setdefault("checks", [])
    if checks and rng.random() < 0.2:
        del checks[rng.randrange(len(checks))]
    else:
        checks.append(_check_spec(rng, docs))


def _m_pipeline(rng: random.Random, docs: Docs, texts: Texts) -> None:
    pipe = _pick_doc(rng, docs, "Pipeline")
    if not pipe:
        return
    names = _column_names(rng, docs)
    op = rng.choice(
        ["target", "mode", "nomode", "keys", "seq", "delete", "nomerge", "scope", "incr", "after"]
    )
    if op == "target":
        pipe["target"] = rng.choice([*NAMES, "customers_raw"])
    elif op == "mode":
        pipe["mode"] = rng.choice(["append", "merge", "overwrite"])
    elif op == "nomode":
        pipe.pop("mode", None)
    elif op == "keys":
        pipe.setdefault("merge", {})["keys"] = rng.sample(names, rng.randint(1, 2))
    elif op == "seq":
        pipe.setdefault("merge", {})["sequence_by"] = rng.choice(names)
    elif op == "delete":
        pipe.setdefault("merge", {})["delete_when"] = rng.choice(EXPRESSIONS)
    elif op == "nomerge":
        pipe.pop("merge", None)
    elif op == "scope":
        pipe["overwrite"] = {"scope": rng.choice(["table", "partitions"])}
    elif op == "incr":
        pipe["incremental"] = {"source": rng.choice(NAMES), "watermark": rng.choice(names)}
    else:
        sched = pipe.setdefault("schedule", {})
        sched.pop("cron", None)
        sched["after"] = [rng.choice(["clean_orders", "ingest_orders", "nope", pipe["name"]])]


SQL_EDITS = [
    ("o.order_id,", "o.order_idd,"),
    ("AS amount", "AS amountt"),
    ("o.updated_at\n", "o.updated_at,\n    1 AS extra\n"),
    ("orders_raw", "order_raw"),
    ("FROM", "FROMM"),
    ("customer_id,", "CAST(customer_id AS int) AS customer_id,"),
    ("c.updated_at", "c.updated_at, c.updated_at"),
    ("p.category,", "p.category, p.category,"),
    ("WHERE", "GROUP BY"),
    ("SELECT", "DELETE FROM x WHERE 1 = 1 AND"),
    ("silver.orders", "gold.orders"),
    ("MAX(order_ts)", "MAX(order_ts) + 1"),
    ("trim(name) AS name", "NULL AS name"),
]


def _m_sql(rng: random.Random, docs: Docs, texts: Texts) -> None:
    old, new = rng.choice(SQL_EDITS)
    if rng.random() < 0.2 and texts:
        name = sorted(texts)[0]
        texts[name] = texts[name].replace(old, new, 1)
        return
    pipe = _pick_doc(rng, docs, "Pipeline")
    if not pipe:
        return
    if "sql" in pipe:
        pipe["sql"] = pipe["sql"].replace(old, new, 1)
    elif rng.random() < 0.5:
        pipe["sql_file"] = rng.choice(
            ["../sql/missing.sql", "../sql", "../sql/clean_customers.sql"]
        )


def _m_ingestion(rng: random.Random, docs: Docs, texts: Texts) -> None:
    ing = _pick_doc(rng, docs, "Ingestion")
    if not ing:
        return
    if rng.random() < 0.5:
        ing["target"] = rng.choice([*NAMES, "customers_raw", "products_raw"])
    else:
        ing.setdefault("schedule", {})["cron"] = rng.choice(CRONS)


def _m_cron(rng: random.Random, docs: Docs, texts: Texts) -> None:
    pipe = _pick_doc(rng, docs, rng.choice(["Pipeline", "Ingestion"]))
    if pipe:
        pipe["schedule"] = {"cron": rng.choice(CRONS)}


def _m_project(rng: random.Random, docs: Docs, texts: Texts) -> None:
    proj = _pick_doc(rng, docs, "Project")
    if not proj:
        return
    envs = proj["environments"]
    if rng.random() < 0.5:
        envs["dev"]["state"].pop("bucket", None)
    else:
        envs["prod"]["buckets"][rng.choice(["lake", "artifacts"])] = rng.choice(
            ["retail-dev-lake", "retail-dev-artifacts"]
        )


def _m_drop(rng: random.Random, docs: Docs, texts: Texts) -> None:
    files = sorted(f for f in docs if f.startswith("contracts/"))
    docs[rng.choice(files)] = []


MUTATIONS: tuple[Callable[[random.Random, Docs, Texts], None], ...] = (
    _m_column,
    _m_column,
    _m_table,
    _m_check,
    _m_check,
    _m_pipeline,
    _m_pipeline,
    _m_sql,
    _m_sql,
    _m_ingestion,
    _m_cron,
    _m_project,
    _m_drop,
)


_BASE: list[tuple[Docs, Texts]] = []


def _base() -> tuple[Docs, Texts]:
    """The retail documents and SQL files, parsed once."""
    if not _BASE:
        docs: Docs = {}
        for path in sorted(RETAIL.rglob("*.yaml")):
            rel = path.relative_to(RETAIL).as_posix()
            if not rel.startswith(("build/", "data/", ".alur/")):
                docs[rel] = [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d]
        texts = {
            p.relative_to(RETAIL).as_posix(): p.read_text(encoding="utf-8")
            for p in sorted(RETAIL.glob("sql/*.sql"))
        }
        _BASE.append((docs, texts))
    return _BASE[0]


def _write_mutant(seed: int, dest: Path) -> None:
    shutil.copytree(RETAIL, dest, ignore=shutil.ignore_patterns("build", ".alur", "data"))
    base_docs, base_texts = _base()
    docs, texts = copy.deepcopy(base_docs), dict(base_texts)
    rng = random.Random(seed)
    for _ in range(rng.randint(1, 3)):
        rng.choice(MUTATIONS)(rng, docs, texts)
    for rel, items in docs.items():
        if items != base_docs[rel]:
            text = yaml.safe_dump_all(items, allow_unicode=True, sort_keys=False)
            (dest / rel).write_text(text, encoding="utf-8")
    for rel, text in texts.items():
        if text != base_texts[rel]:
            (dest / rel).write_text(text, encoding="utf-8")


def _diagnostics(project: Path) -> list[list[Any]]:
    cwd = os.getcwd()
    os.chdir(project)
    try:
        result = api.load(Path("."))
    finally:
        os.chdir(cwd)
    out: list[list[Any]] = []
    for d in result.diagnostics.sorted():
        s = d.span
        notes = [[m, n.file, n.line, n.col, n.end_line, n.end_col] for m, n in d.notes]
        out.append(
            [
                d.code.code,
                d.severity.value,
                d.message,
                s.file,
                s.line,
                s.col,
                s.end_line,
                s.end_col,
                d.hint,
                notes,
            ]
        )
    out.append(["built" if result.project is not None else "not built"])
    return out


def _rendered(project: Path) -> list[list[Any]]:
    """The text the CLI prints (source line and caret included), one line per entry."""
    from alur_compiler.diagnostics.render import render_text

    cwd = os.getcwd()
    os.chdir(project)
    try:
        result = api.load(Path("."))
        text = render_text(result.diagnostics.sorted(), result.files)
    finally:
        os.chdir(cwd)
    return [[line] for line in text.splitlines()]


def collect(tmp: Path) -> dict[str, list[list[Any]]]:
    cases: dict[str, list[list[Any]]] = {}
    for path in sorted(CORPUS.glob("*.yaml")):
        project = tmp / f"corpus-{path.stem}"
        project.mkdir()
        shutil.copy(path, project / "alur.yaml")
        cases[f"corpus/{path.stem}"] = _diagnostics(project)
    for folder in sorted(p for p in CORPUS.iterdir() if (p / "alur.yaml").is_file()):
        project = tmp / f"corpus-{folder.name}"  # a case with its own files (.sql, ...)
        shutil.copytree(folder, project)
        cases[f"corpus/{folder.name}"] = _diagnostics(project)
        cases[f"rendered/{folder.name}"] = _rendered(project)
    for seed in range(MUTANTS):
        project = tmp / f"mutant-{seed}"
        _write_mutant(seed, project)
        cases[f"mutant/{seed}"] = _diagnostics(project)
    return cases


def test_diagnostics_match_the_snapshot(tmp_path: Path) -> None:
    actual = collect(tmp_path)
    if os.environ.get("ALURC_UPDATE_SNAPSHOT"):
        SNAPSHOT.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(actual, indent=0, ensure_ascii=False, sort_keys=True)
        SNAPSHOT.write_text(text + "\n", encoding="utf-8")
        pytest.skip("snapshot re-recorded")
    expected = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    assert sorted(actual) == sorted(expected), "the set of cases changed"
    differ = [name for name in sorted(expected) if actual[name] != expected[name]]
    assert not differ, f"{len(differ)} cases differ, first {differ[0]}:\n" + "\n".join(
        f"  - {e}\n  + {a}"
        for e, a in zip(expected[differ[0]], actual[differ[0]] + [None] * 99, strict=False)
        if e != a
    )


def test_the_mutants_reach_the_semantic_rules(tmp_path: Path) -> None:
    """The snapshot is only a safety net if it holds many semantic (AL3xx/AL4xx) diagnostics."""
    expected = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    codes = {d[0] for name, ds in expected.items() if name.startswith("mutant/") for d in ds[:-1]}
    semantic = {c for c in codes if c.startswith(("AL3", "AL4"))}
    assert len(semantic) >= 15, sorted(codes)
