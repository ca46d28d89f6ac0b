"""Deterministic writer for the build folder, with a manifest of content hashes.

Files are written atomically (temp file + rename) and only when their bytes change, so an
interrupted compile never leaves a half-written file and unchanged files keep their mtime.
Files a previous compile wrote that are no longer generated are removed; files alurc did
not write are never touched.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from alur_compiler.backends.base import Artifact
from alur_compiler.ir.fingerprint import pretty_json

MANIFEST = "manifest.json"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def json_bytes(value: Any) -> bytes:
    return pretty_json(value)


@dataclass
class EmitResult:
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


@dataclass
class Staleness:
    changed: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)

    @property
    def stale(self) -> bool:
        return bool(self.changed or self.missing or self.extra)


def previous_files(out: Path) -> dict[str, str]:
    """path -> hash of what the last compile wrote (empty when there is no manifest)."""
    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
        files = data.get("files", {})
        return {str(k): str(v) for k, v in files.items()} if isinstance(files, dict) else {}
    except (OSError, ValueError):
        return {}


def _write_atomic(path: Path, content: bytes) -> None:
    """Write a hidden temp file next to `path` (this process's own), then rename it over."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o666)
        try:
            view = memoryview(content)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _safe(out: Path, rel: str) -> Path:
    """`out/rel` for a relative POSIX path that stays inside `out` (checked lexically)."""
    parts = rel.split("/")
    if not rel or rel.startswith("/") or any(p in ("", ".", "..") for p in parts):
        raise ValueError(f"artifact path escapes the build folder: {rel}")
    return out.joinpath(*parts)


def write_files(out: Path, artifacts: list[Artifact]) -> EmitResult:
    """Write each artifact atomically, in the given order, unless its bytes are there."""
    result = EmitResult()
    folders: dict[Path, bool] = {}  # folder -> created by this call (so it holds no file yet)
    for art in artifacts:
        path = _safe(out, art.path)
        created = folders.get(path.parent)
        if created is None:
            created = not path.parent.is_dir()
            path.parent.mkdir(parents=True, exist_ok=True)
            folders[path.parent] = created
        try:
            if not created and path.read_bytes() == art.content:
                result.unchanged.append(art.path)
                continue
        except OSError:
            pass  # not there yet (or unreadable): write it
        _write_atomic(path, art.content)
        result.written.append(art.path)
    return result


def remove_stale(out: Path, old: dict[str, str], current: set[str]) -> list[str]:
    """Delete the files of `old` (the previous manifest) that are no longer generated."""
    removed: list[str] = []
    for rel in sorted(set(old) - current):
        path = _safe(out, rel)
        if path.is_file():
            path.unlink()
            removed.append(rel)
            _prune(out, path.parent)
    return removed


def _prune(out: Path, folder: Path) -> None:
    while folder != out and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


def compare_files(out: Path, artifacts: list[Artifact]) -> Staleness:
    """The artifacts whose file differs or is missing (no `extra`: see `extra_files`)."""
    report = Staleness()
    for art in sorted(artifacts, key=lambda a: a.path):
        path = out / art.path
        if not path.is_file():
            report.missing.append(art.path)
        elif path.read_bytes() != art.content:
            report.changed.append(art.path)
    return report


def extra_files(out: Path, current: set[str]) -> list[str]:
    """Files the last compile wrote that would no longer be generated."""
    return sorted(p for p in previous_files(out) if p not in current and (out / p).is_file())
