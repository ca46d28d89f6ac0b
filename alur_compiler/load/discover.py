"""Find a project's spec files from its alur.yaml and load them in a stable order."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from alur_compiler.diagnostics import Diagnostics, Span, codes
from alur_compiler.load.source import SourceDoc
from alur_compiler.load.yaml_loader import parse_documents

PROJECT_FILE = "alur.yaml"
DEFAULT_PATHS = ("contracts", "ingestions", "pipelines")
_SKIP_DIRS = {"build", "node_modules", "__pycache__", ".alur", ".git", ".venv"}


@dataclass
class LoadedProject:
    root: Path
    project_doc: SourceDoc | None
    docs: list[SourceDoc] = field(default_factory=list)  # every non-project document
    files: dict[str, str] = field(default_factory=dict)  # display path -> text (for rendering)
    digests: dict[str, str] = field(default_factory=dict)  # absolute path -> sha256 of bytes


def find_root(start: Path) -> Path | None:
    """The folder holding alur.yaml: `start` itself or one of its parents."""
    start = start.resolve()
    if start.is_file():
        start = start.parent
    for folder in (start, *start.parents):
        if (folder / PROJECT_FILE).is_file():
            return folder
    return None


def _display(path: Path, cwd: str) -> str:
    """`path` (in a resolved folder) relative to the resolved `cwd` when inside it.

    Only a symlinked file needs resolving: its folder came resolved from `spec_files`.
    """
    real = os.path.realpath(path) if os.path.islink(path) else str(path)
    if real.startswith(cwd + os.sep):
        return Path(real[len(cwd) + 1 :]).as_posix()
    return Path(real).as_posix()


def read_text(
    path: Path, shown: str, diags: Diagnostics, digests: dict[str, str] | None = None
) -> str | None:
    """The UTF-8 text of a spec file; `digests[str(path)]` gets the sha256 of its bytes."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        diags.report(codes.FILE_UNREADABLE, f"cannot read file: {exc.strerror}", Span(shown, 1, 1))
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


def spec_files(root: Path, paths: list[str]) -> list[Path]:
    """All *.yaml / *.yml below the configured folders, sorted, without duplicates."""
    found: set[Path] = set()
    for rel in paths:
        base = usable_folder(root, rel)
        if base is None:
            continue
        if base.is_file():
            found.add(base)
            continue
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = [d for d in dirnames if d not in _SKIP_DIRS and not d.startswith(".")]
            for name in filenames:
                if name.endswith((".yaml", ".yml")):
                    found.add(Path(dirpath) / name)
    found.discard((root / PROJECT_FILE).resolve())
    return sorted(found, key=lambda p: p.as_posix())


def usable_folder(root: Path, rel: str) -> Path | None:
    """`root/rel` resolved, or None when it cannot name a file or folder (NUL, too long)."""
    try:
        base = (root / rel).resolve()
        base.exists()
    except (OSError, ValueError):
        return None
    return base


def _check_paths(doc: SourceDoc | None, root: Path, diags: Diagnostics) -> None:
    """Explicitly configured `paths` entries must exist (the defaults may be absent)."""
    if doc is None or not isinstance(doc.data, dict) or not isinstance(doc.data.get("paths"), list):
        return
    for i, rel in enumerate(doc.data["paths"]):
        if not isinstance(rel, str):
            continue
        base = usable_folder(root, rel)
        shown = rel if len(rel) <= 60 else rel[:57] + "..."
        if base is not None and not base.exists():
            diags.report(
                codes.MISSING_PATH,
                f"paths entry {shown!r} does not exist (yet): no specs are read from it",
                doc.span_of(f"/paths/{i}"),
                hint="create the folder, or fix the name (paths are relative to alur.yaml)",
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
    project_path = root / PROJECT_FILE
    loaded = LoadedProject(root=root, project_doc=None)
    cwd = os.path.realpath(os.getcwd())
    shown = _display(project_path, cwd)
    text = read_text(project_path, shown, diags, loaded.digests)
    if text is not None:
        loaded.files[shown] = text
        docs = parse_documents(text, shown, str(project_path), diags)
        for doc in docs:
            if doc.kind == "Project" and loaded.project_doc is None:
                loaded.project_doc = doc
            else:
                loaded.docs.append(doc)
    _check_paths(loaded.project_doc, root, diags)
    for path in spec_files(root, _configured_paths(loaded.project_doc)):
        shown = _display(path, cwd)
        text = read_text(path, shown, diags, loaded.digests)
        if text is None:
            continue
        loaded.files[shown] = text
        loaded.docs.extend(parse_documents(text, shown, str(path), diags))
    return loaded
