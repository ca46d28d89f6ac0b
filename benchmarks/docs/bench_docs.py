"""`alurc docs` at scale: a 10,000-table project's site, timed in a real headless Chromium.

    python benchmarks/docs/bench_docs.py                 # 10,000 tables (8,000 pipelines)
    python benchmarks/docs/bench_docs.py --tables 1000 --reps 3

The synthetic lakehouse of benchmarks/compile (generate.py: N pipelines + N/4 bronze
tables) is written with N = 4/5 of --tables, its site built with `alurc docs`, then opened
from disk in Debian's chromium through chromedriver (selenium). Measured in the page with
`performance.now()` through its own hooks (window.ALUR): page load (navigation start to the
home page drawn, and to the search index loaded), a search (the input handler and the layout of its
results), opening a table (loading its data file and drawing the page) and a lineage click
(the click handler and the layout of the upstream and downstream lists). Target: the page
shown (median), and every search, table opening and lineage click, under 200 ms. Results
go to bench-results/docs.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(HERE.parent / "compile"))
sys.path.insert(0, str(REPO))

from generate import generate  # noqa: E402
from headless import chromium, missing  # noqa: E402

TARGET_MS = 200.0
#: type the query, run the page's input handler, force the layout of the results
SEARCH_JS = """
const q = document.getElementById('q');
const t0 = performance.now();
q.value = arguments[0];
q.dispatchEvent(new Event('input'));
const n = document.querySelectorAll('#result-list li').length;
document.body.offsetHeight;
return [performance.now() - t0, n];
"""
OPEN_JS = """
const name = arguments[0], done = arguments[arguments.length - 1];
const t0 = performance.now();
location.hash = '#table/' + name;
(function wait() {
  if (document.querySelector('main').getAttribute('data-table') === name) {
    document.body.offsetHeight; done(performance.now() - t0);
  } else { setTimeout(wait, 1); }
})();
"""
LINEAGE_JS = """
const t0 = performance.now();
document.querySelector('button.col[data-column="' + arguments[0] + '"]').click();
const up = document.querySelectorAll('li.lin-up').length;
const down = document.querySelectorAll('li.lin-down').length;
document.body.offsetHeight;
return [performance.now() - t0, up, down];
"""


def build(tables: int, work: Path) -> tuple[Path, dict[str, Any]]:
    n = max(1, round(tables * 4 / 5))
    root = generate(n, work)[0]
    alurc = Path(sys.executable).with_name("alurc")
    site = work / "site"
    start = time.perf_counter()
    subprocess.run([str(alurc), "docs", str(root), "--out", str(site)], check=True)
    took = time.perf_counter() - start
    files = [p for p in site.rglob("*") if p.is_file()]
    info = {
        "tables": len(list((site / "data" / "table").glob("*.js"))),
        "jobs": len(list((site / "data" / "job").glob("*.js"))),
        "build_s": round(took, 1),
        "files": len(files),
        "site_mb": round(sum(p.stat().st_size for p in files) / 1e6, 1),
        "index_mb": round((site / "data" / "index.js").stat().st_size / 1e6, 2),
    }
    return site, info


def _picks(site: Path) -> list[tuple[str, str]]:
    """(table, column) with the longest upstream list and with the longest downstream one."""
    best_up, best_down = ("", "", -1), ("", "", -1)
    for path in sorted((site / "data" / "table").glob("*.js"))[:3000]:
        text = path.read_text()
        doc = json.loads(text[text.index(",{") + 1 : -3])
        for col, lin in doc["lineage"].items():
            if len(lin["up"]) > best_up[2]:
                best_up = (doc["name"], col, len(lin["up"]))
            if len(lin["down"]) > best_down[2]:
                best_down = (doc["name"], col, len(lin["down"]))
    return [(best_up[0], best_up[1]), (best_down[0], best_down[1])]


def measure(site: Path, reps: int) -> dict[str, Any]:
    with chromium() as browser:
        loads, searches, opens, clicks, search_ready = [], [], [], [], []
        counts: dict[str, Any] = {}
        queries = ["orders_raw_1", "account_id", "exports", "zzz_no_match", "revenue"]
        picks = _picks(site)
        for _ in range(reps):
            start = time.perf_counter()
            browser.get((site / "index.html").as_uri())
            while not browser.execute_script("return window.ALUR && window.ALUR.searchReady"):
                time.sleep(0.005)
            wall = (time.perf_counter() - start) * 1000
            shown, ready = browser.execute_script(
                "return [ALUR.timings.load, ALUR.timings.searchReady]"
            )
            loads.append([shown, wall])
            search_ready.append(ready)
            for query in queries:
                took, found = browser.execute_script(SEARCH_JS, query)
                searches.append(took)
                counts[f"results:{query}"] = found
            browser.set_script_timeout(30)
            for table, column in picks:
                opens.append(browser.execute_async_script(OPEN_JS, table))
                took, up, down = browser.execute_script(LINEAGE_JS, column)
                clicks.append(took)
                counts[f"lineage:{table}.{column}"] = {"up": up, "down": down}
        return {
            "page_load_ms": {
                "median": statistics.median(p for p, _ in loads),
                "max": max(p for p, _ in loads),
                "wall_median": statistics.median(w for _, w in loads),
            },
            "search_ready_ms": {
                "median": statistics.median(search_ready),
                "max": max(search_ready),
            },
            "search_ms": {"median": statistics.median(searches), "max": max(searches)},
            "open_table_ms": {"median": statistics.median(opens), "max": max(opens)},
            "lineage_click_ms": {"median": statistics.median(clicks), "max": max(clicks)},
            "counts": counts,
            "errors": browser.get_log("browser"),
        }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tables", type=int, default=10_000, help="tables in the project")
    parser.add_argument(
        "--reps", type=int, default=3, help="page loads (each: 5 searches, 2 clicks)"
    )
    parser.add_argument("--keep", type=Path, help="build here and keep it (default: a temp folder)")
    args = parser.parse_args(argv)
    if missing():
        print(f"skipped: {', '.join(missing())} missing (apt-get install chromium chromium-driver)")
        return 0
    work = args.keep or Path(tempfile.mkdtemp(prefix="alurc-docs-bench-"))
    try:
        site, info = build(args.tables, work)
        timings = measure(site, args.reps)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    #: the issue's target: the site opens and answers a search or a lineage click (opening
    #: a table page to click on included) in under 200 ms
    judged = ("page_load_ms", "search_ms", "open_table_ms", "lineage_click_ms")
    worst = max(timings[key]["median" if key == "page_load_ms" else "max"] for key in judged)
    result = {
        "site": info,
        "browser": timings,
        "target_ms": TARGET_MS,
        "ok": worst < TARGET_MS,
        "machine": {
            "cpus": os.cpu_count(),
            "load": os.getloadavg(),
            "python": platform.python_version(),
        },
        "commit": _commit(),
    }
    print(json.dumps(result, indent=2))
    out = REPO / "bench-results"
    out.mkdir(exist_ok=True)
    (out / "docs.json").write_text(json.dumps(result, indent=2) + "\n")
    print(
        f"{info['tables']} tables (built in {info['build_s']} s): page shown "
        f"{timings['page_load_ms']['median']:.0f} ms, search ready "
        f"{timings['search_ready_ms']['median']:.0f} ms (medians); "
        f"search max {timings['search_ms']['max']:.1f} ms, open table max "
        f"{timings['open_table_ms']['max']:.1f} ms, lineage click max "
        f"{timings['lineage_click_ms']['max']:.1f} ms -> {'ok' if result['ok'] else 'MISSED'} "
        f"(target < {TARGET_MS:.0f} ms)"
    )
    return 0 if result["ok"] and not timings["errors"] else 1


def _commit() -> str:
    try:
        return subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


if __name__ == "__main__":
    raise SystemExit(main())
