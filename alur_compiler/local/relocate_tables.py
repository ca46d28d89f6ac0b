"""The Iceberg part of a relocation (relocate.py), one table at a time, with Iceberg's own
`rewrite_table_path` procedure (Iceberg >= 1.8; outputs `latest_version`, the new current
version file's name, and `file_list_location`, a CSV folder of (staged file, final
location) pairs).

The procedure reads a table's metadata by the paths recorded in it, which name the old
warehouse: that may be gone (a moved project) and is never to be written. So it runs on a
catalog of its own, a Hadoop catalog on the OLD warehouse whose file system (Hadoop's
ViewFileSystemOverloadScheme on `file:`) maps the old warehouse folder onto the copy and
every other path onto the local disk as usual: it reads the copy's bytes by their
recorded names and writes only into the staging folder, inside the copy.

Per table, in `WAREHOUSE/.alur-relocate/<namespace>/<table>/`: `staged/` (what the
procedure wrote), `ready.json` (the pairs to install and what the table read before,
written once the procedure's file list is read) and `backup/` (each replaced file as it
was). Each staged file replaces its final location (temp file + rename, with its Hadoop
`.crc`), the table's current version file last, so a table whose current metadata names
the new location is completely installed. A crash before `ready.json` stages again; after
it, installs again from the same staged files. Then the table is read at its new location
(a plain catalog on the copy) and must show the same snapshot ids, rows and data and
delete files as before; otherwise the backup is put back and the run stops.
"""

from __future__ import annotations

import csv
import itertools
import json
import shutil
from pathlib import Path
from typing import Any

from alur_compiler.local.relocate import STAGING_DIR, Relocation, RelocationError, TableDir
from alur_compiler.local.relocate import _write_atomic as write_atomic

_COUNTER = itertools.count(1)
#: characters the procedure cannot take in a prefix (it matches some as a regex)
_UNSAFE = set('\\^$|?*+()[]{}"\n\r')


def _work(plan: Relocation, table: TableDir) -> Path:
    return plan.new / STAGING_DIR / Path(*table.namespace) / table.name


def stage_table(spark: Any, plan: Relocation, table: TableDir) -> None:
    """Stage one table's rewritten metadata, unless a previous relocation already did."""
    for root in (plan.old, plan.new):
        if _UNSAFE & set(str(root)):
            why = f"the path {root} has a character Iceberg's path rewrite cannot take"
            raise RelocationError(_failed(plan, table, why))
    work = _work(plan, table)
    if not (work / "ready.json").is_file():
        shutil.rmtree(work, ignore_errors=True)
        _stage(spark, plan, table, work)


def install_table(spark: Any, plan: Relocation, table: TableDir) -> None:
    """Put a staged table in place and check it reads as before (or put it back)."""
    work = _work(plan, table)
    job = json.loads((work / "ready.json").read_text(encoding="utf-8"))
    pairs = [(Path(s), Path(f)) for s, f in job["pairs"]]
    _install(pairs, Path(job["current"]), work / "backup", plan.new)
    try:
        after = facts(spark, _ident(catalog(spark, plan.new / "iceberg"), table))
    except Exception as exc:  # unreadable at its new place: put back below
        after = {"error": _first_line(exc)}
    located = _location(table)
    if after != job["facts"] or located != job["location"]:
        _restore(work / "backup", plan.new, Path(job["current"]))
        why = f"after the rewrite it read {after} at {located}, before {job['facts']}"
        raise RelocationError(_failed(plan, table, why))


def _stage(spark: Any, plan: Relocation, table: TableDir, work: Path) -> None:
    """Run the procedure on the mapped catalog; write `ready.json` from its file list."""
    source = catalog(spark, plan.old / "iceberg", mapped=(plan.old, plan.new))
    staged = work / "staged"
    call = (
        f"CALL {source}.system.rewrite_table_path(table => {_lit(_name(table))}, "
        f"source_prefix => {_lit(str(plan.old))}, target_prefix => {_lit(str(plan.new))}, "
        f"staging_location => {_lit(str(staged) + '/')})"
    )
    try:  # a file missing from the copy, one outside the prefix, statistics files
        before = facts(spark, _ident(source, table))
        row = spark.sql(call).collect()[0]
    except Exception as exc:  # Spark's or Iceberg's words, without the Java trace
        why = f"Iceberg could not read or rewrite it: {_first_line(exc)}"
        raise RelocationError(_failed(plan, table, why)) from None
    pairs = _file_list(Path(_local(str(row["file_list_location"]))))
    current = table.folder / "metadata" / str(row["latest_version"])
    install: list[tuple[str, str]] = []
    for src, dst in pairs:
        final = Path(_local(dst))
        if not _inside(final, plan.new):
            raise RelocationError(_failed(plan, table, f"it names {dst} outside the copy"))
        if _inside(Path(_local(src)), staged):
            install.append((_local(src), str(final)))
        elif not final.is_file():  # a data file: already in the copy, same relative place
            raise RelocationError(_failed(plan, table, f"its file {final} is missing"))
    if str(current) not in {f for _, f in install}:
        raise RelocationError(_failed(plan, table, f"no rewritten {current.name} was staged"))
    job = {"pairs": sorted(install), "current": str(current), "facts": before}
    job["location"] = str(plan.new) + table.location[len(str(plan.old)) :]
    write_atomic(work / "ready.json", (json.dumps(job, indent=1) + "\n").encode("utf-8"))


