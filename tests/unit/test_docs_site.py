"""`alurc docs` without a browser: bytes, data against lineage.json, the folder, --serve.

The oracle for lineage is the `lineage.json` that `alurc compile` writes, parsed here and
closed over independently; the browser test (tests/integration/test_docs_browser.py) checks
what the page shows.
"""

from __future__ import annotations

import json
import shutil
import threading
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from alur_compiler import api
from alur_compiler.api_docs import build_docs
from alur_compiler.cli import app
from alur_compiler.cli.docs_cmd import make_server
from alur_compiler.docs_site.dag import layers, layout
from alur_compiler.docs_site.highlight import sql_runs

RETAIL = Path(__file__).resolve().parents[2] / "examples" / "retail"


def _copy_retail(tmp: Path) -> Path:
    root = tmp / "retail"
    shutil.copytree(RETAIL, root, ignore=shutil.ignore_patterns("build", ".alur", "data"))
    return root


def _data(path: Path) -> Any:
    """The JSON inside a data file `ALUR.loaded("kind","name",{...});`."""
    text = path.read_text(encoding="utf-8")
    assert text.startswith("ALUR.loaded(") and text.endswith(");\n")
    kind_end = text.index('",', len("ALUR.loaded(")) + 2
    name_end = text.index('",', kind_end) + 2
    body = text[name_end:-3]
    if body.startswith("JSON.parse("):  # the search index: a JSON string JSON.parse reads
        return json.loads(json.loads(body[len("JSON.parse(") : -1]))
    return json.loads(body)


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _closure(start: str, edges: dict[str, set[str]]) -> set[str]:
    seen: set[str] = set()
    todo = [start]
    while todo:
        for nxt in edges.get(todo.pop(), set()):
            if nxt not in seen and nxt != start:
                seen.add(nxt)
                todo.append(nxt)
    return seen


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """retail compiled once: the build folder, with the lineage.json the compiler wrote."""
    out = tmp_path_factory.mktemp("compiled") / "build"
    assert api.compile_project(RETAIL, out).ok
    return out


def test_same_project_same_bytes_in_two_folders(tmp_path: Path) -> None:
    first = build_docs(RETAIL, tmp_path / "a")
    second = build_docs(RETAIL, tmp_path / "b")
    assert first.ok and second.ok
    a, b = _tree(tmp_path / "a"), _tree(tmp_path / "b")
    assert a == b
    assert {
        "index.html",
        "assets/app.js",
        "assets/app.css",
        "data/index.js",
        "data/summary.js",
        "data/dag.js",
        "data/table/orders.js",
        "data/job/clean_orders.js",
        "manifest.json",
    } <= set(a)
    again = build_docs(RETAIL, tmp_path / "a")  # unchanged: nothing rewritten
    assert again.ok and again.written == []


def test_lineage_closures_match_compiled_lineage_json(tmp_path: Path, compiled: Path) -> None:
    lineage = json.loads((compiled / "lineage.json").read_text())["tables"]
    up: dict[str, set[str]] = {}
    down: dict[str, set[str]] = {}
    for table, cols in lineage.items():
        for col, ups in cols.items():
            up.setdefault(f"{table}.{col}", set()).update(ups)
            for u in ups:
                down.setdefault(u, set()).add(f"{table}.{col}")
    assert build_docs(RETAIL, tmp_path / "site").ok
    checked = 0
    for file in sorted((tmp_path / "site" / "data" / "table").glob("*.js")):
        doc = _data(file)
        for col, closures in doc["lineage"].items():
            key = f"{doc['name']}.{col}"
            assert {c for c, _ in closures["up"]} == _closure(key, up), key
            assert {c for c, _ in closures["down"]} == _closure(key, down), key
            checked += bool(closures["up"])
    assert checked >= 20
    revenue = _data(tmp_path / "site" / "data" / "table" / "orders.js")["nodes"]["orders.amount"]
    assert revenue[0] == "clean_orders" and revenue[1] == "o.quantity * o.unit_price"


def test_sql_runs_give_back_the_text_and_mark_tokens() -> None:
    sql = "SELECT a, 'x</script>é' AS `b c`, 1.5 -- note\n/* c */ FROM t WHERE a <> 'q'"
    runs = sql_runs(sql)
    assert "".join(text for _, text in runs) == sql
    assert ("k", "SELECT") in runs and ("s", "'x</script>é'") in runs and ("n", "1.5") in runs
    assert ("c", " -- note\n/* c */ ") in runs
    assert "".join(t for _, t in sql_runs("SELECT 'unterminated")) == "SELECT 'unterminated"


def test_dag_layers_by_longest_chain_and_is_deterministic() -> None:
    deps = {"load": (), "clean": ("load",), "join": ("clean", "load"), "other": ()}
    assert layers(deps) == {"load": 0, "clean": 1, "join": 2, "other": 0}
    one = layout(deps, {"load": "ingestion"})
    assert one == layout(dict(reversed(list(deps.items()))), {"load": "ingestion"})
    xs = {node[0]: node[2] for node in one["nodes"]}
    assert xs["load"] == xs["other"] < xs["clean"] < xs["join"]
    names = [node[0] for node in one["nodes"]]
    assert sorted((names[a], names[b]) for a, b in one["edges"]) == [
        ("clean", "join"),
        ("load", "clean"),
        ("load", "join"),
    ]


