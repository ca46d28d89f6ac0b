"""Resolving many paths that share a few folders."""

from __future__ import annotations

import os
from pathlib import Path


class Realpath:
    """`str(Path(p).resolve())`, with each folder resolved once: thousands of pipelines
    share a few folders, and resolving walks (lstat) every component of a path. The last
    component is checked on its own: a link there is resolved in full, like `resolve`."""

    def __init__(self) -> None:
        self.folders: dict[str, str] = {}

    def __call__(self, path: str) -> str:
        folder, name = os.path.split(os.path.join(os.getcwd(), path))
        if name in ("", ".", ".."):
            return str(Path(path).resolve())
        real = self.folders.get(folder)
        if real is None:
            real = self.folders[folder] = str(Path(folder).resolve())
        found = os.path.join(real, name)
        return str(Path(found).resolve()) if os.path.islink(found) else found
