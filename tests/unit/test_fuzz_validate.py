"""Bad input never crashes: mutated specs give located diagnostics, never an exception.

Hypothesis mutates the retail example (deleted, duplicated, renamed and retyped keys,
broken indentation, tabs, wrong types, huge and unicode values, truncation) and runs the
whole front end on it. `make test` runs a few hundred cases; `make fuzz` sets
ALURC_FUZZ_EXAMPLES=10000.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alur_compiler import api
from alur_compiler.diagnostics.render import render_json, render_text

ROOT = Path(__file__).resolve().parents[2]
RETAIL = ROOT / "examples" / "retail"
FILES = sorted(p.relative_to(RETAIL).as_posix() for p in RETAIL.rglob("*.yaml"))
EXAMPLES = int(os.environ.get("ALURC_FUZZ_EXAMPLES", "300"))

weird_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=40),
    st.text(alphabet="ünï©ødé✓😀\u202e\u0000\t", max_size=20),
    st.just("x" * 100_000),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
    st.sampled_from(
        [
            "bronze",
            "silver",
            "Table",
            "int",
            "decimal(99,2)",
            "array<",
            "cron(",
            "SELECT",
            "0 2 * * ? *",
            "../../etc/passwd",
            "{{ ref('x') }}",
        ]
    ),
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*prefix, i))
    return out


def _mutate_data(text: str, data: st.DataObject) -> str:
    try:
        docs = [d for d in yaml.safe_load_all(text) if d is not None]
    except yaml.YAMLError:  # an earlier mutation broke the file: mutate its text instead
        return _mutate_text(text, data)
    if not docs:
        return text
    idx = data.draw(st.integers(0, len(docs) - 1))
    paths = [p for p in _paths(docs[idx]) if p]
    if not paths:
        return text
    path = data.draw(st.sampled_from(paths))
    parent: Any = docs[idx]
    for part in path[:-1]:
        parent = parent[part]
    op = data.draw(st.sampled_from(["delete", "retype", "rename"]))
    key = path[-1]
    if op == "delete":
        del parent[key]
    elif op == "retype":
        parent[key] = data.draw(weird_values)
    elif isinstance(parent, dict):
        parent[data.draw(st.text(min_size=1, max_size=12))] = parent.pop(key)
    return yaml.safe_dump_all(docs, allow_unicode=True, sort_keys=False)


def _mutate_text(text: str, data: st.DataObject) -> str:
    lines = text.splitlines()
    i = data.draw(st.integers(0, max(len(lines) - 1, 0)))
    op = data.draw(
        st.sampled_from(
            ["drop", "dup", "indent", "dedent", "tab", "insert", "truncate", "duplicate_key"]
        )
    )
    if not lines:
        return text
    if op == "drop":
        del lines[i]
    elif op in ("dup", "duplicate_key"):
        lines.insert(i, lines[i])
    elif op == "indent":
        lines[i] = " " * data.draw(st.integers(1, 5)) + lines[i]
    elif op == "dedent":
        lines[i] = lines[i].lstrip()
    elif op == "tab":
        lines[i] = "\t" + lines[i]
    elif op == "insert":
        pos = data.draw(st.integers(0, len(lines[i])))
        junk = data.draw(st.text(max_size=8))
        lines[i] = lines[i][:pos] + junk + lines[i][pos:]
    else:
        return text[: data.draw(st.integers(0, len(text)))]
    return "\n".join(lines) + "\n"


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=EXAMPLES <= 1000,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_mutated_specs_give_located_diagnostics(tmp_path_factory: Any, data: st.DataObject) -> None:
    project = tmp_path_factory.mktemp("fuzz")
    shutil.copytree(
        RETAIL,
        project,
        dirs_exist_ok=True,
        ignore=shutil.ignore_patterns("build", ".alur", "landing"),
    )
    for _ in range(data.draw(st.integers(1, 3))):
        target = project / data.draw(st.sampled_from(FILES))
        text = target.read_text(encoding="utf-8")
        mutate = data.draw(st.sampled_from([_mutate_data, _mutate_text]))
        target.write_text(mutate(text, data), encoding="utf-8")
    result = api.load(project)  # must not raise
    diags = result.diagnostics.sorted()
    assert (result.project is None) == result.diagnostics.has_errors
    for d in diags:
        assert d.span.line >= 1 and d.span.col >= 1, d
        assert d.span.file, d
        assert d.message
    render_text(diags, result.files)
    render_json(diags)
    shutil.rmtree(project, ignore_errors=True)
