"""Find a project's spec files from its alur.yaml and load them in a stable order."""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from alur_compiler.diagnostics import Diagnostics, Span, codes
from alur_compiler.load.limits import ENV_MAX_BYTES, Limits, limits_from_env
from alur_compiler.load.parse_cache import parse_cached
from alur_compiler.load.source import SourceDoc
from alur_compiler.load.spec_paths import (
    DEFAULT_PATHS,
    PROJECT_FILE,
    resolve_entry,
    spec_files,
)
from alur_compiler.load.yaml_loader import parse_documents

#: Where `alurc test` finds `kind: Test` documents besides any inside `paths`.
TEST_PATHS = ("tests",)


@dataclass
class LoadedProject:
    root: Path
    project_doc: SourceDoc | None
    docs: list[SourceDoc] = field(default_factory=list)  # every non-project document
    tests: list[SourceDoc] = field(default_factory=list)  # `kind: Test` ones (alurc test)
    files: dict[str, str] = field(default_factory=dict)  # display path -> text (for rendering)
    digests: dict[str, str] = field(default_factory=dict)  # absolute path -> sha256 of bytes


def _display(path: Path, cwd: str) -> str:
    """`path` (in a resolved folder) relative to the resolved `cwd` when inside it.

    Only a symlinked file needs resolving: its folder came resolved from `spec_files`.
    """
    real = os.path.realpath(path) if os.path.islink(path) else str(path)
    if real != str(path) and not os.path.isfile(real):
        real = str(path)  # a dangling link, a loop, a device: name the link itself
    if real.startswith(cwd + os.sep):
        return Path(real[len(cwd) + 1 :]).as_posix()
    return Path(real).as_posix()


def _unreadable(exc: OSError, folder: bool = False) -> tuple[str, str | None]:
    """Message and hint for a file or folder that cannot be opened."""
    if exc.errno == errno.ELOOP:
        return (
            "cannot read: symbolic link loop",
            "a symbolic link points (through others) back at itself; fix or remove it",
        )
    if exc.errno == errno.ENOENT:
        return "cannot read: no such file (a dangling symbolic link?)", None
    return f"cannot {'list folder' if folder else 'read file'}: {exc.strerror}", None


def read_text(
    path: Path,
    shown: str,
    diags: Diagnostics,
    digests: dict[str, str] | None = None,
    limits: Limits | None = None,
) -> str | None:
    """The UTF-8 text of a spec file; `digests[str(path)]` gets the sha256 of its bytes.

    Only regular files are read (a FIFO or /dev/zero would block or never end), and only
    when `stat` says they fit the size limit (AL109), so a huge file is never read.
    """
    limits = limits or limits_from_env()
    try:
        info = os.stat(path)
        if stat.S_ISDIR(info.st_mode):  # a folder spec_files could not list
            os.scandir(path).close()  # raises why (or it is listable by now: nothing to read)
            return None
        if not stat.S_ISREG(info.st_mode):
            diags.report(
                codes.FILE_UNREADABLE,
                "not a regular file (a device, a pipe or a socket)",
                Span(shown, 1, 1),
                hint="spec files are plain YAML files",
            )
            return None
        if info.st_size > limits.max_bytes:
            _too_large(shown, info.st_size, limits, diags)
            return None
        with open(path, "rb") as handle:
            data = handle.read(limits.max_bytes + 1)
    except OSError as exc:
        message, hint = _unreadable(exc, os.path.isdir(path))
        diags.report(codes.FILE_UNREADABLE, message, Span(shown, 1, 1), hint=hint)
        return None
    if len(data) > limits.max_bytes:  # it grew after stat
        _too_large(shown, len(data), limits, diags)
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        diags.report(
            codes.FILE_UNREADABLE,
            f"not UTF-8 text (byte {exc.start})",
            Span(shown, 1, 1),
            hint="save the file as UTF-8",
        )
        return None
    if "\x00" in text:
        diags.report(codes.FILE_UNREADABLE, "file contains NUL bytes", Span(shown, 1, 1))
        return None
    if digests is not None:
        digests[str(path)] = hashlib.sha256(data).hexdigest()
    return text


