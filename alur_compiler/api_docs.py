"""`alurc docs`: build the static documentation site of a project (docs_site/).

The project is loaded (not compiled: the build folder is not touched) and its column
lineage is the document the compiler writes as `lineage.json` (api.lineage_document). The
last local run's figures come from the run reports `alurc run --local` leaves under the
local warehouse (`<warehouse>/reports/<job>/<run_id>.json`); no Spark is started. The site
folder is alurc's like a build folder (emit.py): a manifest with every file's hash, files
written atomically, files of an older site that are no longer generated deleted, and a
folder holding anything else refused with nothing written.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from alur_compiler import __version__
from alur_compiler.api import lineage_document, load
from alur_compiler.backends.base import Artifact
from alur_compiler.diagnostics import Diagnostics, Span, codes
from alur_compiler.emit import (
    MANIFEST,
    FolderRefused,
    Plan,
    Problem,
    check_folder,
    json_bytes,
    plan_build,
    remove_files,
    sha256,
    write_files,
)
from alur_compiler.ir import Project

#: the marker in a site's manifest.json: a compile's build folder never carries it
SITE_MARKER = "docs"


@dataclass
class DocsResult:
    project: Project | None
    diagnostics: Diagnostics
    files: dict[str, str] = field(default_factory=dict)  # shown path -> text, for rendering
    out: Path | None = None
    generated: list[str] = field(default_factory=list)  # the site's files, manifest aside
    written: list[str] = field(default_factory=list)  # those written (absent or changed)
    runs: int = 0  # jobs with a local run report

    @property
    def ok(self) -> bool:
        return self.out is not None and not self.diagnostics.has_errors


def default_out(project: Project) -> Path:
    return Path(project.root) / ".alur" / "docs"


def last_reports(project: Project) -> dict[str, dict[str, Any]]:
    """job -> its newest local run report (run ids start with the UTC start time)."""
    base = Path(project.root) / project.local.warehouse / "reports"
    out: dict[str, dict[str, Any]] = {}
    for job in project.jobs:
        folder = base / job.name
        try:
            names = sorted(p.name for p in folder.iterdir() if p.suffix == ".json")
        except OSError:
            continue
        for name in reversed(names):
            try:
                report = json.loads((folder / name).read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if isinstance(report, dict):
                out[job.name] = report
                break
    return out


def build_docs(path: Path, out: Path | None = None) -> DocsResult:
    """Build the site of the project at `path` into `out` (default PROJECT/.alur/docs)."""
    from alur_compiler.docs_site import build_site

    loaded = load(path)
    result = DocsResult(loaded.project, loaded.diagnostics, loaded.files)
    project = loaded.project
    if project is None or loaded.diagnostics.has_errors:
        return result
    target = Path(os.path.abspath(out if out is not None else default_out(project)))
    reports = last_reports(project)
    artifacts = build_site(project, lineage_document(project), reports)
    result.runs = len(reports)
    try:
        check_folder(target)
        _refuse_foreign_manifest(target)
        resolved = target.resolve()
        result.written = _write_site(resolved, project, artifacts)
    except FolderRefused as exc:
        for problem in exc.problems:
            code = codes.FOREIGN_BUILD_FOLDER if problem.folder else codes.USER_FILE_IN_BUILD
            shown = str(problem.path)
            if problem.text is not None:
                result.files[shown] = problem.text
            span = Span(shown, problem.line, problem.column)
            result.diagnostics.report(code, problem.message, span, hint=problem.hint)
        return result
    except OSError as exc:
        result.diagnostics.report(
            codes.OUTPUT_UNWRITABLE,
            f"cannot write the docs folder: {exc.strerror or exc}",
            Span(str(exc.filename or target), 1, 1),
            hint="choose another folder with --out, or fix its permissions",
        )
        return result
    result.out = resolved
    result.generated = [a.path for a in artifacts]
    return result


def _refuse_foreign_manifest(out: Path) -> None:
    """A folder whose manifest is a compile's (or anyone else's) is not a docs site."""
    path = out / MANIFEST
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return  # absent, or unreadable: plan_build decides
    if isinstance(doc, dict) and doc.get("site") != SITE_MARKER:
        message = f"{MANIFEST} here is not a docs site's (it is a compile's build folder?)"
        hint = "give `alurc docs --out` a new or empty folder, or the site folder of an earlier run"
        raise FolderRefused([Problem(True, out, message, hint)])


def _manifest(project: Project, files: dict[str, str], pending: dict[str, str]) -> Artifact:
    doc: dict[str, Any] = {"alurc": __version__, "site": SITE_MARKER, "project": project.name}
    doc["files"] = dict(sorted(files.items()))
    if pending:
        doc["pending"] = pending
    return Artifact(MANIFEST, json_bytes(doc))


def _journal(out: Path, project: Project, todo: Plan) -> None:
    """emit.begin's journal, with the site marker: an interrupted build is still ours."""
    if {*todo.write} - {MANIFEST} or todo.remove:
        pending = {rel: todo.generated[rel] for rel in todo.write if rel != MANIFEST}
        write_files(out, [_manifest(project, todo.present, pending)])


def _write_site(out: Path, project: Project, artifacts: list[Artifact]) -> list[str]:
    hashes = {a.path: sha256(a.content) for a in artifacts}
    manifest = _manifest(project, hashes, {})
    todo = plan_build(out, {**hashes, MANIFEST: sha256(manifest.content)})
    _journal(out, project, todo)
    wanted = set(todo.write) - {MANIFEST}
    written = write_files(out, [a for a in artifacts if a.path in wanted]).written
    remove_files(out, todo.remove)
    if MANIFEST in todo.write or written or todo.remove:
        write_files(out, [manifest])
    return written
