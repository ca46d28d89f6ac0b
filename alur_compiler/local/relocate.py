"""Relocate a local warehouse that was copied or moved with its project.

Iceberg's Hadoop catalog writes absolute locations into each table's metadata (the table
folder, its metadata log, manifest lists, manifests, data and position-delete files) and
the SQLite state records landing files (and quarantine folders) by absolute path. The
warehouse records where it was created (`WAREHOUSE/.alur-warehouse.json`, session.py);
when that is not where it is now, it is relocated before Spark is used for anything else:

1. `plan_relocation` (no Spark): every Iceberg table of the copy (a folder under
   `iceberg/` holding `metadata/version-hint.text`) whose current metadata is located under
   the old warehouse is to be rewritten; one already located here is skipped (a relocation
   that was interrupted); one located anywhere else stops the run before anything changed.
2. `relocate_tables.rewrite_table` (Spark): Iceberg's `rewrite_table_path` procedure,
   which reads the copy's own files only and stages the rewritten metadata, then installs
   it and checks the table reads the same at its new location.
3. `rewrite_state`: the state's paths under the old warehouse or project root, in one
   SQLite transaction (a second pass finds nothing left to rewrite).
4. The marker is rewritten last: a relocation interrupted anywhere runs again, to
   completion, on the next run. The original's files are never written.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: written into a local warehouse when it is first used: where it and its project are
HOME_MARKER = ".alur-warehouse.json"
#: inside the warehouse: the staged metadata of a relocation in progress
STAGING_DIR = ".alur-relocate"
STATE_FILE = Path("state") / "state.sqlite"


class RelocationError(RuntimeError):
    """A warehouse that cannot be relocated safely; the message says why and what to do."""


@dataclass(frozen=True)
class TableDir:
    """An Iceberg table of the copied warehouse, by its folder and catalog name."""

    folder: Path
    namespace: tuple[str, ...]
    name: str
    location: str  # as its current metadata records it


@dataclass
class Relocation:
    """What a copied warehouse needs: its old and new roots and the tables to rewrite."""

    old: Path
    new: Path
    old_project: Path | None = None
    new_project: Path | None = None
    tables: list[TableDir] = field(default_factory=list)
    done: int = 0  # tables already relocated by an interrupted relocation

    def prefixes(self) -> list[tuple[str, str]]:
        """(old, new) path prefixes for the state, the most specific first."""
        pairs = [(str(self.old), str(self.new))]
        if self.old_project is not None and self.new_project is not None:
            pairs.append((str(self.old_project), str(self.new_project)))
        return sorted(set(pairs), key=lambda p: -len(p[0]))


def read_marker(warehouse: Path) -> dict[str, str] | None:
    """The marker's fields (`root`, `project`), None when absent or unreadable."""
    try:
        doc = json.loads((warehouse / HOME_MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(doc, dict) or not isinstance(doc.get("root"), str):
        return None
    return {k: str(v) for k, v in doc.items() if isinstance(v, str)}


def write_marker(warehouse: Path, project: Path | None) -> None:
    """Record where the warehouse (and its project) is now, atomically."""
    doc = {"root": str(warehouse)} | ({"project": str(project)} if project else {})
    _write_atomic(warehouse / HOME_MARKER, (json.dumps(doc) + "\n").encode("utf-8"))


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-" + path.name)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _under(path: str, root: Path) -> bool:
    text = path.removeprefix("file:").replace("///", "/", 1)
    return text == str(root) or text.startswith(str(root).rstrip("/") + "/")


def _old_project(marker: dict[str, str], home: Path, project: Path | None) -> Path | None:
    """The project root the warehouse was created in: recorded, or (a marker of an older
    alurc) the old warehouse with the warehouse's place in the project taken off."""
    if "project" in marker:
        return Path(marker["project"])
    if project is None or not _under(str(home), project):
        return None
    inside = home.relative_to(project)
    old = Path(marker["root"])
    if old.parts[-len(inside.parts) :] != inside.parts:
        return None
    return Path(*old.parts[: -len(inside.parts)])


def plan_relocation(home: Path, project: Path | None, marker: dict[str, str]) -> Relocation:
    """The relocation a warehouse found at `home` but created at `marker['root']` needs.

    Raises RelocationError, having changed nothing, when a table is located under neither
    root (an absolute location elsewhere) or cannot be read, or when one root holds the
    other.
    """
    old = Path(marker["root"])
    plan = Relocation(old, home, _old_project(marker, home, project), project)
    if _under(str(home), old) or _under(str(old), home):
        raise RelocationError(_refusal(plan, f"one of {old} and {home} is inside the other"))
    for table in find_tables(home / "iceberg"):
        if _under(table.location, home):
            plan.done += 1
        elif _under(table.location, old):
            plan.tables.append(table)
        else:
            raise RelocationError(
                _refusal(plan, f"its table {table.folder} is located at {table.location}")
            )
    return plan


def _refusal(plan: Relocation, why: str) -> str:
    return (
        f"the local warehouse {plan.new} was created at {plan.old} and copied or moved here, "
        f"but it cannot be relocated: {why}; nothing was changed\n"
        f"  hint: delete {plan.new} to rebuild it here from the landing files, or run the "
        "project where it was created"
    )


def find_tables(catalog: Path) -> list[TableDir]:
    """The Iceberg tables of a Hadoop catalog folder, with their current location."""
    if not catalog.is_dir():
        return []
    out: list[TableDir] = []
    for hint in sorted(catalog.rglob("metadata/version-hint.text")):
        folder = hint.parent.parent
        namespace = folder.parent.relative_to(catalog).parts
        try:
            version = hint.read_text(encoding="utf-8").strip()
            meta = folder / "metadata" / f"v{version}.metadata.json"
            location = str(json.loads(meta.read_text(encoding="utf-8"))["location"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise RelocationError(
                f"the Iceberg table {folder} has no readable current metadata ({exc}); "
                "nothing was changed\n"
                f"  hint: copy the project again, whole, or delete {catalog.parent} to "
                "rebuild the warehouse from the landing files"
            ) from None
        if namespace:
            out.append(TableDir(folder, namespace, folder.name, location))
    return out


def rebase(text: str, prefixes: list[tuple[str, str]]) -> str:
    """`text` with a leading old prefix (a whole path component) replaced by the new one."""
    for scheme in ("", "file:", "file://"):
        for old, new in prefixes:
            head = scheme + old
            if text == head or text.startswith(head.rstrip("/") + "/"):
                return scheme + new + text[len(head) :]
    return text


def _rebase_key(sk: str, prefixes: list[tuple[str, str]]) -> str:
    """A sort key `kind#<uri>#...`: its uri part rebased."""
    kind, sep, rest = sk.partition("#")
    return kind + sep + rebase(rest, prefixes) if sep else sk


def rewrite_state(state_file: Path, prefixes: list[tuple[str, str]]) -> int:
    """Rebase the paths in a local state store (sort keys and item values) in one
    transaction; returns how many items changed (0 on a second pass)."""
    if not state_file.is_file():
        return 0
    db = sqlite3.connect(state_file, timeout=30, isolation_level=None)
    try:
        db.execute("BEGIN IMMEDIATE")
        changed = 0
        for pk, sk, body in db.execute("SELECT pk, sk, body FROM state").fetchall():
            item = json.loads(body)
            new_item = {
                k: rebase(v, prefixes) if isinstance(v, str) else v for k, v in item.items()
            }
            new_sk = _rebase_key(sk, prefixes)
            if new_sk == sk and new_item == item:
                continue
            db.execute("DELETE FROM state WHERE pk = ? AND sk = ?", (pk, sk))
            db.execute(
                "INSERT OR REPLACE INTO state (pk, sk, body) VALUES (?, ?, ?)",
                (pk, new_sk, json.dumps(new_item, sort_keys=True)),
            )
            changed += 1
        db.execute("COMMIT")
        return changed
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise
    finally:
        db.close()


def relocate(spark: Any | None, plan: Relocation) -> str:
    """Carry out `plan` in the session `spark`; returns the line said on stderr."""
    from alur_compiler.local.relocate_tables import install_table, stage_table

    for table in plan.tables:  # all staged before any is replaced: a failure changes nothing
        stage_table(spark, plan, table)
    for table in plan.tables:
        install_table(spark, plan, table)
    entries = rewrite_state(plan.new / STATE_FILE, plan.prefixes())
    write_marker(plan.new, plan.new_project)
    _remove_tree(plan.new / STAGING_DIR)
    tables = len(plan.tables) + plan.done
    line = (
        f"relocated the local warehouse from {plan.old} to {plan.new}: "
        f"{tables} table{'s' * (tables != 1)}, {entries} state entr{'ies' if entries != 1 else 'y'}"
    )
    print(line, file=sys.stderr)
    return line


def _remove_tree(folder: Path) -> None:
    import shutil

    shutil.rmtree(folder, ignore_errors=True)
