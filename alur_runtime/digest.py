"""sha256 of local files, each file read once per process while it does not change.

A local run looks at its landing files up to four times per ingestion (the settled check,
its inputs before the run, the ingestion's own listing, the inputs after the run:
settled.py, bronze.py), and each look needs every file's content id. A file is read again
unless its stat (size, mtime, ctime, inode, device) is the one it had when it was read,
and that read is remembered only for a file whose mtime and ctime were RACY_NS older
than the moment the read began, and whose stat did not change while it was read. Any
later write gives the file a later ctime (no tool can set it back: utime sets ctime to
now), so an unchanged stat means unchanged bytes, as in git's index; a file written just
before or while it was read is read again every time.
"""

from __future__ import annotations

import hashlib
import os
import time

#: a file changed this close before it was read is not trusted by its stat (coarse
#: file-system timestamps: FAT's 2 s; a clock tick on Linux)
RACY_NS = 3_000_000_000
_Stat = tuple[int, int, int, int, int]
#: path -> (stat when read, sha256 hex)
_READ: dict[str, tuple[_Stat, str]] = {}


def _stat(path: str) -> _Stat:
    st = os.stat(path)
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev)


def file_digest(path: str) -> str:
    """sha256 (hex) of a local file's bytes (its content identity)."""
    before = _stat(path)
    seen = _READ.get(path)
    if seen is not None and seen[0] == before:
        return seen[1]
    began = time.time_ns()
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    digest = h.hexdigest()
    old_enough = max(before[1], before[2]) < began - RACY_NS
    if old_enough and _stat(path) == before:
        _READ[path] = (before, digest)
    else:
        _READ.pop(path, None)
    return digest
