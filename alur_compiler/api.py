"""alurc as plain functions: load, validate, compile, run, plan, apply, destroy.

The CLI is a thin layer over these: it parses arguments, calls one function and renders
what it returns. Nothing here prints. `run_local` lives in api_local.py and the deploy
commands (bootstrap, plan, apply, destroy, run_remote, logs) in api_deploy.py; both are
re-exported here and import Spark, terraform and boto3 only when called, so importing this
module (every `alurc compile`) stays cheap.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from alur_compiler import __version__, fastpath
from alur_compiler.api_deploy import DeployHooks as DeployHooks
from alur_compiler.api_deploy import DeployResult as DeployResult
from alur_compiler.api_deploy import apply as apply
from alur_compiler.api_deploy import bootstrap as bootstrap
from alur_compiler.api_deploy import destroy as destroy
from alur_compiler.api_deploy import logs as logs
from alur_compiler.api_deploy import plan as plan
from alur_compiler.api_deploy import run_remote as run_remote
from alur_compiler.api_local import LocalHooks as LocalHooks
from alur_compiler.api_local import LocalRun as LocalRun
from alur_compiler.api_local import run_local as run_local
from alur_compiler.backends.base import Artifact
from alur_compiler.diagnostics import Diagnostics, Span, codes
from alur_compiler.emit import (
    MANIFEST,
    EmitResult,
    FolderRefused,
    Plan,
    Staleness,
    begin,
    check_folder,
    json_bytes,
    plan_build,
    remove_files,
    sha256,
    write_files,
)
from alur_compiler.fastpath import CACHE, cached, recorded_outputs, remember, up_to_date
from alur_compiler.ir import Project
from alur_compiler.load.discover import LoadedProject, load_project_files
from alur_compiler.load.realpath import Realpath
from alur_compiler.load.spec_paths import find_root
from alur_compiler.outputs import Generator, build_outputs, shards

if TYPE_CHECKING:  # heavy modules (jsonschema, sqlglot, backends) load only when needed
    from alur_compiler.load.source import SourceDoc


@dataclass
class LoadResult:
    project: Project | None
    diagnostics: Diagnostics
    root: Path | None
    files: dict[str, str] = field(default_factory=dict)  # shown path -> text, for rendering
    inputs: dict[str, str] = field(default_factory=dict)  # root-relative path -> sha256


@dataclass
class CompileResult:
    project: Project | None
    diagnostics: Diagnostics
    out: Path | None
    generated: list[str] = field(default_factory=list)  # build-relative paths, sorted
    emitted: EmitResult | None = None
    stale: Staleness | None = None
    files: dict[str, str] = field(default_factory=dict)
    up_to_date: bool = False  # nothing to do: inputs and outputs match the manifest

    @property
    def ok(self) -> bool:
        return not self.diagnostics.has_errors and not (self.stale and self.stale.stale)


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while compiling.

    A compile builds a few hundred thousand small objects with hardly any reference cycle;
    the collector would walk all of them again and again (and, in forked workers, touch
    every inherited page). Pausing it cut a cold compile of 1,000 pipelines by about a
    third without raising peak memory (213 MB either way).

    On the way out, every object the compile made is moved to the oldest generation
    (`freeze` then `unfreeze`: two list splices) before the collector is enabled again;
    otherwise the first allocation after `enable` would collect the youngest generation,
    that is, walk every one of those objects at once (0.3-0.4 s at 1,000 pipelines). Any
    garbage cycle among them is collected with the oldest generation, as it would be after
    surviving one young collection.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.freeze()
            gc.unfreeze()
            gc.enable()


def load(path: Path) -> LoadResult:
    """Load, validate and build the project at or above `path`. Never raises for bad input."""
    with gc_paused():
        return _load(path)


def _load(path: Path) -> LoadResult:
    diags = Diagnostics()
    root = find_root(path)
    if root is None:
        diags.report(
            codes.NO_PROJECT,
            f"no {'alur.yaml'} in {path} or any parent folder",
            Span(str(path), 1, 1),
            hint="run `alurc init NAME` to create a project",
        )
        return LoadResult(None, diags, None)
    loaded = load_project_files(root, diags)
    project = _build(loaded, diags)
    return LoadResult(project, diags, root, loaded.files, _inputs(loaded, project))


def load_project(root: Path) -> tuple[Project | None, Diagnostics]:
    result = load(root)
    return result.project, result.diagnostics


def _build(loaded: LoadedProject, diags: Diagnostics) -> Project | None:
    from alur_compiler.ir.build import build_project
    from alur_compiler.schema.validate import check_document
    from alur_compiler.semantic.context import index_documents

    valid: list[SourceDoc] = []
    broken: list[SourceDoc] = []
    docs = ([loaded.project_doc] if loaded.project_doc else []) + loaded.docs
    if loaded.project_doc is None and not diags.has_errors:
        diags.report(
            codes.UNKNOWN_KIND,
            "alur.yaml has no `kind: Project` document",
            Span("alur.yaml", 1, 1),
            hint="alur.yaml starts with `apiVersion: alur/v1` and `kind: Project`",
        )
    for doc in docs:
        usable = check_document(doc, diags)[1]  # None, or readable without broken checks
        (valid if usable is not None else broken).append(usable or doc)
    index = index_documents(valid, broken, diags)
    return build_project(loaded.root, index, diags)


def _inputs(loaded: LoadedProject, project: Project | None) -> dict[str, str]:
    inputs: dict[str, str] = {}
    seen: set[str] = set()  # the documents of one file share its path: one relpath each
    for doc in ([loaded.project_doc] if loaded.project_doc else []) + loaded.docs:
        if doc.abspath in seen:
            continue
        seen.add(doc.abspath)
        rel = Path(os.path.relpath(doc.abspath, loaded.root)).as_posix()
        if rel not in inputs:
            digest = loaded.digests.get(doc.abspath)
            inputs[rel] = digest or sha256(Path(doc.abspath).read_bytes())
    for pipe in project.pipelines if project else ():
        if pipe.sql_file is not None:
            inputs.setdefault("sql:" + pipe.name, sha256(pipe.sql.encode("utf-8")))
    return dict(sorted(inputs.items()))


def _shards() -> list[list[Generator]]:
    from alur_compiler.backends import BACKENDS

    return shards(BACKENDS, _lineage_artifact)


def _lineage_artifact(project: Project, diags: Diagnostics) -> list[Artifact]:
    return [Artifact("lineage.json", json_bytes(lineage_document(project)))]


def lineage_document(project: Project) -> dict[str, object]:
    """Column lineage of every target column, the columns declared `pii: true` per table,
    and `pii_derived`: target columns computed from a pii column (directly or through
    other tables' columns), which hold personal data too unless the SQL anonymises it."""
    tables: dict[str, dict[str, list[str]]] = {}
    for pipe in project.pipelines:
        tables[pipe.target] = {col: list(up) for col, up in pipe.lineage}
    pii = {t.name: sorted(c.name for c in t.columns if c.pii) for t in project.tables}
    marked = {f"{t}.{c}" for t, cols in pii.items() for c in cols}
    derived: dict[str, list[str]] = {}
    changed = True
    while changed:  # to a fixed point: lineage chains through several pipelines
        changed = False
        for table, cols in tables.items():
            for col, ups in cols.items():
                key = f"{table}.{col}"
                if key not in marked and any(u in marked for u in ups):
                    marked.add(key)
                    derived.setdefault(table, []).append(col)
                    changed = True
    return {
        "version": 1,
        "tables": tables,
        "pii": {t: cols for t, cols in sorted(pii.items()) if cols},
        "pii_derived": {t: sorted(cols) for t, cols in sorted(derived.items())},
    }


def sql_files(project: Project, root: Path) -> list[str]:
    """Root-relative paths of the .sql files pipelines read (inputs beyond the YAML)."""
    out = set()
    real = Realpath()
    for pipe in project.pipelines:
        if pipe.sql_file is not None:
            yaml_dir = os.path.dirname(real(pipe.span.file)) if pipe.span.file else str(root)
            out.add(
                Path(os.path.relpath(real(os.path.join(yaml_dir, pipe.sql_file)), root)).as_posix()
            )
    return sorted(out)


def manifest(
    project: Project,
    files: dict[str, str],
    inputs: dict[str, str],
    fingerprints: dict[str, dict[str, str]] | None = None,
) -> Artifact:
    """manifest.json: inputs, the sha256 of every generated file and IR fingerprints
    (`fingerprints`: those of `manifest_fingerprints(project)`, computed beforehand)."""
    doc = {
        "alurc": __version__,
        "project": project.name,
        "inputs": inputs,
        "files": dict(sorted(files.items())),
        "fingerprints": fingerprints or manifest_fingerprints(project),
    }
    return Artifact(MANIFEST, json_bytes(doc))


def manifest_fingerprints(project: Project) -> dict[str, dict[str, str]]:
    from alur_compiler.ir.fingerprint import fingerprint

    return {
        "tables": {t.name: fingerprint(t) for t in project.tables},
        "pipelines": {p.name: fingerprint(p) for p in project.pipelines},
        "ingestions": {i.name: fingerprint(i) for i in project.ingestions},
        "environments": {e.name: fingerprint(e) for e in project.environments},
    }


def compile_project(root: Path, out: Path | None = None, check: bool = False) -> CompileResult:
    """Compile the project at `root` into `out` (default ROOT/build); --check only compares."""
    with gc_paused():
        return _compile(root, out, check)


def compile_and_load(path: Path) -> CompileResult:
    """Compile into PROJECT/build and return the IR too, reading the project once.

    An up-to-date build folder skips the generators and returns no project; only then is
    the project loaded (for its IR and its warnings). Each diagnostic is in the result once.
    """
    result = compile_project(path)
    if result.up_to_date and result.project is None:
        loaded = load(path)
        result.project, result.files = loaded.project, loaded.files
        result.diagnostics.extend(loaded.diagnostics)
    return result


def _compile(root: Path, out: Path | None, check: bool) -> CompileResult:
    found = find_root(root)
    sql_cache_folder: Path | None = None
    began: int | None = None  # the file system's clock as this compile begins (fastpath)
    if found is not None:
        given = Path(os.path.abspath(out if out is not None else found / "build"))
        target = given.resolve()
        if not given.is_symlink() and up_to_date(found, target):
            return CompileResult(
                None,
                Diagnostics(),
                target,
                up_to_date=True,
                emitted=EmitResult(),
                stale=Staleness() if check else None,
            )
        if not given.is_symlink() and cached(found, target):  # the same rule as fastpath's
            sql_cache_folder = found / CACHE.parent
            began = fastpath.clock(found)  # before any input is read
    from alur_compiler.backends import memo
    from alur_compiler.load import parse_cache
    from alur_compiler.semantic import sql_cache

    folder = sql_cache_folder
    tool = fastpath._tool_hash() if folder is not None else ""
    # incremental: an unchanged file is not parsed again, unchanged SQL is not analysed
    # again, and an unchanged script is not rendered again
    with (
        parse_cache.enabled(folder, tool),
        sql_cache.enabled(folder, tool),
        memo.enabled(folder, tool),
    ):
        return _compile_loaded(root, out, check, began)


def _compile_loaded(
    root: Path, out: Path | None, check: bool, began: int | None = None
) -> CompileResult:
    loaded = load(root)
    result = CompileResult(loaded.project, loaded.diagnostics, None, files=loaded.files)
    if loaded.project is None or loaded.root is None:
        return result
    given = Path(os.path.abspath(out if out is not None else loaded.root / "build"))
    result.out = given
    try:
        check_folder(given)  # before resolving: that would follow a link
        result.out = given.resolve()
        written = _write_outputs(loaded, result.out, check)
    except FolderRefused as exc:
        _report_refusal(exc, loaded.diagnostics, result.files)
        return result
    except OSError as exc:
        where = exc.filename or result.out
        loaded.diagnostics.report(
            codes.OUTPUT_UNWRITABLE,
            f"cannot write the build folder: {exc.strerror or exc}",
            Span(str(where), 1, 1),
            hint="choose another folder with --out, or fix its permissions",
        )
        return result
    if written is None:
        return result
    result.generated, result.emitted, result.stale = written
    if not (result.stale and result.stale.stale):
        remember(
            loaded.root,
            result.out,
            sql_files(loaded.project, loaded.root),
            result.generated,
            {rel: digest for rel, digest in loaded.inputs.items() if not rel.startswith("sql:")},
            began,
        )
    return result


def _report_refusal(exc: FolderRefused, diags: Diagnostics, files: dict[str, str]) -> None:
    """One diagnostic per problem: AL120 for the folder, AL121 for a user's file in it."""
    for problem in exc.problems:
        code = codes.FOREIGN_BUILD_FOLDER if problem.folder else codes.USER_FILE_IN_BUILD
        shown = str(problem.path)
        if problem.text is not None:
            files[shown] = problem.text
        span = Span(shown, problem.line, problem.column)
        diags.report(code, problem.message, span, hint=problem.hint)


def _write_outputs(
    loaded: LoadResult, out: Path, check: bool
) -> tuple[list[str], EmitResult | None, Staleness | None] | None:
    """Generate; check the build folder; write every file alurc may, the manifest last.

    Nothing is written before the build folder is proven alurc's (emit.plan_build) and no
    file in it refused; with `check`, nothing is written at all. None on errors.
    """
    project = loaded.project
    assert project is not None
    decided: list[tuple[Plan, Artifact]] = []
    fingerprints: dict[str, dict[str, str]] = {}

    def prepare(hashes: dict[str, str]) -> set[str]:
        if MANIFEST in hashes:
            raise RuntimeError(f"a backend wrote {MANIFEST}, which alurc writes itself")
        manifest_file = manifest(project, hashes, loaded.inputs, fingerprints)
        generated = {**hashes, MANIFEST: sha256(manifest_file.content)}
        assert loaded.root is not None
        todo = plan_build(out, generated, recorded_outputs(loaded.root, out))
        decided.append((todo, manifest_file))
        if check:
            return set()
        begin(out, todo, __version__)  # the journal, before the first file is written
        return set(todo.write) - {MANIFEST}

    def meanwhile() -> None:  # while the shards generate: nothing here depends on them
        fingerprints.update(manifest_fingerprints(project))

    done = build_outputs(project, _shards(), loaded.diagnostics, out, prepare, meanwhile)
    if done is None:
        return None
    todo, manifest_file = decided[0]
    listed = sorted(todo.generated)
    if check:
        return listed, None, todo.staleness()
    emitted = done.emitted
    emitted.removed = remove_files(out, todo.remove)
    journaled = bool(emitted.written or emitted.removed)
    if MANIFEST in todo.write or journaled:
        emitted.written += write_files(out, [manifest_file]).written
    rewritten = set(emitted.written)
    emitted.unchanged = [rel for rel in todo.unchanged if rel not in rewritten]
    return listed, emitted, None