def _install(pairs: list[tuple[Path, Path]], current: Path, backup: Path, root: Path) -> None:
    last = [p for p in pairs if p[1] == current]
    for staged, final in [p for p in pairs if p[1] != current] + last:
        for src, dst in ((_crc(staged), _crc(final)), (staged, final)):
            saved = backup / dst.relative_to(root)
            if dst.is_file() and not saved.exists():
                write_atomic(saved, dst.read_bytes())
            if src.is_file():
                write_atomic(dst, src.read_bytes())
            else:
                dst.unlink(missing_ok=True)


def _restore(backup: Path, root: Path, current: Path) -> None:
    """Put the saved files back, the current version file first (the table is then
    located at the old place again and the next run tries anew)."""
    saved = sorted(p for p in backup.rglob("*") if p.is_file())
    first = [p for p in saved if root / p.relative_to(backup) in (current, _crc(current))]
    for path in first + [p for p in saved if p not in first]:
        write_atomic(root / path.relative_to(backup), path.read_bytes())


def facts(spark: Any, ident: str) -> dict[str, Any]:
    """What a relocated table must still read: snapshot ids, rows, data and delete files."""
    snapshots = spark.sql(f"SELECT snapshot_id FROM {ident}.snapshots").collect()
    rows = spark.sql(f"SELECT count(*) AS n FROM {ident}").collect()[0]["n"]
    files = spark.sql(f"SELECT count(*) AS n FROM {ident}.all_files").collect()[0]["n"]
    return {
        "snapshots": sorted(int(r[0]) for r in snapshots),
        "rows": int(rows),
        "files": int(files),
    }


def catalog(spark: Any, warehouse: Path, mapped: tuple[Path, Path] | None = None) -> str:
    """Register a Hadoop catalog on `warehouse` in this session; returns its name. With
    `mapped` (old, new) its file system reads and writes old's paths in new."""
    name = f"alur_relocate_{next(_COUNTER)}"
    key = f"spark.sql.catalog.{name}"
    conf = {
        key: "org.apache.iceberg.spark.SparkCatalog",
        f"{key}.type": "hadoop",
        f"{key}.warehouse": str(warehouse),
        f"{key}.cache-enabled": "false",
    }
    if mapped is not None:
        old, new = mapped
        hadoop = f"{key}.hadoop.fs"
        conf |= {
            f"{hadoop}.file.impl": "org.apache.hadoop.fs.viewfs.ViewFileSystemOverloadScheme",
            f"{hadoop}.file.impl.disable.cache": "true",
            f"{hadoop}.viewfs.overload.scheme.target.file.impl": (
                "org.apache.hadoop.fs.LocalFileSystem"
            ),
            f"{hadoop}.viewfs.mounttable.default.link.{old}": new.as_uri(),
            f"{hadoop}.viewfs.mounttable.default.linkFallback": "file:///",
        }
    for k, v in conf.items():
        spark.conf.set(k, v)
    return name


def _file_list(where: Path) -> list[tuple[str, str]]:
    """The procedure's file list: one CSV file (Iceberg 1.10) or a folder of parts."""
    parts = sorted(where.glob("part-*")) if where.is_dir() else [where]
    pairs: list[tuple[str, str]] = []
    for part in parts:
        with part.open(encoding="utf-8", newline="") as fh:
            pairs.extend((r[0], r[1]) for r in csv.reader(fh, escapechar="\\") if len(r) == 2)
    return pairs


def _location(table: TableDir) -> str:
    meta = table.folder / "metadata"
    version = (meta / "version-hint.text").read_text(encoding="utf-8").strip()
    return str(json.loads((meta / f"v{version}.metadata.json").read_text("utf-8"))["location"])


def _local(path: str) -> str:
    text = path.removeprefix("file:")
    return "/" + text.lstrip("/") if text.startswith("/") else text


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def _crc(path: Path) -> Path:
    return path.with_name(f".{path.name}.crc")


def _name(table: TableDir) -> str:
    return ".".join("`" + p.replace("`", "``") + "`" for p in (*table.namespace, table.name))


def _ident(catalog_name: str, table: TableDir) -> str:
    return f"{catalog_name}.{_name(table)}"


def _lit(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:300] if text else type(exc).__name__


def _failed(plan: Relocation, table: TableDir, why: str) -> str:
    return (
        f"the local warehouse {plan.new} was created at {plan.old} and copied or moved here, "
        f"but its table {table.folder} could not be relocated: {why}\n"
        f"  hint: delete {plan.new} to rebuild it here from the landing files, or run the "
        "project where it was created"
    )
