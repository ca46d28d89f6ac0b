"""The build folder belongs to alurc: it writes there only what it can prove is its own.

A compile writes into a folder that is absent, empty, or carries alurc's manifest:
`manifest.json`, a JSON object with the `alurc` version that wrote it and `files`, the
sha256 of every file alurc wrote there. Before the first write, `plan` reads the folder
and decides for every path: a generated file whose bytes are already there is left alone
(it keeps its mtime); one that is absent is written; one that is there is overwritten only
if its bytes still hash to what the manifest recorded; a file of the last compile that is
no longer generated is deleted only on that same condition. Anything else refuses the
whole compile with a located problem and nothing written: the folder is a symbolic link or
a file, it is not empty and has no manifest, the manifest is not JSON or not alurc's, it
lists a path outside the folder (`..`, absolute), a path crosses a symbolic link, or a
file alurc would overwrite or delete was added or edited by the user. Files alurc would
not touch (say a user's `.gitignore`) stay as they are.

Files are written atomically (a hidden temp file, renamed over), so an interrupted compile
never leaves a half-written file. Before the first write of a compile that changes
anything, the manifest is replaced by a journal: the same marker, `files` with the hashes
of what is in the folder now and `pending` with the hashes about to be written, so that a
compile killed half-way still proves on the next run that every file it wrote is alurc's.
The final manifest, written last, has no `pending`.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from alur_compiler.backends.base import Artifact
from alur_compiler.ir.fingerprint import pretty_json

MANIFEST = "manifest.json"
_SHA256 = re.compile(r"[0-9a-f]{64}")
_TEMP = re.compile(r"\..+\.[0-9]+\.tmp")  # `_write_atomic`'s temp files
#: problems reported one by one; beyond this many files, one line says how many more
MAX_REPORTED = 10

_ELSEWHERE = "choose an empty or new folder with --out"
_NOT_OURS = (
    f"alurc writes only into a new or empty folder or one it compiled into before: {_ELSEWHERE}"
    " (or delete this one, if it holds nothing you need)"
)
_MOVE = "move it out of the build folder (or delete it), then compile again"
_EDITED = (
    "generated files are rewritten by every compile: keep your changes elsewhere, then "
    "delete the file (or restore it) and compile again"
)


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


# --- refusing a folder that is not alurc's ---------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """Why the build folder cannot be written. `folder`: the folder is not alurc's (AL120);
    otherwise one file in it is the user's (AL121)."""

    folder: bool
    path: Path
    message: str
    hint: str
    line: int = 1
    column: int = 1
    text: str | None = None  # the file's text, to show the line


