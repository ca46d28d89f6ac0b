"""Every path a Spark file reader is given names one file or folder (alur_runtime/spark_paths.py).

Hadoop's globber reads `* ? [ ] { } \\` in a reader's path as a pattern: a landing file
`orders[1].csv` read `orders1.csv`, and a project folder `shop [copy]` read no bronze
table. The class: every `spark.read....parquet/csv/json/...(path)` of the runtime and of
alurc. The first test checks the sources for a reader call whose path does not come from
`literal` / `readable`; the second that `literal` escapes exactly the glob characters
(Hadoop's unescaping, `\\x` -> `x`, as the oracle); tests/integration/test_odd_paths.py
reads such files with Spark itself.
"""

from __future__ import annotations

import ast
import random
import re
from pathlib import Path

from alur_runtime.spark_paths import literal, readable

ROOT = Path(__file__).resolve().parents[2]
READERS = {"parquet", "csv", "json", "text", "orc", "load", "textFile"}
SAFE = {"literal", "readable"}


def _chain(node: ast.AST) -> list[str]:
    """Names along a call chain, the called one first:
    spark.read.options(...).csv -> [csv, options, read, spark]."""
    out = []
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute):
            out.append(node.attr)
            node = node.value
        else:
            return [*out, node.id] if isinstance(node, ast.Name) else out


def _safe_names(func: ast.AST) -> set[str]:
    """Names assigned from literal(...) / readable(...) anywhere in the function."""
    out = set()
    for node in ast.walk(func):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            callee = node.value.func
            if isinstance(callee, ast.Name) and callee.id in SAFE:
                out |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    return out


def _reader_calls() -> list[tuple[str, int, ast.Call, set[str]]]:
    found = []
    files = sorted((ROOT / "alur_runtime").glob("*.py")) + sorted(
        (ROOT / "alur_compiler").rglob("*.py")
    )
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for func in ast.walk(tree):
            if not isinstance(func, ast.FunctionDef):
                continue
            safe = _safe_names(func)
            for node in ast.walk(func):
                if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                    continue
                chain = _chain(node)
                reader = "read" in chain[1:] or chain[-1] == "reader"  # a DataFrameReader
                if chain[0] in READERS and reader and "write" not in chain:
                    found.append((str(path.relative_to(ROOT)), node.lineno, node, safe))
    return found


def test_every_spark_file_read_names_its_path_literally() -> None:
    calls = _reader_calls()
    assert len(calls) >= 8, calls  # the readers this test knows of: it does find them
    bad = []
    for where, line, call, safe in calls:
        for arg in call.args:
            ok = (
                isinstance(arg, ast.Call) and isinstance(arg.func, ast.Name) and arg.func.id in SAFE
            ) or (isinstance(arg, ast.Name) and arg.id in safe)
            if not ok:
                bad.append(f"{where}:{line}: {ast.unparse(arg)}")
    assert not bad, "Spark reads a path that may be a glob pattern:\n" + "\n".join(bad)


def _hadoop_unescape(pattern: str) -> str:
    """What Hadoop's GlobPattern matches for a pattern without wildcards: `\\x` is `x`."""
    return re.sub(r"\\(.)", r"\1", pattern)


def test_literal_escapes_exactly_the_glob_characters() -> None:
    rng = random.Random(7)
    alphabet = "ab/._-:% #\\*?[]{},!^~é"
    for _ in range(2000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        escaped = literal(text)
        assert _hadoop_unescape(escaped) == text, text
        unescaped = re.sub(r"\\.", "", escaped)  # what is left outside escapes
        assert not set(unescaped) & set("*?[]{}\\"), (text, escaped)


def test_a_local_name_with_a_colon_is_read_through_a_plain_link(tmp_path: Path) -> None:
    odd = tmp_path / "orders 2026-11-03T10:00:00.csv"
    odd.write_text("id\n1\n")
    link = Path(readable(str(odd)))
    assert ":" not in link.name and link.resolve() == odd.resolve()
    assert link.read_text() == "id\n1\n"
    assert readable(str(odd)) == str(link)  # one link per file
    twin = tmp_path / "orders 2026-11-03T10_00_00.csv"  # the same plain name
    twin.write_text("id\n2\n")
    assert Path(readable(str(twin))) == twin  # no colon: the file itself
    other = tmp_path / "sub" / "orders 2026-11-03T10:00:00.csv"
    other.parent.mkdir()
    other.write_text("id\n3\n")
    assert Path(readable(str(other))).read_text() == "id\n3\n"  # names clash: own folder
    assert readable("s3://b/k/t 10:00.csv") == "s3://b/k/t 10:00.csv"  # no link on S3
    assert readable("s3://b/k/o[1].csv") == "s3://b/k/o\\[1\\].csv"  # escaped only


def test_a_local_path_with_a_glob_character_is_read_through_a_plain_link(tmp_path: Path) -> None:
    """A multiLine reader globs the real path again (FileInputFormat): the link's path must
    hold no glob character at all, in its folders or its name."""
    folder = tmp_path / "shop [copy] {x}"
    folder.mkdir()
    for name in ("plain.csv", "o[1].csv", "back\\slash.csv", "star*.csv"):
        f = folder / name
        f.write_text(name)
        got = readable(str(f))
        assert not re.search(r"[\\*?\[\]{}]", got), got
        assert Path(got).read_text() == name
    plain = tmp_path / "plain" / "x.csv"
    plain.parent.mkdir()
    plain.write_text("x")
    assert readable(str(plain)) == str(plain)  # nothing to avoid: the file itself
