"""Paths as Spark's file readers take them: the file or folder named, never a pattern.

`spark.read.csv(path)` (and `.json`, `.parquet`) hands each path to Hadoop's globber,
which reads `* ? [ ] { } \\` as a pattern. A landing file named `orders[1].csv` would read
`orders1.csv` instead, or nothing; a project folder named `shop [copy]` could read no
bronze table at all. `literal` escapes them with Hadoop's escape character, so a reader
gets exactly the path named (and Hadoop looks the path up instead of listing its folder).

Escaping is not always enough. Hadoop's local file system cannot open a file whose name
holds `:` (its checksum file's name `.<name>.crc` does not parse as a relative path), a
common shape for exported files (`orders 2026-11-03T10:00:00.csv`); and a reader that
hands the files it found to Hadoop's `FileInputFormat` (CSV and JSON with `multiLine`)
globs their real paths once more, so a file below `shop [copy]/` matches nothing.
`readable` therefore reads a local file whose path holds a glob character, or whose name
holds `:`, through a symbolic link with a plain path, in a folder of this process's own
that is removed when it exits; the rows' `_source_file` is still the file's own path
(conform.conform_file). On S3 no link can be made: there such a key is escaped only, and
a `multiLine` read of it finds no file (a bad file, never another file's rows).

Every Spark file read of the runtime and of alurc goes through these two functions
(tests/unit/test_spark_paths.py checks the sources for any that does not).
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import tempfile

_GLOB = re.compile(r"([\\*?\[\]{}])")
#: original path -> its link (made once per process)
_LINKS: dict[str, str] = {}
_FOLDER: list[str] = []


def literal(path: str) -> str:
    """`path` with Hadoop's glob characters escaped: it names one file or folder."""
    return _GLOB.sub(r"\\\1", path)


def readable(path: str) -> str:
    """`path` as a Spark reader must be given it: `literal`, and a local file with a glob
    character in its path or `:` in its name through a link with a plain path."""
    if "://" not in path and (":" in os.path.basename(path) or _GLOB.search(path)):
        path = _link(path)
    return literal(path)


def _link(path: str) -> str:
    link = _LINKS.get(path)
    if link is None:
        if not _FOLDER:
            _FOLDER.append(tempfile.mkdtemp(prefix="alur-read-"))
            atexit.register(shutil.rmtree, _FOLDER[0], True)
        folder = os.path.join(_FOLDER[0], str(len(_LINKS)))  # one per file: names may clash
        os.mkdir(folder)
        link = os.path.join(folder, _GLOB.sub("_", os.path.basename(path).replace(":", "_")))
        os.symlink(os.path.abspath(path), link)
        _LINKS[path] = link
    return link
