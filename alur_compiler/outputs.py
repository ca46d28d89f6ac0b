"""Generate and write the build folder, on two processes for large projects.

Backends are independent, so they run in shards: the glue backend (one script per job)
and all the others plus `lineage.json`. Each shard writes its own folders: splitting the
glue scripts over both shards balanced the rendering but made the build slower (two
processes creating files in one folder contend; measured 1.4-1.8 s against 0.8-1.2 s for
this phase at N = 1000). For a large project each shard runs in a forked
process that inherits the IR; it generates its files and sends back its diagnostics and
the hash of every file, then waits. Only when no shard reported an error does the parent
tell the shards to write (or, for `--check`, to compare), so a failing compile writes
nothing. The parent then writes `manifest.json` last and removes the files the previous
compile owned that are no longer generated. Small projects run the same shards in this
process, one after the other; the files and their bytes are the same either way.
"""

from __future__ import annotations

import contextlib
import os
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from alur_compiler.backends.base import Artifact, Backend
from alur_compiler.diagnostics import Diagnostics
from alur_compiler.emit import EmitResult, Staleness, compare_files, sha256, write_files
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
    emitted: EmitResult | None = None
    stale: Staleness | None = None


Generator = Callable[[Project, Diagnostics], list[Artifact]]


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


def _finish(out: Path, artifacts: list[Artifact], check: bool) -> EmitResult | Staleness:
    if check:
        return compare_files(out, artifacts)
    return write_files(out, sorted(artifacts, key=lambda a: a.path))


def _merge(outputs: Outputs, part: EmitResult | Staleness, check: bool) -> None:
    if check:
        assert isinstance(part, Staleness) and outputs.stale is not None
        outputs.stale.changed += part.changed
        outputs.stale.missing += part.missing
    else:
        assert isinstance(part, EmitResult) and outputs.emitted is not None
        outputs.emitted.written += part.written
        outputs.emitted.unchanged += part.unchanged


def build_outputs(
    project: Project,
    groups: list[list[Generator]],
    diags: Diagnostics,
    out: Path,
    check: bool,
) -> Outputs | None:
    """Generate every shard; unless there are errors, write or compare the files.

    Returns None when a diagnostic error stopped the compile (nothing was written).
    Raises OSError when the build folder cannot be written.
    """
    jobs = len(project.pipelines) + len(project.ingestions)
    parallel = jobs >= PARALLEL_THRESHOLD and (os.cpu_count() or 1) > 1 and len(groups) > 1
    if parallel and not os.environ.get("ALURC_NO_PARALLEL"):
        return _forked(project, groups, diags, out, check)
    generated = [_generate(project, shard) for shard in groups]
    for _, shard_diags in generated:
        diags.extend(shard_diags)
    if diags.has_errors:
        return None
    result = _empty(check)
    for artifacts, _ in generated:
        _add_hashes(result, {a.path: sha256(a.content) for a in artifacts})
    for artifacts, _ in generated:
        _merge(result, _finish(out, artifacts, check), check)
    return result


def _empty(check: bool) -> Outputs:
    return Outputs(emitted=None if check else EmitResult(), stale=Staleness() if check else None)


# --- forked shards -------------------------------------------------------------------------


def _serve(
    conn: Any,
    inherited: list[Any],
    project: Project,
    shard: list[Generator],
    out: Path,
    check: bool,
) -> None:
    """Body of a shard process: generate, report, then write or compare when told to.

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
        except EOFError:  # the parent gave up (another shard failed): write nothing
            return
        if command == "write":
            try:
                conn.send(("done", _finish(out, artifacts, check)))
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
    project: Project, groups: list[list[Generator]], diags: Diagnostics, out: Path, check: bool
) -> Outputs | None:
    ctx = get_context("fork")
    links: list[tuple[Any, Any]] = []
    for shard in groups:
        parent, child = ctx.Pipe()
        inherited = [parent, *(conn for conn, _ in links)]
        args = (child, inherited, project, shard, out, check)
        proc = ctx.Process(target=_serve, args=args, daemon=True)
        proc.start()
        child.close()
        links.append((parent, proc))
    try:
        shard_outputs: list[ShardOutput] = [_receive(conn, "generated") for conn, _ in links]
        for part in shard_outputs:
            diags.extend(part.diagnostics)
        if diags.has_errors:
            return None  # closing the pipes tells every shard to write nothing
        result = _empty(check)
        for part in shard_outputs:
            _add_hashes(result, part.hashes)
        for conn, _ in links:
            conn.send("write")
        for conn, _ in links:
            _merge(result, _receive(conn, "done"), check)
        return result
    finally:
        for conn, proc in links:
            conn.close()
            proc.join()