HOSTILE = '</script><img src=x onerror="window.__pwned=1">\u2028"\'&'


def test_user_strings_stay_inside_json_strings(tmp_path: Path) -> None:
    root = _copy_retail(tmp_path)
    contract = root / "contracts" / "silver" / "orders.yaml"
    contract.write_text(
        contract.read_text().replace(
            "description: One row per order line, latest version only, cleaned and typed.",
            "description: " + json.dumps(HOSTILE),
        )
    )
    result = build_docs(root, tmp_path / "site")
    assert result.ok
    site = tmp_path / "site"
    assert "<img" not in (site / "index.html").read_text()
    for file in (site / "data").rglob("*.js"):
        text = file.read_text()
        assert "\u2028" not in text  # a raw line separator would end a JS string in old engines
        doc = _data(file)
        if file.name == "orders.js" and file.parent.name == "table":
            assert doc["description"] == HOSTILE


def test_last_local_run_figures_are_shown(tmp_path: Path) -> None:
    root = _copy_retail(tmp_path)
    reports = root / ".alur" / "warehouse" / "reports" / "clean_orders"
    reports.mkdir(parents=True)
    old = {
        "job": "clean_orders",
        "run_id": "20261101T000000Z-aaaa",
        "status": "failed",
        "rows_read": 1,
        "rows_written": 0,
        "rows_dropped": 0,
        "rows_quarantined": 0,
    }
    new = old | {
        "run_id": "20261102T000000Z-bbbb",
        "status": "succeeded",
        "rows_read": 12,
        "rows_written": 9,
        "rows_dropped": 2,
        "rows_quarantined": 1,
    }
    for report in (old, new):
        (reports / f"{report['run_id']}.json").write_text(json.dumps(report))
    result = build_docs(root, tmp_path / "site")
    assert result.ok and result.runs == 1
    job = _data(tmp_path / "site" / "data" / "job" / "clean_orders.js")
    assert job["run"]["run_id"] == new["run_id"] and job["run"]["rows_dropped"] == 2
    table = _data(tmp_path / "site" / "data" / "table" / "orders.js")
    assert table["runs"]["clean_orders"]["rows_quarantined"] == 1
    summary = _data(tmp_path / "site" / "data" / "summary.js")
    assert set(summary["runs"]) == {"clean_orders"}


def test_refuses_a_compile_build_folder_and_user_files(tmp_path: Path, compiled: Path) -> None:
    before = _tree(compiled)
    refused = build_docs(RETAIL, compiled)
    assert not refused.ok and refused.diagnostics.has_errors
    assert _tree(compiled) == before
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep")
    assert not build_docs(RETAIL, mine).ok
    assert sorted(p.name for p in mine.iterdir()) == ["notes.txt"]


def test_cli_builds_and_serve_serves_on_localhost(tmp_path: Path) -> None:
    out = tmp_path / "site"
    run = CliRunner().invoke(app, ["docs", str(RETAIL), "--out", str(out)])
    assert run.exit_code == 0, run.output
    assert str(out / "index.html") in run.output
    server = make_server(out, 0)
    host, port = server.server_address[:2]
    assert host == "127.0.0.1" and port
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/data/table/orders.js") as resp:
            assert resp.read() == (out / "data" / "table" / "orders.js").read_bytes()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/") as resp:
            assert resp.read() == (out / "index.html").read_bytes()
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("bad", ["no-such-folder"])
def test_cli_without_a_project_exits_1(tmp_path: Path, bad: str) -> None:
    run = CliRunner().invoke(app, ["docs", str(tmp_path / bad)])
    assert run.exit_code == 1


def test_alurc_docs_serve_prints_its_url_and_serves(tmp_path: Path) -> None:
    import re
    import subprocess
    import sys

    alurc = Path(sys.executable).with_name("alurc")
    cmd = [
        str(alurc),
        "docs",
        str(RETAIL),
        "--out",
        str(tmp_path / "site"),
        "--serve",
        "--port",
        "0",
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        url = None
        for _ in range(5):
            found = re.search(r"serving (http://127\.0\.0\.1:\d+/)", proc.stdout.readline())
            if found:
                url = found.group(1)
                break
        assert url, "no `serving http://127.0.0.1:PORT/` line"
        with urllib.request.urlopen(url + "index.html", timeout=10) as resp:
            assert b"assets/app.js" in resp.read()
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_job_pages_carry_after_any_and_max_wait(tmp_path: Path) -> None:
    """The schedule example of specs/schedule.md: merge_orders starts after any one shop's
    ingestion; shop_revenue after both of its jobs, waiting at most 12 h (720 minutes)."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from test_schedule_any_wait import _write

    root = _write(tmp_path / "shop")
    build_docs(root, tmp_path / "site")
    merge = _data(tmp_path / "site" / "data" / "job" / "merge_orders.js")["schedule"]
    assert (merge["after"], merge["after_any"]) == ([], ["ingest_orders_eu", "ingest_orders_us"])
    assert merge["max_wait_minutes"] is None
    revenue = _data(tmp_path / "site" / "data" / "job" / "shop_revenue.js")["schedule"]
    assert sorted(revenue["after"]) == ["ingest_fx", "merge_orders"]
    assert (revenue["max_wait_minutes"], revenue["on_max_wait"]) == (720, "run")
