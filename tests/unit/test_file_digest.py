"""The runtime's content ids of local landing files (alur_runtime/digest.py): a file is
read once per process while its stat shows no change, and never trusted by its stat when
it changed shortly before it was read. The oracle is hashlib over the bytes on disk now."""

from __future__ import annotations

import hashlib
import os
import random
import time
from pathlib import Path
from typing import Any

import pytest

from alur_runtime import common, digest

#: the test's racy window: several clock ticks, far less than the real 3 s
WINDOW_NS = 100_000_000


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths `file_digest` opened, in order (a fresh memo, a short racy window)."""
    opened: list[str] = []
    real_open = open

    def counting_open(path: str, *args: Any, **kwargs: Any) -> Any:
        opened.append(str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(digest, "open", counting_open, raising=False)
    monkeypatch.setattr(digest, "RACY_NS", WINDOW_NS)
    monkeypatch.setattr(digest, "_READ", {})
    return opened


def _truth(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _settle() -> None:
    time.sleep(WINDOW_NS / 1e9 * 1.5)


def test_an_unchanged_old_file_is_read_once_and_every_change_is_seen(
    tmp_path: Path, reads: list[str]
) -> None:
    f = tmp_path / "orders.csv"
    f.write_bytes(b"id,qty\n1,2\n")
    assert digest.file_digest(str(f)) == _truth(f)
    assert digest.file_digest(str(f)) == _truth(f)
    assert len(reads) == 2  # just written: read every time

    _settle()
    for _ in range(3):
        assert digest.file_digest(str(f)) == _truth(f)
    assert len(reads) == 3  # old enough: read once more, then trusted

    st = f.stat()
    f.write_bytes(b"id,qty\n1,3\n")  # same size, then the old mtime put back
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert f.stat().st_size == st.st_size and f.stat().st_mtime_ns == st.st_mtime_ns
    assert digest.file_digest(str(f)) == _truth(f)  # the ctime moved: read again

    other = tmp_path / "other.csv"
    other.write_bytes(b"id,qty\n9,9\n")
    os.utime(other, ns=(st.st_atime_ns, st.st_mtime_ns))
    _settle()
    assert digest.file_digest(str(f)) == _truth(f)
    os.replace(other, f)  # a same-size file renamed over it: another inode
    assert digest.file_digest(str(f)) == _truth(f)


def test_digests_follow_every_edit_of_a_random_history(tmp_path: Path, reads: list[str]) -> None:
    """Writes of the same or another size, mtimes put back, renames over the file and
    pauses past the window, in random order: every digest is that of the bytes now."""
    rng = random.Random(18)
    files = [tmp_path / f"f{i}.csv" for i in range(3)]
    for f in files:
        f.write_bytes(b"a" * 8)
    spare = tmp_path / "spare"
    for step in range(60):
        f = rng.choice(files)
        op = rng.choice(["same_size", "grow", "utime_back", "rename_over", "pause", "none"])
        st = f.stat()
        if op == "same_size":
            f.write_bytes(bytes(rng.choice(b"abc") for _ in range(st.st_size)))
        elif op == "grow":
            f.write_bytes(f.read_bytes() + b"z")
        elif op == "utime_back":
            f.write_bytes(bytes(rng.choice(b"xyz") for _ in range(st.st_size)))
            os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns))
        elif op == "rename_over":
            spare.write_bytes(bytes(rng.choice(b"pq") for _ in range(st.st_size)))
            os.utime(spare, ns=(st.st_atime_ns, st.st_mtime_ns))
            os.replace(spare, f)
        elif op == "pause":
            _settle()
        for g in files:
            assert digest.file_digest(str(g)) == _truth(g), (step, op, g.name)
    assert len(reads) < 60 * len(files)  # some reads were saved, or this tests nothing


def test_the_looks_of_one_ingestion_read_each_landing_file_once(
    tmp_path: Path, reads: list[str]
) -> None:
    """The settled check, the inputs before and after the run and the ingestion's own
    listing all list the landing files: an old file is read by the first of them only."""
    landing = tmp_path / "landing" / "orders"
    landing.mkdir(parents=True)
    for i in range(4):
        (landing / f"part{i}.csv").write_bytes(b"id\n%d\n" % i)
    sources = [{"path": "orders", "pattern": "*.csv"}]
    args = {"alur_landing": str(tmp_path / "landing")}
    _settle()
    looks = [common.landing_files(sources, args) for _ in range(4)]
    assert all(look == looks[0] for look in looks)
    assert [cid for _, cid in looks[0]] == [
        "sha256:" + _truth(landing / f"part{i}.csv") for i in range(4)
    ]
    assert len(reads) == 4
