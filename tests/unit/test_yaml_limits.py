"""Limits before composing (load/limits.py): size, nesting, nodes after alias expansion.

Each test lowers a limit through its environment variable, so the hostile inputs stay tiny
and the tests take milliseconds; benchmarks/hostile/ runs the full-size ones in `alurc`.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from alur_compiler import api
from alur_compiler.diagnostics import Diagnostics
from alur_compiler.load.limits import (
    SAFE_COMPOSE_DEPTH,
    Limits,
    limits_from_env,
    needs_prescan,
    nesting_bound,
    prescan,
)
from alur_compiler.load.yaml_loader import _Loader, parse_documents

PROJECT = (
    "apiVersion: alur/v1\nkind: Project\nname: p\n{extra}environments:\n  dev:\n"
    "    region: eu-west-1\n    buckets: {{lake: p-lake, artifacts: p-art, landing: p-land}}\n"
)


def parse(text: str, limits: Limits | None = None) -> tuple[list[object], list[tuple[str, str]]]:
    diags = Diagnostics()
    docs = parse_documents(text, "f.yaml", "/tmp/f.yaml", diags, limits)
    return list(docs), [(d.code.code, f"{d.span}: {d.message}") for d in diags.items]


def laughs(levels: int) -> str:
    lines = ["a0: &a0 [" + ", ".join(["lol"] * 10) + "]"]
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    return "\n".join(lines) + "\n"


def depth_of(text: str) -> int:
    depth = deepest = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            deepest = max(deepest, depth)
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
    return deepest


def test_billion_laughs_is_rejected_at_the_alias_that_crosses_the_budget() -> None:
    docs, found = parse(laughs(9))  # 10^9 values once built
    assert docs == []
    (code, text), *rest = found
    assert not rest
    assert code == "AL111"
    # a0..a4 expand to 123,455 values; the first *a4 of line 6 crosses 200,000
    assert text.startswith("f.yaml:6:10: this file expands to more than 200,000 YAML values")
    assert "through aliases" in text


def test_alias_budget_counts_aliases_times_what_they_refer_to() -> None:
    text = "a: &x [1, 2, 3]\nb: [*x, *x]\n"  # map, 2 keys, 2 lists, 3 + 2 x 4: 16 expanded
    assert parse(text, Limits(max_nodes=16))[1] == []
    docs, found = parse(text, Limits(max_nodes=15))
    assert docs == [] and found[0][0] == "AL111" and found[0][1].startswith("f.yaml:2:9:")


def test_anchors_within_budget_load_and_expand() -> None:
    (doc,), found = parse("a: &x {k: [1, 2]}\nb: *x\nc: [*x, *x]\n")
    assert found == []
    assert doc.data == {"a": {"k": [1, 2]}, "b": {"k": [1, 2]}, "c": [{"k": [1, 2]}] * 2}


def test_recursive_alias_is_a_diagnostic_not_an_endless_expansion() -> None:
    docs, found = parse("a: &x [1, *x, *x]\n")
    assert docs == []
    assert found == [
        (
            "AL105",
            "f.yaml:1:11: alias *x refers to a collection that contains it (a recursive structure)",
        )
    ]


@pytest.mark.parametrize(
    "text",
    ["a: " + "[" * 70 + "]" * 70 + "\n", "a:\n" + "- " * 70 + "x\n"],
    ids=["flow", "block"],
)
def test_nesting_past_the_limit_has_one_message_before_and_after_composing(text: str) -> None:
    """Below SAFE_COMPOSE_DEPTH the builder checks; above it the pre-scan: same diagnostic."""
    assert not needs_prescan(text, Limits())
    _, built = parse(text)
    assert built and built[0][0] == "AL110" and "nesting deeper than 64 levels" in built[0][1]
    scanned = prescan(text, Limits(), _Loader)
    assert scanned is not None
    assert (scanned.code.code, scanned.message) == ("AL110", "nesting deeper than 64 levels")
    assert f"f.yaml:{scanned.line}:{scanned.col}: {scanned.message}" == built[0][1]


def test_deep_nesting_past_what_the_c_composer_survives_is_never_composed() -> None:
    text = "[" * 30_000 + "]" * 30_000  # the C composer segfaults on this
    assert needs_prescan(text, Limits())
    docs, found = parse(text)
    assert docs == [] and found == [("AL110", "f.yaml:1:65: nesting deeper than 64 levels")]
    block = "- " * 30_000 + "x\n"
    assert parse(block)[1] == [("AL110", "f.yaml:1:129: nesting deeper than 64 levels")]


def test_exactly_the_limit_loads() -> None:
    (_doc,), found = parse("[" * 64 + "1" + "]" * 64)
    assert found == []
    (_, found2) = parse("[" * 5 + "]" * 5, Limits(max_depth=4))
    assert [c for c, _ in found2] == ["AL110"]


def test_a_large_legal_file_loads() -> None:
    """50,000 columns-worth of values (~1.4 MB) is legal: no limit is near."""
    rows = "".join(f"  - {{name: c{i}, type: string}}\n" for i in range(20_000))
    text = "columns:\n" + rows
    assert len(text) > 500_000
    (doc,), found = parse(text)
    assert found == [] and len(doc.data["columns"]) == 20_000


def test_node_budget_counts_plain_values_too() -> None:
    text = "a: [" + ", ".join(["1"] * 100) + "]\n"
    assert parse(text, Limits(max_nodes=103))[1] == []  # map, key, list, 100 numbers
    assert [c for c, _ in parse(text, Limits(max_nodes=102))[1]] == ["AL111"]


nested = st.recursive(
    st.one_of(st.integers(), st.text(alphabet="ab[]{}-:?&*! #'\"\n", max_size=6)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text("abc", max_size=3), inner, max_size=3)
    ),
    max_leaves=30,
)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(value=nested, flow=st.sampled_from([None, False, True]), indent=st.integers(2, 6))
def test_nesting_bound_is_an_upper_bound(value: object, flow: bool | None, indent: int) -> None:
    text = yaml.safe_dump(value, default_flow_style=flow, indent=indent, allow_unicode=True)
    assert depth_of(text) <= nesting_bound(text)


def test_environment_knobs(monkeypatch: pytest.MonkeyPatch) -> None:
    assert limits_from_env({}) == Limits()
    env = {"ALURC_MAX_FILE_BYTES": "1_000", "ALURC_YAML_MAX_DEPTH": "9999"}
    assert limits_from_env(env) == Limits(max_bytes=1000, max_depth=256)
    assert limits_from_env({"ALURC_YAML_MAX_NODES": "lots"}) == Limits()  # ignored
    assert limits_from_env({"ALURC_YAML_MAX_NODES": "0"}).max_nodes == 1
    monkeypatch.setenv("ALURC_YAML_MAX_NODES", "10")
    assert [c for c, _ in parse("a: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\n")[1]] == ["AL111"]
    assert SAFE_COMPOSE_DEPTH > 256


def _project(root: Path, extra: str = "") -> Path:
    (root / "alur.yaml").write_text(PROJECT.format(extra=extra), encoding="utf-8")
    (root / "contracts").mkdir()
    return root


def _found(root: Path) -> list[tuple[str, str]]:
    cwd = os.getcwd()
    os.chdir(root)
    try:
        result = api.load(Path("."))
    finally:
        os.chdir(cwd)
    return [(d.code.code, f"{d.span}: {d.message}") for d in result.diagnostics.sorted()]


def test_a_file_past_the_size_limit_is_never_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _project(tmp_path)
    (root / "contracts" / "big.yaml").write_text("a: " + "x" * 5000 + "\n", encoding="utf-8")
    monkeypatch.setenv("ALURC_MAX_FILE_BYTES", "4096")
    found = _found(root)
    assert found == [
        ("AL109", "contracts/big.yaml:1:1: file is 4.9 KiB; spec files may be at most 4.0 KiB")
    ]


def test_symlink_loops_and_special_files_are_located_diagnostics(tmp_path: Path) -> None:
    root = _project(tmp_path, 'paths: [contracts, loop, "fifo"]\n')
    (root / "loop").symlink_to("loop")
    os.mkfifo(root / "fifo")
    contracts = root / "contracts"
    (contracts / "self.yaml").symlink_to("self.yaml")
    (contracts / "dangling.yaml").symlink_to("nowhere.yaml")
    (contracts / "zero.yaml").symlink_to("/dev/zero")
    (contracts / "sub").mkdir()
    (contracts / "sub" / "up").symlink_to("..", target_is_directory=True)  # a folder loop
    found = _found(root)
    assert found == [
        ("AL104", "alur.yaml:4:20: paths entry 'loop' is a symbolic link loop"),
        (
            "AL104",
            "contracts/dangling.yaml:1:1: cannot read: no such file (a dangling symbolic link?)",
        ),
        ("AL104", "contracts/self.yaml:1:1: cannot read: symbolic link loop"),
        ("AL104", "contracts/zero.yaml:1:1: not a regular file (a device, a pipe or a socket)"),
        ("AL104", "fifo:1:1: not a regular file (a device, a pipe or a socket)"),
    ]
