"""Is the build folder already up to date? Answered from file hashes alone, without parsing.

An unchanged recompile must cost next to nothing: no schema library, no SQL parser, no
backend is imported. The manifest records a hash over every input byte (spec files, SQL
files, alurc's own code and schemas); when that hash and every output file still match,
the compile is skipped.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import yaml

from alur_compiler.emit import MANIFEST

_PACKAGE = Path(__file__).resolve().parent


def _tool_hash() -> str:
    """Hash of alurc's own code and schemas: a new alurc version invalidates every build."""
    from alur_compiler.schema.registry import schema_dir

    digest = hashlib.sha256()
    files = sorted(_PACKAGE.rglob("*.py")) + sorted(schema_dir().glob("*.json"))
    for path in files:
        digest.update(path.relative_to(path.parents[1]).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def input_hash(root: Path, extra_files: list[str]) -> str | None:
    """Hash over alur.yaml, every discovered spec file and the given root-relative files."""
    from alur_compiler.load.discover import DEFAULT_PATHS, PROJECT_FILE, spec_files

    digest = hashlib.sha256(_tool_hash().encode())
    try:
        project_text = (root / PROJECT_FILE).read_bytes()
        doc = next(iter(yaml.safe_load_all(project_text)), None)
    except (OSError, yaml.YAMLError):
        return None
    paths = doc.get("paths") if isinstance(doc, dict) else None
    if not (isinstance(paths, list) and all(isinstance(p, str) for p in paths)):
        paths = list(DEFAULT_PATHS)
    names = [PROJECT_FILE, *sorted(p.relative_to(root).as_posix() for p in spec_files(root, paths))]
    for rel in [*names, *sorted(set(extra_files))]:
        try:
            data = (root / rel).read_bytes()
        except OSError:
            return None
        digest.update(rel.encode() + b"\0" + hashlib.sha256(data).digest())
    return digest.hexdigest()


def up_to_date(root: Path, out: Path) -> bool:
    """True when `out` holds exactly what compiling `root` now would write."""
    try:
        manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(manifest, dict) or not isinstance(manifest.get("input_hash"), str):
        return False
    extra = manifest.get("sql_files", [])
    if input_hash(root, [str(x) for x in extra]) != manifest["input_hash"]:
        return False
    files = manifest.get("files", {})
    for rel, expected in files.items() if isinstance(files, dict) else ():
        try:
            if hashlib.sha256((out / rel).read_bytes()).hexdigest() != expected:
                return False
        except OSError:
            return False
    return True
