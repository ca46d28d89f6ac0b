"""The docs site in a real headless Chromium (Debian's chromium + chromedriver, selenium).

Opened from disk (file://, no server, no network): search a table, open it, click a
column, and compare the upstream columns the page lists with the closure of the
`lineage.json` that `alurc compile` wrote (parsed here). A hostile description stays text.
A screenshot of each page goes to build/test-artifacts/docs/ (gitignored).
"""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from alur_compiler import api
from alur_compiler.api_docs import build_docs

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks" / "docs"))
from headless import chromium, missing

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
RETAIL = REPO / "examples" / "retail"
ARTIFACTS = REPO / "build" / "test-artifacts" / "docs"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
    if missing():
        pytest.skip(f"{', '.join(missing())} missing: apt-get install chromium chromium-driver")
    with chromium() as driver:
        yield driver


def _wait(driver: Any, script: str, timeout: float = 10) -> Any:
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(lambda d: d.execute_script(script))


def _open(driver: Any, site: Path) -> None:
    driver.get((site / "index.html").as_uri())
    _wait(driver, "return window.ALUR && window.ALUR.ready")


def _search_and_open(driver: Any, table: str) -> None:
    from selenium.webdriver.common.by import By

    box = driver.find_element(By.ID, "q")
    box.clear()
    box.send_keys(table)
    hit = f'#result-list li[data-kind="table"][data-name="{table}"] a'
    _wait(driver, f"return document.querySelector({json.dumps(hit)})")
    driver.find_element(By.CSS_SELECTOR, hit).click()
    _wait(driver, f"return document.querySelector('main').getAttribute('data-table') === '{table}'")


def _upstream_closure(lineage: dict[str, dict[str, list[str]]], column: str) -> set[str]:
    edges = {f"{t}.{c}": set(ups) for t, cols in lineage.items() for c, ups in cols.items()}
    seen: set[str] = set()
    todo = [column]
    while todo:
        for up in edges.get(todo.pop(), set()):
            if up not in seen:
                seen.add(up)
                todo.append(up)
    return seen


