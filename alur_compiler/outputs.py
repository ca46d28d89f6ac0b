"""Generate and write the build folder, on two processes for large projects.

Backends are independent, so they run in shards: the glue backend (one script per job)
and all the others plus `lineage.json`. Each shard writes its own folders: splitting the
glue scripts over both shards balanced the rendering but made the build slower (two
processes creating files in one folder contend; measured 1.4-1.8 s against 0.8-1.2 s for
this phase at N = 1000). For a large project each shard runs in a forked
process that inherits the IR; it generates its files and sends back its diagnostics and
the hash of every file, then waits. Only when no shard reported an error does the parent
call `prepare` with every hash: it checks the build folder (emit.plan_build: is every
file it would overwrite or delete alurc's?) and returns the paths to write, or raises; then
the parent tells each shard which of its files to write. So a failing compile, and one
refused by the build folder, writes nothing. The caller then deletes the stale files and
writes `manifest.json` last. Small projects run the same shards in this process, one
after the other; the files and their bytes are the same either way.
"""

from __future__ import annotations

import contextlib
import os
import traceback
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from alur_compiler.backends.base import Artifact, Backend
from alur_compiler.diagnostics import Diagnostics
from alur_compiler.emit import EmitResult, sha256, write_files
from alur_compiler.ir import Project

#: from this many jobs on, the shards run in forked processes (below, forking costs more)
PARALLEL_THRESHOLD = 200


@dataclass
class ShardOutput:
    """What one shard generated: diagnostics and path -> sha256 of every file."""

    diagnostics: Diagnostics
    hashes: dict[str, str] = field(default_factory=dict)


@dataclass
class Outputs:
    """All shards together, in shard order (deterministic)."""

    hashes: dict[str, str] = field(default_factory=dict)
    emitted: EmitResult = field(default_factory=EmitResult)


Generator = Callable[[Project, Diagnostics], list[Artifact]]
#: every generated path -> sha256, to the paths to write (raises to write nothing)
Prepare = Callable[[dict[str, str]], Collection[str]]


def shards(backends: Sequence[Backend], lineage: Generator) -> list[list[Generator]]:
    """The glue backend alone (the largest), then every other backend and lineage."""
    glue: list[Generator] = [b.generate for b in backends if b.name == "glue"]
    rest: list[Generator] = [b.generate for b in backends if b.name != "glue"]
    return [part for part in (glue, [*rest, lineage]) if part]


def _generate(project: Project, shard: list[Generator]) -> tuple[list[Artifact], Diagnostics]:
    diags = Diagnostics()
    artifacts: list[Artifact] = []
    for generate in shard:
        artifacts.extend(generate(project, diags))
    _no_duplicates([a.path for a in artifacts])
    return artifacts, diags


def _no_duplicates(paths: list[str]) -> None:
    seen: set[str] = set()
    twice: set[str] = set()
    for path in paths:
        (twice if path in seen else seen).add(path)
    if twice:
        raise RuntimeError(f"two backends wrote the same file: {sorted(twice)}")


def _add_hashes(outputs: Outputs, hashes: dict[str, str]) -> None:
    """Merge one shard's hashes; a path two shards wrote is a bug in the backends."""
    _no_duplicates([*outputs.hashes, *hashes])
    outputs.hashes.update(hashes)


def _finish(out: Path, artifacts: list[Artifact], todo: Collection[str]) -> EmitResult:
    return write_files(out, sorted((a for a in artifacts if a.path in todo), key=lambda a: a.path))