class FolderRefused(Exception):
    """The build folder (or a file in it) is not alurc's: nothing was written."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


def _folder_problem(path: Path, message: str, hint: str = _NOT_OURS, **where: Any) -> Problem:
    return Problem(True, path, message, hint, **where)


def unsafe_path(rel: str) -> bool:
    """Whether `rel` is not a plain relative POSIX path that stays inside the folder."""
    parts = rel.split("/")
    return (
        not rel
        or rel.startswith("/")
        or "\\" in rel
        or "\0" in rel
        or any(p in ("", ".", "..") for p in parts)
    )


def _safe(out: Path, rel: str) -> Path:
    """`out/rel` for a relative POSIX path that stays inside `out` (checked lexically)."""
    if unsafe_path(rel):
        raise ValueError(f"artifact path escapes the build folder: {rel}")
    return out.joinpath(*rel.split("/"))


def check_folder(out: Path) -> bool:
    """Refuse a build folder that is a symbolic link or not a folder; True if it exists.

    `out` must be absolute but not resolved: resolving would follow the link.
    """
    if out.is_symlink():
        target = os.readlink(out)
        raise FolderRefused(
            [
                _folder_problem(
                    out,
                    f"the build folder is a symbolic link (to {target})",
                    "alurc writes only into a real folder: give the folder itself with --out, "
                    f"or {_ELSEWHERE}",
                )
            ]
        )
    if not out.exists():
        return False
    if not out.is_dir():
        raise FolderRefused(
            [
                _folder_problem(
                    out,
                    "the build folder is a file, not a folder",
                    f"{_ELSEWHERE} (or delete the file, if you do not need it)",
                )
            ]
        )
    return True


def _line_of(text: str, needle: str) -> int:
    at = text.find(needle)
    return text.count("\n", 0, at) + 1 if at >= 0 else 1


def _hashes(
    doc: dict[str, Any], key: str, path: Path, text: str, required: bool
) -> dict[str, str] | Problem:
    value = doc.get(key)
    if value is None and not required:
        return {}
    foreign = _folder_problem(
        path,
        f"{MANIFEST} was not written by alurc: it has no `{key}` object of sha256 hashes",
        text=text,
        line=_line_of(text, f'"{key}"'),
    )
    if not isinstance(value, dict):
        return foreign
    hashes: dict[str, str] = {}
    for rel, digest in value.items():
        if not unsafe_path(rel) and isinstance(digest, str) and _SHA256.fullmatch(digest):
            hashes[rel] = digest
            continue
        line = _line_of(text, json.dumps(rel))
        if unsafe_path(rel):
            return _folder_problem(
                path,
                f"{MANIFEST} lists {rel!r}, a path outside the build folder: alurc never wrote it",
                f"alurc reads, writes and deletes nothing outside the build folder; {_NOT_OURS}",
                text=text,
                line=line,
            )
        return _folder_problem(
            path,
            f"{MANIFEST} lists {rel!r} without a sha256 hash: it was not written by alurc",
            text=text,
            line=line,
        )
    return hashes


def read_manifest(out: Path) -> dict[str, set[str]] | None:
    """path -> the hashes alurc recorded for it (`files` and a journal's `pending`).

    None when there is no manifest; raises FolderRefused for one that is not alurc's.
    """
    path = out / MANIFEST
    try:
        st = path.lstat()
    except FileNotFoundError:
        return None
    if not stat.S_ISREG(st.st_mode):
        kind = "a symbolic link" if stat.S_ISLNK(st.st_mode) else "not a file"
        message = f"{MANIFEST} is {kind}: alurc never writes one"
        raise FolderRefused([_folder_problem(path, message)])
    try:
        text = path.read_bytes().decode("utf-8")  # OSError: reported as AL108 by the caller
    except UnicodeDecodeError:
        raise FolderRefused([_folder_problem(path, f"{MANIFEST} is not UTF-8 text")]) from None
    try:
        doc = json.loads(text)
    except ValueError as exc:
        at = exc if isinstance(exc, json.JSONDecodeError) else None
        problem = _folder_problem(
            path,
            f"{MANIFEST} is not valid JSON ({at.msg if at else exc}): it was not written by alurc, "
            "or it was damaged",
            text=text,
            line=at.lineno if at else 1,
            column=at.colno if at else 1,
        )
        raise FolderRefused([problem]) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("alurc"), str):
        raise FolderRefused(
            [
                _folder_problem(
                    path,
                    f"{MANIFEST} was not written by alurc: it has no `alurc` version",
                    text=text,
                )
            ]
        )
    files = _hashes(doc, "files", path, text, required=True)
    pending = _hashes(doc, "pending", path, text, required=False)
    for part in (files, pending):
        if isinstance(part, Problem):
            raise FolderRefused([part])
    owned: dict[str, set[str]] = {}
    for part in (files, pending):
        assert isinstance(part, dict)
        for rel, digest in part.items():
            owned.setdefault(rel, set()).add(digest)
    return owned


def _listing(out: Path, names: list[str]) -> str:
    shown = [n + ("/" if (out / n).is_dir() and not (out / n).is_symlink() else "") for n in names]
    more = f" and {len(names) - 3} more" if len(names) > 3 else ""
    return ", ".join(shown[:3]) + more


# --- the plan ---------------------------------------------------------------------------------


@dataclass
class Plan:
    """What a compile will do in the build folder, decided before the first write."""

    out: Path
    generated: dict[str, str]  # every file of this compile (manifest too) -> sha256
    write: list[str] = field(default_factory=list)  # absent, or alurc's with other bytes
    missing: list[str] = field(default_factory=list)  # the absent ones among `write`
    unchanged: list[str] = field(default_factory=list)  # the bytes are there already
    remove: list[str] = field(default_factory=list)  # alurc's, no longer generated
    present: dict[str, str] = field(default_factory=dict)  # alurc's files there now -> sha256

    def staleness(self) -> Staleness:
        missing = set(self.missing)
        return Staleness(
            changed=[p for p in self.write if p not in missing],
            missing=list(self.missing),
            extra=list(self.remove),
        )


class _Folders:
    """What each folder on the way to a file is, by lstat (a link is never followed)."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.state: dict[str, tuple[str, str]] = {"": ("dir", "")}

    def __call__(self, rel_dir: str) -> tuple[str, str]:
        """("dir" | "absent" | "link" | "file", the folder that decided it)."""
        known = self.state.get(rel_dir)
        if known is not None:
            return known
        parent = rel_dir.rpartition("/")[0]
        above = self(parent)
        if above[0] != "dir":
            result = above
        else:
            try:
                mode = os.lstat(self.out / rel_dir).st_mode
            except FileNotFoundError:
                mode = None
            if mode is None:
                result = ("absent", rel_dir)
            elif stat.S_ISLNK(mode):
                result = ("link", rel_dir)
            elif stat.S_ISDIR(mode):
                result = ("dir", rel_dir)
            else:
                result = ("file", rel_dir)
        self.state[rel_dir] = result
        return result


def _read_hash(path: Path) -> str:
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    with os.fdopen(fd, "rb") as fh:
        return sha256(fh.read())


def plan_build(
    out: Path, generated: dict[str, str], recorded: Mapping[str, object] | None = None
) -> Plan:
    """Decide every write and delete in `out`, or raise FolderRefused (nothing is written).

    `out` is absolute and resolved; `generated` maps every file of this compile, the
    manifest included, to the sha256 of its bytes. `recorded` (fastpath's record of the
    last compile) maps a path to the [size, mtime_ns] its file had when the manifest's
    hash of it was true: a file that still has them, and one hash in the manifest, is
    not read again (an unchanged recompile of 10,000 jobs would read 300 MB).
    """
    recorded = recorded or {}
    result = Plan(out, generated)
    exists = check_folder(out)
    owned = read_manifest(out) if exists else None
    if owned is None:
        entries = sorted(n for n in os.listdir(out) if not _TEMP.fullmatch(n)) if exists else []
        if entries:
            raise FolderRefused(
                [
                    _folder_problem(
                        out,
                        f"the build folder is not empty and has no {MANIFEST} of alurc "
                        f"(found {_listing(out, entries)})",
                    )
                ]
            )
        # a new or empty folder: nothing to read, everything to write
        result.write = sorted(generated)
        result.missing = list(result.write)
        return result
    folders = _Folders(out)
    problems: list[Problem] = []
    files: list[Problem] = []
    reported: set[str] = set()

    def blocked(rel: str, writing: bool) -> bool:
        """Whether a folder on the way to `rel` stops it; reports a link or a file once."""
        kind, where = folders(rel.rpartition("/")[0])
        if kind in ("dir", "absent"):
            return kind == "absent"
        if where not in reported:
            reported.add(where)
            path = out / where
            if kind == "link":
                problems.append(
                    _folder_problem(
                        path,
                        f"{where} is a symbolic link (to {os.readlink(path)}): alurc does not "
                        "write or delete through links",
                        f"remove the link, or {_ELSEWHERE}",
                    )
                )
            elif writing:
                files.append(
                    Problem(False, path, f"{where} is a file where alurc writes a folder", _MOVE)
                )
        return True

    def claim(rel: str, verb: str) -> str | None:
        """The sha256 of the file at `rel` if it is alurc's, "" when absent, None (and a
        problem reported) when it is not alurc's."""
        path = out / rel
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            return ""
        mode = st.st_mode
        if stat.S_ISLNK(mode):
            problems.append(
                _folder_problem(
                    path,
                    f"{rel} is a symbolic link (to {os.readlink(path)}): alurc never writes "
                    f"one, and would {verb} it",
                    f"remove the link, or {_ELSEWHERE}",
                )
            )
            return None
        if not stat.S_ISREG(mode):
            if verb == "delete":
                return ""  # not alurc's file any more, and never deleted: nothing to do
            kind = "a folder" if stat.S_ISDIR(mode) else "not a regular file"
            files.append(Problem(False, path, f"{rel} is {kind}: alurc would {verb} it", _MOVE))
            return None
        mine = owned.get(rel, set())
        same = recorded.get(rel) == [st.st_size, st.st_mtime_ns] and len(mine) == 1
        digest = next(iter(mine)) if same else _read_hash(path)
        if digest == generated.get(rel) or digest in mine or rel == MANIFEST:
            return digest
        if mine:
            message = f"{rel} was changed since alurc wrote it: compiling would {verb} it"
            files.append(Problem(False, path, message, _EDITED))
        else:
            message = f"{rel} was not written by alurc: compiling would {verb} it"
            files.append(Problem(False, path, message, _MOVE))
        return None

    for rel in sorted(generated):
        if blocked(rel, writing=True):
            result.write.append(rel)
            result.missing.append(rel)
            continue
        digest = claim(rel, "overwrite")
        if digest == "":
            result.write.append(rel)
            result.missing.append(rel)
        if not digest:
            continue
        result.present[rel] = digest
        (result.unchanged if digest == generated[rel] else result.write).append(rel)
    for rel in sorted(set(owned) - set(generated)):
        if blocked(rel, writing=False):
            continue
        digest = claim(rel, "delete")
        if digest:
            result.present[rel] = digest
            result.remove.append(rel)
    if problems or files:
        shown = files[:MAX_REPORTED]
        if len(files) > MAX_REPORTED:
            more = len(files) - MAX_REPORTED
            message = f"... and {more} more files in the build folder that alurc did not write"
            shown.append(Problem(False, out, message, _MOVE))
        raise FolderRefused(problems + shown)
    return result


# --- writing ----------------------------------------------------------------------------------


def _write_atomic(path: Path, content: bytes) -> None:
    """Write a new hidden temp file next to `path` (this process's own), then rename it over.

    The temp file is created exclusively: an existing file of that name (or a link) is
    never opened, truncated or deleted.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    for attempt in range(100):  # a killed compile's leftover may hold this pid's name
        tmp = path.with_name(f".{path.name}.{os.getpid()}{attempt or ''}.tmp")
        try:
            fd = os.open(tmp, flags, 0o666)
            break
        except FileExistsError:
            continue
    else:
        raise FileExistsError(f"100 temp files next to {path} exist already")
    try:
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


def write_files(out: Path, artifacts: Iterable[Artifact]) -> EmitResult:
    """Write each artifact atomically, in the given order (`plan` decided which ones)."""
    result = EmitResult()
    folders: set[Path] = set()
    for art in artifacts:
        path = _safe(out, art.path)
        if path.parent not in folders:
            path.parent.mkdir(parents=True, exist_ok=True)
            folders.add(path.parent)
        _write_atomic(path, art.content)
        result.written.append(art.path)
    return result


def begin(out: Path, todo: Plan, version: str) -> bool:
    """Before the first write: record in the manifest what will be written (the journal).

    Not needed (False) when at most the manifest itself changes.
    """
    if not ({*todo.write} - {MANIFEST} or todo.remove):
        return False
    journal = {
        "alurc": version,
        "files": dict(sorted(todo.present.items())),
        "pending": {rel: todo.generated[rel] for rel in todo.write if rel != MANIFEST},
    }
    write_files(out, [Artifact(MANIFEST, json_bytes(journal))])
    return True


def remove_files(out: Path, rels: list[str]) -> list[str]:
    """Delete files `plan` proved are alurc's, then the folders they leave empty."""
    removed: list[str] = []
    for rel in rels:
        path = _safe(out, rel)
        path.unlink(missing_ok=True)
        removed.append(rel)
        _prune(out, path.parent)
    return removed


def _prune(out: Path, folder: Path) -> None:
    while folder != out and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent
