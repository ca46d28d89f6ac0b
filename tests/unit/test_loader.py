"""The YAML loader: positions for every value, strict scalars, no silent surprises."""

from __future__ import annotations

from pathlib import Path

from alur_compiler import api
from alur_compiler.diagnostics import Diagnostics
from alur_compiler.load.yaml_loader import parse_documents

TEXT = """\
apiVersion: alur/v1
kind: Pipeline
name: p
country: NO
day: 2026-01-01
ratio: 0.5
sql: |
  SELECT a,
         b
  FROM t
quoted: 'it''s'
"""


def load(text: str) -> tuple[list, Diagnostics]:  # type: ignore[type-arg]
    diags = Diagnostics()
    return parse_documents(text, "p.yaml", "/tmp/p.yaml", diags), diags


def test_values_and_yaml11_surprises() -> None:
    (doc,), diags = load(TEXT)
    assert not diags.items
    assert doc.data["country"] == "NO"  # not False (the Norway problem)
    assert doc.data["day"] == "2026-01-01"  # not a datetime.date
    assert doc.data["ratio"] == 0.5
    assert doc.data["quoted"] == "it's"


def test_positions_of_values_keys_and_inside_block_scalars() -> None:
    (doc,), _ = load(TEXT)
    assert str(doc.span_of("/country")) == "p.yaml:4:10"
    assert str(doc.span_of("/country", key=True)) == "p.yaml:4:1"
    # line 2, column 10 of the SQL is `b`; in the file that is line 9, column 10
    assert str(doc.span_in_scalar("/sql", 2, 10)) == "p.yaml:9:12"
    assert str(doc.span_in_scalar("/quoted", 1, 1)) == "p.yaml:11:10"


def test_duplicate_keys_are_reported_with_the_first_place() -> None:
    _, diags = load("a: 1\nb: 2\na: 3\n")
    (d,) = diags.items
    assert (d.code.code, str(d.span), d.message) == ("AL102", "p.yaml:3:1", "duplicate key 'a'")
    assert [(n, str(s)) for n, s in d.notes] == [("first defined here", "p.yaml:1:1")]


def test_tabs_get_a_hint() -> None:
    _, diags = load("a:\n\tb: 1\n")
    (d,) = diags.items
    assert d.code.code == "AL101" and d.hint is not None and "tabs" in d.hint


def test_binary_file(tmp_path: Path) -> None:
    (tmp_path / "alur.yaml").write_text(
        "apiVersion: alur/v1\nkind: Project\nname: p\nenvironments:\n  dev:\n"
        "    region: eu-west-1\n    buckets: {lake: p-lake, artifacts: p-art, landing: p-land}\n"
    )
    (tmp_path / "contracts").mkdir()
    (tmp_path / "contracts" / "bad.yaml").write_bytes(b"\xff\xfe\x00garbage")
    result = api.load(tmp_path)
    codes = [(d.code.code, d.span.line) for d in result.diagnostics.items]
    assert ("AL104", 1) in codes
    assert result.project is None


def _project(tmp_path: Path, paths: str) -> Path:
    (tmp_path / "alur.yaml").write_text(
        "apiVersion: alur/v1\nkind: Project\nname: p\n"
        f"paths: {paths}\n"
        "environments:\n  dev:\n    region: eu-west-1\n"
        "    buckets: {lake: p-lake, artifacts: p-art, landing: p-land}\n"
    )
    return tmp_path


def test_unusable_paths_entries_are_diagnostics_not_crashes(tmp_path: Path) -> None:
    """Found by `make fuzz`: a NUL byte or a 100,000-character entry in `paths` crashed."""
    long = "x" * 100_000
    result = api.load(_project(tmp_path, f'["\\0", "{long}", "missing"]'))
    found = [(d.code.code, d.span.line) for d in result.diagnostics.items]
    assert found.count(("AL104", 4)) == 2
    assert found.count(("AL107", 4)) == 1
    assert result.project is None


def test_positions_are_found_on_demand_with_parent_fallbacks() -> None:
    text = (
        "columns:\n"
        "  - name: id\n"
        "    type: string\n"
        "  - {name: 'a/b~c', type: int}\n"
        "n: 7\n"
        "n: 8\n"
        "'a/b': x\n"
    )
    (doc,), diags = load(text)
    assert [d.code.code for d in diags.items] == ["AL102"]
    assert doc.data["n"] == 7
    assert str(doc.span_of("/n")) == "p.yaml:5:4"  # the first of duplicate keys
    assert str(doc.span_of("/columns/1/name")) == "p.yaml:4:12"
    assert str(doc.span_of("/a~1b")) == "p.yaml:7:8"  # RFC 6901 escapes
    assert str(doc.span_of("/columns/0/type", key=True)) == "p.yaml:3:5"
    # a missing child, index or key: the nearest parent that exists
    assert str(doc.span_of("/columns/0/nope")) == "p.yaml:2:5"
    assert str(doc.span_of("/columns/9")) == "p.yaml:2:3"
    assert str(doc.span_of("/columns/0", key=True)) == "p.yaml:2:3"  # list item: no key
    assert str(doc.span_of("/missing")) == "p.yaml:1:1"
    # a number is no string: positions inside it fall back to the value
    assert str(doc.span_in_scalar("/n", 1, 3)) == "p.yaml:5:4"
    assert doc.scalar_loc("/n") is None and doc.scalar_loc("/columns/0/name") is not None
