"""Bad input never crashes: mutated specs give located diagnostics, never an exception.

Hypothesis mutates the retail example (deleted, duplicated, renamed and retyped keys,
broken indentation, tabs, wrong types, huge and unicode values, truncation) and runs the
whole front end on it. `make test` runs a few hundred cases; `make fuzz` sets
ALURC_FUZZ_EXAMPLES=10000.
"""

from __future__ import annotations

import json
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


# --- hostile inputs: names, paths, arguments, YAML structure ------------------------------
# A small project (not the retail copy) keeps these fast: `make test` runs EXAMPLES // 3 of
# the spec cases and EXAMPLES // 10 of the CLI cases, `make fuzz` the same shares of 10,000.

HOSTILE_EXAMPLES = max(EXAMPLES // 3, 20)
CLI_EXAMPLES = max(EXAMPLES // 10, 10)

SMALL_PROJECT = {
    "alur.yaml": "apiVersion: alur/v1\nkind: Project\nname: fuzz\n{paths}environments:\n"
    "  dev:\n    region: eu-west-1\n"
    "    buckets: {{lake: f-dev-lake, artifacts: f-dev-art, landing: f-dev-land}}\n",
    "contracts/raw.yaml": "apiVersion: alur/v1\nkind: Table\nname: {name}\nlayer: bronze\n"
    "columns:\n  - name: {column}\n    type: string\ndescription: {value}\n",
    "ingestions/load.yaml": "apiVersion: alur/v1\nkind: Ingestion\nname: load_raw\n"
    "target: {name}\nsource_system: s\nsources: [{{path: raw/, format: csv}}]\n"
    "schedule:\n  cron: {cron}\n",
}

hostile_strings = st.one_of(
    st.text(max_size=30),
    st.text(
        alphabet="\x1b\x07\r\n\x00\u202e\u2028\u200b\ufeff\x7f\x9b²３ıaZ_0/.:#*&!%${}'\"\\",
        max_size=20,
    ),
    st.sampled_from(
        [
            "",
            "x" * 5000,
            "../../etc/passwd",
            "${jndi:ldap://x}",
            "%{x}",
            "'; DROP TABLE t; --",
            "\x1b]0;owned\x07",
            "orders\u202eslr",
            "０ ２ * * ? *",
            "0 ²2 * * ? *",
            "0/1 * * * ? *",
            "0 9 ? * 2#1,6#3 *",
            "null",
            "~",
            "NO",
        ]
    ),
)


def _deep_flow(n: int) -> str:
    return "[" * n + "]" * n


def _laughs(levels: int, width: int) -> str:
    items = ["&l0 [" + ", ".join(["lol"] * width) + "]"]
    items += [f"&l{i} [" + ", ".join([f"*l{i - 1}"] * width) + "]" for i in range(1, levels)]
    return "[" + ", ".join(items) + "]"


hostile_yaml = st.one_of(
    st.builds(_deep_flow, st.sampled_from([10, 63, 64, 65, 500, 5000, 30_000])),
    st.builds(lambda n: "\n" + "  - " * 1 + "- " * n + "x", st.sampled_from([10, 70, 30_000])),
    st.builds(_laughs, st.integers(1, 9), st.integers(2, 10)),
    st.builds(
        lambda k: (
            "{a: &b [" + ", ".join(map(str, range(300))) + "], c: [" + ", ".join(["*b"] * k) + "]}"
        ),
        st.sampled_from([1, 10, 1000, 20_000]),
    ),
    st.sampled_from(
        [
            "&r [1, *r]",
            "&m {k: *m}",
            "*undefined",
            "[&a 1, &a 2, *a]",
            "!!python/object/apply:os.system ['echo pwned']",
            "!!python/name:os.system",
            "!!python/object:__main__.X {a: 1}",
            "!custom {a: 1}",
            "!!binary aGk=",
            "!!set {a, b}",
            "!!omap [a: 1]",
            "!!timestamp 2001-12-14",
            "!<tag:yaml.org,2002:str> x",
            "{<<: {a: 1}}",
            "? [complex, key]\n  : v",
            "|\n  \x1b[31mred",
            '"\\e[2J\\u202e\\0"',
            "'unterminated",
            "[1, 2",
            "\t- tab",
        ]
    ),
)


def _write_small(root: Path, fields: dict[str, str]) -> None:
    for rel, template in SMALL_PROJECT.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(template.format(**fields), encoding="utf-8")


def _special_paths(root: Path, data: st.DataObject) -> list[str]:
    """Entries for `paths:`, some of them made hostile on disk."""
    chosen = data.draw(
        st.lists(
            st.sampled_from(
                [
                    "contracts",
                    "ingestions",
                    "loop",
                    "dangling",
                    "fifo",
                    "zero",
                    "up",
                    "./",
                    "\x00",
                    "x" * 5000,
                    "contracts/../contracts",
                    "/nonexistent",
                    "contracts/sub/up",
                ]
            ),
            min_size=1,
            max_size=5,
        )
    )
    # ".." itself would walk every other example's project: "up" leaves and comes back
    chosen = [f"../{root.name}" if name == "up" else name for name in chosen]
    made = {"loop": ("loop", "loop"), "dangling": ("nowhere", "dangling")}
    for name in chosen:
        if name in made and not (root / name).is_symlink():
            (root / made[name][1]).symlink_to(made[name][0])
        elif name == "fifo" and not (root / "fifo").exists():
            os.mkfifo(root / "fifo")
        elif name == "zero" and not (root / "contracts" / "zero.yaml").is_symlink():
            (root / "contracts" / "zero.yaml").symlink_to("/dev/zero")
        elif name == "contracts/sub/up" and not (root / "contracts" / "sub").exists():
            (root / "contracts" / "sub").mkdir()
            (root / "contracts" / "sub" / "up").symlink_to("..", target_is_directory=True)
    return chosen


def _check_result(result: Any) -> None:
    diags = result.diagnostics.sorted()
    assert (result.project is None) == result.diagnostics.has_errors
    assert not any(d.code.code == "AL901" for d in diags)
    for d in diags:
        assert d.span.line >= 1 and d.span.col >= 1, d
        assert d.span.file and d.message, d
    from alur_compiler.diagnostics.render import _UNSAFE, render_github

    for text in (render_text(diags, result.files), render_github(diags)):
        assert not any(_UNSAFE.search(line) for line in text.split("\n"))
    render_json(diags)


@settings(
    max_examples=HOSTILE_EXAMPLES,
    deadline=None,
    derandomize=EXAMPLES <= 1000,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_hostile_names_paths_and_yaml_never_crash(
    tmp_path_factory: Any, data: st.DataObject
) -> None:
    root = tmp_path_factory.mktemp("hostile")
    quote = lambda s: json.dumps(s)  # noqa: E731 - a valid YAML double-quoted scalar
    fields = {
        "name": quote(data.draw(hostile_strings)) if data.draw(st.booleans()) else "raw",
        "column": quote(data.draw(hostile_strings)) if data.draw(st.booleans()) else "id",
        "value": data.draw(hostile_yaml)
        if data.draw(st.booleans())
        else quote(data.draw(hostile_strings)),
        "cron": quote(data.draw(hostile_strings)) if data.draw(st.booleans()) else '"0 2 * * ? *"',
        "paths": "",
    }
    _write_small(root, {**fields, "paths": ""})
    if data.draw(st.booleans()):
        entries = _special_paths(root, data)
        fields["paths"] = "paths: " + json.dumps(entries) + "\n"
        (root / "alur.yaml").write_text(SMALL_PROJECT["alur.yaml"].format(**fields), "utf-8")
    if data.draw(st.booleans()):  # the hostile structure in alur.yaml itself
        with open(root / "alur.yaml", "a", encoding="utf-8") as out:
            out.write("---\nextra: " + data.draw(hostile_yaml) + "\n")
    _check_result(api.load(root))
    shutil.rmtree(root, ignore_errors=True)


cli_args = st.lists(
    st.one_of(
        st.sampled_from(
            [
                "validate",
                "compile",
                "graph",
                "lineage",
                "--format",
                "json",
                "github",
                "text",
                "--check",
                "--out",
                "--env",
                "dev",
                "--debug",
                "-h",
                "--local",
                "mermaid",
                "dot",
            ]
        ),
        hostile_strings.filter(lambda s: "\x00" not in s),
    ),
    max_size=5,
)


@settings(
    max_examples=CLI_EXAMPLES,
    deadline=None,
    derandomize=EXAMPLES <= 1000,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(args=cli_args, hostile_dir=st.booleans())
def test_hostile_cli_arguments_never_crash(
    tmp_path_factory: Any, args: list[str], hostile_dir: bool
) -> None:
    """Whatever the arguments: a usage error (2) or a result (0/1), never AL901 (3)."""
    from typer.testing import CliRunner

    from alur_compiler.cli.app import app

    root = tmp_path_factory.mktemp("cli")
    _write_small(
        root, {"name": "raw", "column": "id", "value": "x", "cron": '"0 2 * * ? *"', "paths": ""}
    )
    folder = str(root) if not hostile_dir else str(root / "contracts" / "raw.yaml")
    if args and args[0] in ("validate", "graph", "lineage"):
        args = [args[0], folder, *args[1:]]
    if args and args[0] == "compile":
        args = ["compile", folder, "--check", *[a for a in args[1:] if a != "--out"]]
    result = CliRunner().invoke(app, args, catch_exceptions=True)
    assert result.exit_code != 3, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
