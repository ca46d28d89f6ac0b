"""Is the build folder already up to date? Answered from file hashes alone, without parsing.

An unchanged recompile must cost next to nothing: no schema library, no SQL parser, no
backend, not even the CLI framework is imported. After each successful compile alurc
records, in the project's local cache (`.alur/cache/compile.json`, never committed), a hash
over every input byte (alur.yaml, spec files, SQL files) and over alurc itself, plus the
size and modification time of every file it wrote. When all of these still match, there
is nothing to do. The cache is only a shortcut: deleting it costs one full compile.

An input file is read and hashed again unless its stat (size, mtime, ctime, inode,
device) is the one recorded with its hash, and that record was made only for a file whose
ctime was at least RACY_NS older than the moment the compile began (`clock`, the ctime of
a file alurc writes in its cache folder, so the file system's own clock). Any write or
`touch` after that moment gives the file a later ctime, which no tool can set back (utime
sets ctime to now), so an unchanged stat means unchanged bytes, as in git's index; a file
changed just before or during a compile is hashed at the next one.

Only a build folder inside the project (the default PROJECT/build, or `--out` below the
project) is cached. A compile with `--out D` outside the project writes nothing into the
project folder (alurc writes only inside its build folder and its own state), and D holds
exactly the generated files (a cache file there would be a file `--check` and the golden
trees do not expect), so such a compile neither reads nor writes the cache: it always
compiles in full.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
from pathlib import Path
from typing import Any, TypeGuard

import orjson

_PACKAGE = Path(__file__).resolve().parent
#: the job runtime's sources, as ir.runtime.runtime_dir() finds them (not imported here:
#: the `alur_compiler.ir` package costs 20 ms to import; test_fastpath checks they agree)
RUNTIME = _PACKAGE.parent / "alur_runtime"
CACHE = Path(".alur") / "cache" / "compile.json"
CLOCK = Path(".alur") / "cache" / "clock"
#: a file changed this close before the compile began is not trusted by its stat (covers
#: coarse file-system timestamps: FAT's 2 s, a jiffy on Linux)
RACY_NS = 3_000_000_000
Stat = list[int]  # size, mtime_ns, ctime_ns, inode, device


def _tool_hash() -> str:
    """alurc's own code, the job runtime it packs into build/runtime/ and the schemas, by
    path, size and mtime (cheap: no file is read)."""
    from alur_compiler.schema.files import schema_dir

    digest = hashlib.sha256()
    code = sorted(_PACKAGE.rglob("*.py")) + sorted(RUNTIME.rglob("*.py"))  # the wheel
    for path in code + sorted(schema_dir().glob("*.json")):
        st = path.stat()
        digest.update(f"{path}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _project_doc(path: Path) -> object:
    """alur.yaml's first document, or None when it cannot be read within the loader's
    limits (load/limits.py): then the cache misses and the full compile reports why. A
    hostile alur.yaml must not crash or hang this shortcut either."""
    import yaml

    from alur_compiler.load.limits import limits_from_env, needs_prescan, prescan

    limits = limits_from_env()
    try:
        if path.stat().st_size > limits.max_bytes:
            return None
        text = path.read_text(encoding="utf-8")
        if needs_prescan(text, limits) and prescan(text, limits, yaml.SafeLoader) is not None:
            return None
        return next(iter(yaml.safe_load_all(text)), None)
    except (OSError, UnicodeDecodeError, yaml.YAMLError, RecursionError):
        return None


def input_hash(
    root: Path,
    sql_files: list[str],
    known: dict[str, str] | None = None,
    trusted: dict[str, list[Any]] | None = None,
) -> str | None:
    """Hash over alurc, alur.yaml, every discovered spec file and the given SQL files.

    `known` maps root-relative paths to the sha256 (hex) of the bytes the compile read, so
    the cache describes what was compiled even if a file changed in the meantime.
    `trusted` maps paths to [*Stat, sha256] recorded by `remember`: a file whose stat is
    still that one is not read again.
    """
    found = input_digests(root, sql_files, known, trusted)
    return None if found is None else _combined(found)


def _combined(found: list[tuple[str, str, Stat]]) -> str:
    """The input hash: alurc's own code, then each input's path and sha256."""
    digest = hashlib.sha256(_tool_hash().encode())
    for rel, hexdigest, _ in found:
        digest.update(rel.encode() + b"\0" + bytes.fromhex(hexdigest))
    return digest.hexdigest()


def spec_folders(root: Path) -> list[str]:
    """alur.yaml's `paths` (the default ones when it has none or cannot be read)."""
    from alur_compiler.load.spec_paths import DEFAULT_PATHS, PROJECT_FILE

    doc = _project_doc(root / PROJECT_FILE)
    paths = doc.get("paths") if isinstance(doc, dict) else None
    if not _strings(paths):
        return list(DEFAULT_PATHS)
    return list(paths)


def _strings(value: object) -> TypeGuard[list[str]]:
    return isinstance(value, list) and all(isinstance(p, str) for p in value)


def input_digests(
    root: Path,
    sql_files: list[str],
    known: dict[str, str] | None = None,
    trusted: dict[str, list[Any]] | None = None,
    began: list[int | None] | None = None,
    paths: list[str] | None = None,
) -> list[tuple[str, str, Stat]] | None:
    """(path, sha256, stat) of every input, in hashing order; None if one cannot be read.
    Every stat is taken before any file is read. With `began` (a list to fill), `clock`
    is read first when some file has to be read: began[0] then precedes every read.
    `paths`: alur.yaml's `paths` as recorded with the hash being checked, so alur.yaml need
    not be parsed: alur.yaml is an input, so if it changed, its hash and the result do."""
    known = known or {}
    trusted = trusted or {}
    from alur_compiler.load.spec_paths import PROJECT_FILE, spec_names

    base = os.path.join(str(root), "")  # plain strings: these loops run once per input file
    if paths is None:
        paths = spec_folders(root)
    names = [PROJECT_FILE, *spec_names(root, paths)]
    found: list[tuple[str, str | None, Stat]] = []
    try:
        for rel in [*names, *sorted(set(sql_files))]:
            st = os.stat(base + rel)
            now = [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev]
            hexdigest = known.get(rel)
            if hexdigest is None:
                seen = trusted.get(rel)  # [*Stat, sha256]; anything else is ignored
                if isinstance(seen, list) and len(seen) == 6 and seen[:5] == now:
                    hexdigest = seen[5] if _is_sha256(seen[5]) else None
            found.append((rel, hexdigest, now))
        if began is not None and any(h is None for _, h, _ in found):
            began.append(clock(root))
        out: list[tuple[str, str, Stat]] = []
        for rel, hexdigest, now in found:
            if hexdigest is None:
                with open(base + rel, "rb") as handle:
                    hexdigest = hashlib.sha256(handle.read()).hexdigest()
            out.append((rel, hexdigest, now))
    except OSError:
        return None
    return out


def _is_sha256(value: object) -> bool:
    """A hex sha256 as `remember` writes it (a damaged cache entry is a miss, not a crash)."""
    return isinstance(value, str) and _SHA256.fullmatch(value) is not None


_SHA256 = re.compile("[0-9a-f]{64}")


def clock(root: Path) -> int | None:
    """The file system's time now, as the ctime of a file written in alurc's cache folder
    (None when it cannot be written: then no input is trusted by its stat)."""
    path = root / CLOCK
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(str(time.time_ns()).encode())
        return os.stat(path).st_ctime_ns
    except OSError:
        return None


def _stat(path: Path | str) -> list[int]:
    st = os.stat(path)
    return [st.st_size, st.st_mtime_ns]


def cached(root: Path, out: Path) -> bool:
    """Whether compiles of `root` into `out` use the cache: only for `out` inside `root`."""
    return out.resolve().is_relative_to(root.resolve())


