"""Assemble the docs site: static assets, the search index and one data file per entity.

Data files are JavaScript (`ALUR.loaded(kind, name, data)`) so that the page can load
them with `<script src>` from `file://`, where Chromium refuses `fetch()` of local files.
The page loads `data/summary.js` at start and shows itself, then `data/index.js` (search);
a table's or job's file only when it is opened, the DAG only when it is shown. Every
string from the project goes into JSON, and the page puts it into the document through
`textContent`, never as markup.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from importlib import resources
from typing import Any

from alur_compiler.backends.base import Artifact
from alur_compiler.docs_site.dag import layout
from alur_compiler.docs_site.expressions import column_expressions
from alur_compiler.docs_site.lineage import column_graph
from alur_compiler.docs_site.pages import job_doc, run_figures, search_index, summary, table_doc
from alur_compiler.ir import Pipeline, Project
from alur_compiler.ir.graph import job_dependencies

ASSETS = ("index.html", "app.css", "app.js")


def data_script(kind: str, name: str, data: Any, parse: bool = False) -> bytes:
    """One data file: a call the page's loader answers. Deterministic bytes. With `parse`
    the data is a JSON string given to JSON.parse, which V8 reads faster than a literal
    (for the large search index)."""
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    if parse:
        text = "JSON.parse(" + json.dumps(text, ensure_ascii=False) + ")"
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    head = json.dumps(kind) + "," + json.dumps(name)
    return f"ALUR.loaded({head},{text});\n".encode()


def asset(name: str) -> bytes:
    return (resources.files("alur_compiler.docs_site") / "assets" / name).read_bytes()


def _table_jobs(project: Project) -> dict[str, list[str]]:
    """Keys `writers:T` and `readers:T` -> job names (sorted)."""
    out: dict[str, set[str]] = {}
    for job in project.jobs:
        out.setdefault("writers:" + job.target, set()).add(job.name)
        if isinstance(job, Pipeline):
            for table in job.upstream_tables:
                out.setdefault("readers:" + table, set()).add(job.name)
    return {key: sorted(names) for key, names in out.items()}


def _lineage_writers(project: Project) -> dict[str, str]:
    """table -> the job whose columns lineage.json records for it (the pipeline writing it,
    as api.lineage_document picks it: the last by name), else the ingestion loading it."""
    out = {i.target: i.name for i in project.ingestions}
    for pipe in project.pipelines:
        out[pipe.target] = pipe.name
    return out


def build_site(
    project: Project, lineage: Mapping[str, Any], reports: Mapping[str, Mapping[str, Any]]
) -> list[Artifact]:
    """Every file of the site, sorted by path. `lineage` is the lineage.json document;
    `reports`: job -> its last local run report (may be empty)."""
    runs = {job: fig for job, rep in reports.items() if (fig := run_figures(rep)) is not None}
    expressions = {p.target: column_expressions(p.sql) for p in project.pipelines}
    graph = column_graph(lineage.get("tables", {}), _lineage_writers(project), expressions)
    derived = {f"{t}.{c}" for t, cols in lineage.get("pii_derived", {}).items() for c in cols}
    deps = job_dependencies(project)
    after_me: dict[str, list[str]] = {}
    for name, before in sorted(deps.items()):
        for up in before:
            after_me.setdefault(up, []).append(name)
    jobs = _table_jobs(project)
    files = [Artifact(f"assets/{n}" if n != "index.html" else n, asset(n)) for n in ASSETS]
    files.append(Artifact("data/summary.js", data_script("summary", "", summary(project, runs))))
    files.append(Artifact("data/index.js", data_script("index", "", search_index(project), True)))
    kinds = {j.name: "pipeline" if isinstance(j, Pipeline) else "ingestion" for j in project.jobs}
    files.append(Artifact("data/dag.js", data_script("dag", "", layout(deps, kinds))))
    for table in project.tables:
        doc = table_doc(project, table, jobs, graph, derived, runs)
        files.append(Artifact(f"data/table/{table.name}.js", data_script("table", table.name, doc)))
    for job in project.jobs:
        doc = job_doc(job, deps, after_me, runs, kinds)
        files.append(Artifact(f"data/job/{job.name}.js", data_script("job", job.name, doc)))
    return sorted(files, key=lambda a: a.path)