def build_outputs(
    project: Project,
    groups: list[list[Generator]],
    diags: Diagnostics,
    out: Path,
    prepare: Prepare,
    meanwhile: Callable[[], object] | None = None,
) -> Outputs | None:
    """Generate every shard; unless there are errors, write the files `prepare` returns.

    `meanwhile` is called once before `prepare`: with forked shards, while they generate
    (the parent would only wait; `prepare` then finds the work done).
    Returns None when a diagnostic error stopped the compile (nothing was written).
    Raises what `prepare` raises (nothing written), and OSError when the build folder
    cannot be written.
    """
    jobs = len(project.pipelines) + len(project.ingestions)
    parallel = jobs >= PARALLEL_THRESHOLD and (os.cpu_count() or 1) > 1 and len(groups) > 1
    if parallel and not os.environ.get("ALURC_NO_PARALLEL"):
        return _forked(project, groups, diags, out, prepare, meanwhile)
    if meanwhile is not None:
        meanwhile()
    generated = [_generate(project, shard) for shard in groups]
    for _, shard_diags in generated:
        diags.extend(shard_diags)
    if diags.has_errors:
        return None
    result = Outputs()
    for artifacts, _ in generated:
        _add_hashes(result, {a.path: sha256(a.content) for a in artifacts})
    todo = set(prepare(result.hashes))
    for artifacts, _ in generated:
        result.emitted.written += _finish(out, artifacts, todo).written
    return result


# --- forked shards -------------------------------------------------------------------------


def _serve(
    conn: Any,
    inherited: list[Any],
    project: Project,
    shard: list[Generator],
    out: Path,
) -> None:
    """Body of a shard process: generate, report, then write the files it is told to.

    `inherited` are the parent's ends of the pipes forked into this process: closing them
    lets `recv` see end-of-file when the parent goes away instead of waiting forever.
    """
    for end in inherited:
        end.close()
    try:
        artifacts, diags = _generate(project, shard)
        conn.send(("generated", ShardOutput(diags, {a.path: sha256(a.content) for a in artifacts})))
        try:
            command = conn.recv()
        except EOFError:  # the parent gave up (an error, a refusal, --check): write nothing
            return
        kind, todo = command
        if kind == "write":
            try:
                conn.send(("done", _finish(out, artifacts, set(todo))))
            except OSError as exc:
                conn.send(("oserror", (exc.errno, exc.strerror, exc.filename)))
    except BaseException:  # reported to the parent, which raises it as an internal error
        with contextlib.suppress(OSError):
            conn.send(("crashed", traceback.format_exc()))
    finally:
        conn.close()


def _receive(conn: Any, expected: str) -> Any:
    kind, payload = conn.recv()
    if kind == "oserror":
        errno, strerror, filename = payload
        raise OSError(errno, strerror, filename)
    if kind != expected:
        raise RuntimeError(f"an output shard failed:\n{payload}")
    return payload


def _forked(
    project: Project,
    groups: list[list[Generator]],
    diags: Diagnostics,
    out: Path,
    prepare: Prepare,
    meanwhile: Callable[[], object] | None,
) -> Outputs | None:
    ctx = get_context("fork")
    links: list[tuple[Any, Any]] = []
    for shard in groups:
        parent, child = ctx.Pipe()
        inherited = [parent, *(conn for conn, _ in links)]
        args = (child, inherited, project, shard, out)
        proc = ctx.Process(target=_serve, args=args, daemon=True)
        proc.start()
        child.close()
        links.append((parent, proc))
    try:
        if meanwhile is not None:
            meanwhile()
        shard_outputs: list[ShardOutput] = [_receive(conn, "generated") for conn, _ in links]
        for part in shard_outputs:
            diags.extend(part.diagnostics)
        if diags.has_errors:
            return None  # closing the pipes tells every shard to write nothing
        result = Outputs()
        for part in shard_outputs:
            _add_hashes(result, part.hashes)
        todo = set(prepare(result.hashes))  # raises: the pipes close, no shard writes
        if not todo:
            return result
        for (conn, _), part in zip(links, shard_outputs, strict=True):
            conn.send(("write", sorted(p for p in part.hashes if p in todo)))
        for conn, _ in links:
            result.emitted.written += _receive(conn, "done").written
        return result
    finally:
        for conn, proc in links:
            conn.close()
            proc.join()