def _too_large(shown: str, size: int, limits: Limits, diags: Diagnostics) -> None:
    diags.report(
        codes.FILE_TOO_LARGE,
        f"file is {_size(size)}; spec files may be at most {_size(limits.max_bytes)}",
        Span(shown, 1, 1),
        hint=f"split it into several files (limit: {ENV_MAX_BYTES}, in bytes)",
    )


def _size(n: int) -> str:
    if n >= 1 << 20:
        return f"{n / (1 << 20):.1f} MiB"
    return f"{n:,} bytes" if n < 1 << 10 else f"{n / (1 << 10):.1f} KiB"


def _check_paths(doc: SourceDoc | None, root: Path, diags: Diagnostics) -> None:
    """Explicitly configured `paths` entries must exist (the defaults may be absent)."""
    if doc is None or not isinstance(doc.data, dict) or not isinstance(doc.data.get("paths"), list):
        return
    for i, rel in enumerate(doc.data["paths"]):
        if not isinstance(rel, str):
            continue
        base, why = resolve_entry(root, rel)
        shown = rel if len(rel) <= 60 else rel[:57] + "..."
        if base is not None and not base.exists():
            diags.report(
                codes.MISSING_PATH,
                f"paths entry {shown!r} does not exist (yet): no specs are read from it",
                doc.span_of(f"/paths/{i}"),
                hint="create the folder, or fix the name (paths are relative to alur.yaml)",
            )
        elif base is None and why is not None:
            diags.report(
                codes.FILE_UNREADABLE,
                f"paths entry {shown!r} is {why}",
                doc.span_of(f"/paths/{i}"),
                hint="a symbolic link points (through others) back at itself; fix or remove it",
            )
        elif base is None:
            diags.report(
                codes.FILE_UNREADABLE,
                f"paths entry {shown!r} is not a file or folder",
                doc.span_of(f"/paths/{i}"),
                hint="paths lists folders (or files) relative to alur.yaml",
            )


def _configured_paths(doc: SourceDoc | None) -> list[str]:
    if doc is not None and isinstance(doc.data, dict):
        paths = doc.data.get("paths")
        if isinstance(paths, list) and all(isinstance(p, str) for p in paths):
            return [str(p) for p in paths]
    return list(DEFAULT_PATHS)


def load_project_files(root: Path, diags: Diagnostics) -> LoadedProject:
    """Read alur.yaml and every spec file it points at. Reports, never raises."""
    root = root.resolve()
    limits = limits_from_env()
    project_path = root / PROJECT_FILE
    loaded = LoadedProject(root=root, project_doc=None)
    cwd = os.path.realpath(os.getcwd())
    shown = _display(project_path, cwd)
    text = read_text(project_path, shown, diags, loaded.digests, limits)
    if text is not None:
        loaded.files[shown] = text
        docs = parse_documents(text, shown, str(project_path), diags, limits)
        for doc in docs:
            if doc.kind == "Project" and loaded.project_doc is None:
                loaded.project_doc = doc
            else:
                loaded.docs.append(doc)
    _check_paths(loaded.project_doc, root, diags)
    for path in spec_files(root, _configured_paths(loaded.project_doc)):
        shown = _display(path, cwd)
        text = read_text(path, shown, diags, loaded.digests, limits)
        if text is None:
            continue
        loaded.files[shown] = text
        digest = loaded.digests.get(str(path))
        for doc in parse_cached(text, shown, str(path), diags, limits, digest):
            (loaded.tests if doc.kind == "Test" else loaded.docs).append(doc)
    return loaded


def load_test_files(loaded: LoadedProject, diags: Diagnostics) -> list[SourceDoc]:
    """The `kind: Test` documents below TEST_PATHS (and any already met inside `paths`),
    in file order. Every document of a file below TEST_PATHS is returned, so one of
    another kind (or with a misspelt kind) can be reported."""
    tests = list(loaded.tests)
    seen = {doc.abspath for doc in tests} | {doc.abspath for doc in loaded.docs}
    cwd = os.path.realpath(os.getcwd())
    for path in spec_files(loaded.root, [p for p in TEST_PATHS if (loaded.root / p).exists()]):
        if str(path) in seen:
            continue
        shown = _display(path, cwd)
        text = read_text(path, shown, diags, loaded.digests)
        if text is None:
            continue
        loaded.files[shown] = text
        tests += parse_documents(text, shown, str(path), diags)
    return tests