def _load_cache(root: Path) -> dict[str, Any]:
    try:
        data = orjson.loads((root / CACHE).read_bytes())  # 5 MB at 10,000 pipelines
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def remember(
    root: Path,
    out: Path,
    sql_files: list[str],
    written: list[str],
    known: dict[str, str] | None = None,
    began: int | None = None,
) -> None:
    """Record a successful compile of `root` into `out` (best effort: never fails a build).

    `known`: root-relative path -> sha256 of the spec files as the compile read them.
    `began`: `clock` when the compile began; inputs whose ctime is RACY_NS older are
    recorded with their stat (see the module docstring).
    Nothing is written for an `out` outside `root` (see the module docstring).
    """
    if not cached(root, out):
        return
    try:
        paths = spec_folders(root)
        found = input_digests(root, sql_files, known, paths=paths)
        if found is not None and began is not None and _changed_since(found, known, began):
            found = None  # hashed now, but it may not be what the compile read: no shortcut
        entry = {
            "input_hash": None if found is None else _combined(found),
            "inputs": {} if found is None or began is None else _old_enough(found, began),
            "sql_files": sorted(sql_files),
            "paths": paths,
            "outputs": {rel: _stat(os.path.join(out, rel)) for rel in sorted(written)},
        }
        cache = _load_cache(root)
        cache[str(out.resolve())] = entry
        _save_cache(root, cache)
    except OSError:
        pass


def _save_cache(root: Path, cache: dict[str, Any]) -> None:
    """Replace compile.json atomically (raises OSError)."""
    (root / CACHE).parent.mkdir(parents=True, exist_ok=True)
    tmp = root / CACHE.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_bytes(orjson.dumps(cache, option=orjson.OPT_SORT_KEYS))
    os.replace(tmp, root / CACHE)


def recorded_outputs(root: Path, out: Path) -> dict[str, object]:
    """path -> [size, mtime_ns] of each file the last recorded compile of `root` wrote into
    `out` ({} when there is none, or `out` is not cached): emit.plan_build does not read a
    file again that still has them."""
    if not cached(root, out):
        return {}
    entry = _load_cache(root).get(str(out.resolve()))
    outputs = entry.get("outputs") if isinstance(entry, dict) else None
    return outputs if isinstance(outputs, dict) else {}


def up_to_date(root: Path, out: Path) -> bool:
    """True when `out` holds exactly what compiling `root` now would write (never for an
    `out` outside `root`: those compiles are not cached)."""
    if not cached(root, out):
        return False
    entry = _load_cache(root).get(str(out.resolve()))
    if not isinstance(entry, dict) or not isinstance(entry.get("outputs"), dict):
        return False
    sql_files = [str(x) for x in entry.get("sql_files", [])]
    trusted = entry.get("inputs")
    trusted = trusted if isinstance(trusted, dict) else {}
    began: list[int | None] = []
    paths = entry.get("paths")
    found = input_digests(
        root, sql_files, trusted=trusted, began=began, paths=paths if _strings(paths) else None
    )
    if found is None or _combined(found) != entry.get("input_hash"):
        return False
    try:
        base = os.path.join(str(out), "")
        if not all(_stat(base + rel) == st for rel, st in entry["outputs"].items()):
            return False
    except OSError:
        return False
    if began and began[0] is not None:  # files read this time: trust those now old enough
        _trust(root, out, entry, found, began[0])
    return True


def _changed_since(
    found: list[tuple[str, str, Stat]], known: dict[str, str] | None, began: int
) -> bool:
    """Whether an input hashed only now (a SQL file: the compile read it earlier) was
    written after the compile began: then the bytes it compiled are not known."""
    known = known or {}
    return any(rel not in known and st[2] >= began for rel, _, st in found)


def _old_enough(found: list[tuple[str, str, Stat]], began: int) -> dict[str, list[Any]]:
    """path -> [*stat, sha256] of the inputs whose mtime and ctime are RACY_NS older than
    `began`: nothing can have changed them since, unseen."""
    return {
        rel: [*st, hexdigest]
        for rel, hexdigest, st in found
        if st[2] < began - RACY_NS and st[1] < began - RACY_NS
    }


def _trust(
    root: Path, out: Path, entry: dict[str, Any], found: list[tuple[str, str, Stat]], began: int
) -> None:
    """Record the stat of every input read by an up-to-date check that is now older than
    the racy window (the same rule as `remember`), so the next check does not read it."""
    trusted = {**(entry.get("inputs") or {}), **_old_enough(found, began)}
    if trusted == entry.get("inputs"):
        return
    try:
        cache = _load_cache(root)
        if cache.get(str(out.resolve())) != entry:
            return  # another compile recorded meanwhile
        cache[str(out.resolve())] = {**entry, "inputs": trusted}
        _save_cache(root, cache)
    except OSError:
        pass
