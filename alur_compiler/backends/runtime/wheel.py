"""Build the `alur_runtime` wheel byte-deterministically (no setuptools, no clock).

A wheel is a zip (PEP 427): the package files, then `<name>-<version>.dist-info/` with
METADATA, WHEEL and RECORD (each file's sha256, urlsafe base64 without padding, and
size). Determinism: entries in sorted order, every timestamp 1980-01-01 00:00:00 (the
zip epoch), fixed permissions (0644), no compression (ZIP_STORED: deflate output may vary
between zlib builds; the runtime is small), no extra fields or comments. The same runtime
sources give the same bytes in any folder, on any machine, at any time.

The wheel declares no dependencies on purpose: Glue 5.0 ships PySpark and boto3, and a
`Requires-Dist: pyspark` would make `--additional-python-modules` pip-install a second
Spark on every job start.
"""

from __future__ import annotations

import base64
import hashlib
import io
import zipfile
from functools import cache
from pathlib import Path

from alur_compiler.ir.runtime import PACKAGE, TAG, runtime_dir, runtime_version, wheel_file

EPOCH = (1980, 1, 1, 0, 0, 0)


def _files(folder: Path) -> list[tuple[str, bytes]]:
    """(archive path, bytes) of every source file of the package, sorted."""
    out = []
    for path in sorted(folder.rglob("*")):
        shipped = path.suffix == ".py" or path.name == "py.typed"
        if shipped and path.is_file() and "__pycache__" not in path.parts:
            out.append((path.relative_to(folder.parent).as_posix(), path.read_bytes()))
    return out


def _digest(data: bytes) -> str:
    raw = hashlib.sha256(data).digest()
    return "sha256=" + base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _metadata(version: str) -> bytes:
    lines = [
        "Metadata-Version: 2.1",
        f"Name: {PACKAGE.replace('_', '-')}",
        f"Version: {version}",
        "Summary: The job runtime of alurc pipelines (AWS Glue 5.0 and local Spark)",
        "Requires-Python: >=3.11",
        "",
    ]
    return "\n".join(lines).encode("utf-8")


def _wheel_file() -> bytes:
    lines = ["Wheel-Version: 1.0", "Generator: alurc", "Root-Is-Purelib: true", f"Tag: {TAG}"]
    return ("\n".join(lines) + "\n").encode("utf-8")


def build_wheel(folder: Path | None = None) -> tuple[str, bytes]:
    """(file name, bytes) of the runtime wheel built from `folder` (default: alur_runtime)."""
    folder = folder or runtime_dir()
    return _build(folder, _fingerprint(folder))


def _fingerprint(folder: Path) -> tuple[tuple[str, int, int], ...]:
    """What the cache below keys on: each file's path, size and mtime."""
    return tuple(
        (str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in sorted(folder.rglob("*.py"))
    )


@cache
def _build(folder: Path, _key: tuple[tuple[str, int, int], ...]) -> tuple[str, bytes]:
    version = runtime_version(folder)
    info = f"{PACKAGE}-{version}.dist-info"
    entries = _files(folder)
    entries += [(f"{info}/METADATA", _metadata(version)), (f"{info}/WHEEL", _wheel_file())]
    record = "".join(f"{path},{_digest(data)},{len(data)}\n" for path, data in entries)
    entries.append((f"{info}/RECORD", (record + f"{info}/RECORD,,\n").encode("utf-8")))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for path, data in entries:
            member = zipfile.ZipInfo(path, date_time=EPOCH)
            member.external_attr = 0o100644 << 16
            member.create_system = 3  # unix, whatever the building machine
            archive.writestr(member, data)
    return wheel_file(version), buffer.getvalue()
