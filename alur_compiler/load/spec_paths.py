"""Which files are a project's spec files: alur.yaml's name, the default `paths`, and the
walk below them. Kept apart from discover.py (which parses them) so that the unchanged-
build check (fastpath.py) can list the inputs without importing the YAML loader.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

PROJECT_FILE = "alur.yaml"
DEFAULT_PATHS = ("contracts", "ingestions", "pipelines")
_SKIP_DIRS = {"build", "node_modules", "__pycache__", ".alur", ".git", ".venv"}


def spec_files(root: Path, paths: list[str]) -> list[Path]:
    """All *.yaml / *.yml below the configured folders, sorted, without duplicates.

    A folder that cannot be listed (no permission, not a folder) is returned too, so that
    reading it reports why (`read_text`). Symbolic links to folders are not followed, so a
    loop of them cannot be either. A configured folder may lie outside the project (`../x`,
    or a symbolic link to a folder elsewhere): its files are spec files all the same.
    """
    return [Path(p) for p in sorted(_spec_strings(root, paths))]


def spec_names(root: Path, paths: list[str]) -> list[str]:
    """`spec_files` as sorted paths relative to `root` (`../` for a folder outside it), in
    plain strings: the unchanged-build check lists every input with it (fastpath.py)."""
    base = os.path.join(str(root), "")
    return sorted(
        p[len(base) :] if p.startswith(base) else Path(os.path.relpath(p, root)).as_posix()
        for p in _spec_strings(root, paths)
    )


def _spec_strings(root: Path, paths: list[str]) -> set[str]:
    found: set[str] = set()

    def unlistable(exc: OSError) -> None:
        if exc.errno != errno.ENOENT and exc.filename:  # absent: AL107, or a default path
            found.add(str(Path(exc.filename)))

    for rel in paths:
        base, _ = resolve_entry(root, rel)
        if base is None:
            continue
        if base.is_file():
            found.add(str(base))
            continue
        for dirpath, dirnames, filenames in os.walk(base, onerror=unlistable):
            dirnames[:] = [d for d in dirnames if d not in _SKIP_DIRS and not d.startswith(".")]
            for name in filenames:
                if name.endswith((".yaml", ".yml")):
                    found.add(os.path.join(dirpath, name))
    found.discard(os.path.join(str(root), PROJECT_FILE))  # `root` is resolved
    return found


def find_root(start: Path) -> Path | None:
    """The folder holding alur.yaml: `start` itself or one of its parents."""
    try:
        start = start.resolve()
    except (RuntimeError, OSError, ValueError):  # a symlink loop, a NUL in the name
        return None
    if start.is_file():
        start = start.parent
    for folder in (start, *start.parents):
        if (folder / PROJECT_FILE).is_file():
            return folder
    return None


def resolve_entry(root: Path, rel: str) -> tuple[Path | None, str | None]:
    """`root/rel` resolved, or (None, why not): a NUL, a name too long, a symlink loop."""
    try:
        base = (root / rel).resolve()
        base.exists()
    except RuntimeError:  # Python 3.11 reports a symlink loop in resolve() this way
        return None, "a symbolic link loop"
    except (OSError, ValueError) as exc:
        if isinstance(exc, OSError) and exc.errno == errno.ELOOP:
            return None, "a symbolic link loop"
        return None, None
    return base, None