def test_search_open_click_column_shows_lineage_json_upstream(browser: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    assert api.compile_project(RETAIL, tmp_path / "build").ok
    lineage = json.loads((tmp_path / "build" / "lineage.json").read_text())["tables"]
    assert build_docs(RETAIL, tmp_path / "site").ok
    _open(browser, tmp_path / "site")
    assert browser.find_element(By.ID, "project").text == "retail"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for table, column in (
        ("daily_revenue", "revenue"),
        ("customer_lifetime_value", "lifetime_value"),
    ):
        expected = _upstream_closure(lineage, f"{table}.{column}")
        assert expected, f"{table}.{column} has upstream columns in lineage.json"
        _search_and_open(browser, table)
        browser.find_element(By.CSS_SELECTOR, f'button.col[data-column="{column}"]').click()
        _wait(browser, "return document.getElementById('lineage-column')")
        assert browser.find_element(By.ID, "lineage-column").text == f"{table}.{column}"
        shown = {
            e.get_attribute("data-column")
            for e in browser.find_elements(By.CSS_SELECTOR, "li.lin-up")
        }
        assert shown == expected
        texts = {e.text for e in browser.find_elements(By.CSS_SELECTOR, "li.lin-up a.column-link")}
        assert texts == expected  # what a reader sees, not only the attributes
        browser.save_screenshot(str(ARTIFACTS / f"retail-{table}-{column}.png"))
    # an upstream column's link opens its table with that column's lineage
    nearest = min(expected)
    browser.find_element(
        By.CSS_SELECTOR, f'li.lin-up[data-column="{nearest}"] a.column-link'
    ).click()
    _wait(
        browser,
        f"return (document.getElementById('lineage-column') || {{}}).textContent === '{nearest}'",
    )
    up = {
        e.get_attribute("data-column") for e in browser.find_elements(By.CSS_SELECTOR, "li.lin-up")
    }
    assert up == _upstream_closure(lineage, nearest)
    # downstream of a bronze column reaches the gold tables, as lineage.json says
    _search_and_open(browser, "orders_raw")
    browser.find_element(By.CSS_SELECTOR, 'button.col[data-column="unit_price"]').click()
    shown = {
        e.get_attribute("data-column")
        for e in browser.find_elements(By.CSS_SELECTOR, "li.lin-down")
    }
    assert shown == {
        k for k in _all_columns(lineage) if "orders_raw.unit_price" in _upstream_closure(lineage, k)
    }
    # a job's page draws the jobs it runs after and before, as `alurc graph --format json` says
    from alur_compiler.graphs import graph_document

    project = api.load(RETAIL).project
    assert project is not None
    after = {j["name"]: set(j["after"]) for j in graph_document(project)["jobs"]}  # type: ignore[index]
    around = {"clean_orders", *after["clean_orders"]}
    around |= {name for name, ups in after.items() if "clean_orders" in ups}
    browser.get((tmp_path / "site" / "index.html").as_uri() + "#job/clean_orders")
    _wait(browser, "return document.querySelectorAll('main svg a.node').length > 0")
    drawn = {e.text for e in browser.find_elements(By.CSS_SELECTOR, "main svg a.node text")}
    assert drawn == around
    current = browser.find_elements(By.CSS_SELECTOR, "main svg a.node.current text")
    assert [e.text for e in current] == ["clean_orders"]
    sql = browser.find_element(By.CSS_SELECTOR, "pre.sql").text
    assert sql.strip() == project.job("clean_orders").sql.strip()  # type: ignore[union-attr]
    assert browser.find_elements(By.CSS_SELECTOR, "pre.sql span.tk")  # keywords highlighted
    browser.save_screenshot(str(ARTIFACTS / "retail-job-clean_orders.png"))
    browser.get((tmp_path / "site" / "index.html").as_uri() + "#dag")
    _wait(browser, "return document.querySelectorAll('#dag a.node').length === 8")
    browser.save_screenshot(str(ARTIFACTS / "retail-dag.png"))
    assert browser.get_log("browser") == []  # no script error, no blocked load


@pytest.mark.parametrize("query", ["amount", "Orders", "Export", "zzz"])
def test_search_finds_every_name_and_description_that_contains_it(
    browser: Any, tmp_path: Path, query: str
) -> None:
    """What the search lists is what the project's tables, columns and jobs (read from the
    IR here) contain, by name or description, case-insensitively."""
    from selenium.webdriver.common.by import By

    project = api.load(RETAIL).project
    assert project is not None
    q = query.lower()
    expected = {
        (t.name, "table") for t in project.tables if q in t.name or q in t.description.lower()
    }
    expected |= {
        (f"{t.name}.{c.name}", "column")
        for t in project.tables
        for c in t.columns
        if q in c.name or q in c.description.lower()
    }
    expected |= {
        (j.name, "pipeline" if j in project.pipelines else "ingestion")
        for j in project.jobs
        if q in j.name or q in j.description.lower()
    }
    assert len(expected) < 50  # all of them fit in one result list
    assert expected or query == "zzz"
    site = tmp_path / "site"
    assert build_docs(RETAIL, site).ok
    _open(browser, site)
    _wait(browser, "return window.ALUR.searchReady")
    box = browser.find_element(By.ID, "q")
    box.send_keys(query)
    items = browser.find_elements(By.CSS_SELECTOR, "#result-list li")
    shown = {(e.get_attribute("data-name"), e.get_attribute("data-kind")) for e in items}
    assert shown == expected


def _all_columns(lineage: dict[str, dict[str, list[str]]]) -> set[str]:
    return {f"{t}.{c}" for t, cols in lineage.items() for c in cols}


HOSTILE = '</script><script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'


def test_hostile_description_stays_text(browser: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    root = tmp_path / "retail"
    shutil.copytree(RETAIL, root, ignore=shutil.ignore_patterns("build", ".alur", "data"))
    contract = root / "contracts" / "silver" / "orders.yaml"
    contract.write_text(
        contract.read_text()
        .replace(
            "description: One row per order line, latest version only, cleaned and typed.",
            "description: " + json.dumps(HOSTILE),
        )
        .replace(
            "description: quantity * unit_price.",
            "description: " + json.dumps("<b>bold</b>" + HOSTILE),
        )
    )
    assert build_docs(root, tmp_path / "site").ok
    _open(browser, tmp_path / "site")
    _search_and_open(browser, "orders")
    assert browser.find_element(By.CSS_SELECTOR, "main p.description").text == HOSTILE
    row = browser.find_element(By.CSS_SELECTOR, 'tr[data-column="amount"]')
    assert ("<b>bold</b>" + HOSTILE) in row.text
    box = browser.find_element(By.ID, "q")
    box.clear()
    box.send_keys("onerror")  # the description is searchable, and shown as text there too
    _wait(browser, "return document.querySelectorAll('#result-list li').length >= 2")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "hostile-description.png"))
    assert browser.execute_script("return window.__pwned === undefined")
    assert (
        browser.execute_script("return document.querySelectorAll('img, b, main script').length")
        == 0
    )
