"""Every CLI argument that names something gets the same text for a near miss (issue 14.6).

The test enumerates every command and parameter of the real Typer app. Each parameter is
either a name looked up in the project (a job, an environment, TABLE.COLUMN), a choice (an
enum option such as --format), or listed in NOT_A_NAME with the reason; a new parameter
fails `test_every_parameter_is_classified` until it is put in one of them. Each name and
choice is then fed a near miss, and the output must carry a did-you-mean naming the right
value, a hint, and exit 2 (a usage error), without starting Spark, terraform or AWS.
"""

from __future__ import annotations

import shutil
import typing
from enum import Enum
from pathlib import Path
from typing import Any

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from alur_compiler.cli import app

ROOT = Path(__file__).resolve().parents[2]
RETAIL = ROOT / "examples" / "retail"
COMMANDS = get_command(app).commands  # type: ignore[attr-defined]

#: parameters that do not name something of the project, with the reason
NOT_A_NAME = {
    ("*", "path"): "a folder",
    ("compile", "out"): "a folder",
    ("compile", "check"): "a flag",
    ("validate", "connect"): "a flag",
    ("run", "local"): "a flag",
    ("run", "project_dir"): "a folder",
    ("run", "preview"): "a number",
    ("run", "full_refresh"): "a flag",
    ("run", "yes"): "a flag",
    ("show", "where"): "a SQL condition (Spark reports its mistakes)",
    ("show", "limit"): "a number",
    ("query", "limit"): "a number",
    ("plan", "plugin_dir"): "a folder",
    ("plan", "as_json"): "a flag",
    ("apply", "plugin_dir"): "a folder",
    ("apply", "auto_approve"): "a flag",
    ("apply", "allow_destroy"): "a flag",
    ("apply", "allow_breaking"): "a flag",
    ("plan", "fail_on"): "a change class (an optional choice: Click lists the classes)",
    ("destroy", "plugin_dir"): "a folder",
    ("destroy", "auto_approve"): "a flag",
    ("logs", "run_id"): "an AWS run id, looked up by AWS",
    ("init", "name"): "a new name, not a lookup (checked by scaffold, tests/unit/test_init.py)",
    ("init", "directory"): "a folder",
    ("test", "verbose"): "a flag",
    ("run", "verbose"): "a flag",
    ("test", "jobs"): "a number",
    ("schedule", "start"): "a time (ISO 8601, checked by schedule_cmd._time)",
    ("schedule", "end"): "a time (ISO 8601, checked by schedule_cmd._time)",
    ("cost", "start"): "a time (ISO 8601, checked by cost_cmd._start)",
    ("cost", "offline"): "a flag",
    ("cost", "price"): "a price (checked by cost_cmd.parse_price)",
    ("plan", "price"): "a price (checked by cost_cmd.parse_price)",
    ("plan", "local"): "a flag",
    ("docs", "out"): "a folder",
    ("docs", "serve"): "a flag",
    ("docs", "port"): "a number",
}
ENV = ["--env", "prd"]  # near miss of prod
#: (command, parameter) -> (arguments with a near miss, the value it must suggest)
NAMES: dict[tuple[str, str], tuple[list[str], str]] = {
    ("run", "targets"): (["run", "clean_ordrs", "--local"], "clean_orders"),
    ("run", "env"): (["run", "clean_orders", *ENV], "prod"),
    ("run", "select"): (["run", "--local", "--select", "+clean_ordrs"], "clean_orders"),
    ("run", "exclude"): (["run", "--local", "--exclude", "layer:silvr"], "silver"),
    ("graph", "select"): (["graph", "--select", "tga:finance"], "tag"),
    ("show", "table"): (["show", "ordrs"], "orders"),
    ("show", "columns"): (["show", "orders", "--columns", "amount,statuss"], "status"),
    ("show", "select"): (["show", "-s", "layer:gld"], "gold"),
    ("show", "exclude"): (
        ["show", "-s", "layer:gold", "--exclude", "daily_revenu"],
        "daily_revenue",
    ),
    ("query", "sql"): (["query", "SELECT * FROM silver.ordrs"], "silver.orders"),
    ("graph", "exclude"): (["graph", "--exclude", "clean_ordrs+"], "clean_orders"),
    ("plan", "env"): (["plan", *ENV], "prod"),
    ("schedule", "env"): (["schedule", *ENV], "prod"),
    ("cost", "env"): (["cost", *ENV, "--offline"], "prod"),
    ("apply", "env"): (["apply", *ENV], "prod"),
    ("destroy", "env"): (["destroy", *ENV], "prod"),
    ("bootstrap", "env"): (["bootstrap", *ENV], "prod"),
    ("logs", "env"): (["logs", "jr_1", *ENV], "prod"),
    ("logs", "job"): (["logs", "jr_1", "--env", "dev", "--job", "daily_revenu"], "daily_revenue"),
    ("lineage", "column"): (["lineage", "orders.amout"], "orders.amount"),
    ("test", "targets"): (["test", "clean_ordrs"], "clean_orders"),
    ("test", "select"): (["test", "--select", "+clean_ordrs"], "clean_orders"),
    ("test", "exclude"): (["test", "--exclude", "layer:silvr"], "silver"),
}
EXTRA_NEAR_MISSES = [  # a second near miss where a parameter names two things
    (["lineage", "ordrs.amount"], "orders"),
    (["run", "daily_revenu", "--env", "prod"], "daily_revenue"),
]


def _choices(command: str, param: str) -> list[str] | None:
    callback = COMMANDS[command].callback
    hints = typing.get_type_hints(callback, include_extras=True)
    annotation = hints.get(param)
    base = typing.get_args(annotation)[0] if typing.get_origin(annotation) else annotation
    if isinstance(base, type) and issubclass(base, Enum):
        return [str(e.value) for e in base]
    return None


def _params() -> list[tuple[str, str]]:
    return sorted((name, p.name) for name, c in COMMANDS.items() for p in c.params)


def test_every_parameter_is_classified() -> None:
    unclassified = [
        (c, p)
        for c, p in _params()
        if (c, p) not in NAMES
        and ("*", p) not in NOT_A_NAME
        and (c, p) not in NOT_A_NAME
        and _choices(c, p) is None
    ]
    assert not unclassified, f"classify these CLI parameters: {unclassified}"


def _near_miss(word: str) -> str:
    return word[:-1] + word[-1] * 2 if len(word) > 3 else word + "x"


def _choice_cases() -> list[tuple[list[str], str]]:
    cases = []
    for command, param in _params():
        for choice in _choices(command, param) or []:
            cases.append(([command, "--format", _near_miss(choice)], choice))
    return cases


CASES = [*NAMES.values(), *EXTRA_NEAR_MISSES, *_choice_cases()]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("names") / "retail"
    shutil.copytree(RETAIL, root, ignore=shutil.ignore_patterns("build", ".alur"))
    return root


@pytest.mark.parametrize(("args", "meant"), CASES, ids=[" ".join(a) for a, _ in CASES])
def test_near_miss_gets_did_you_mean_and_hint(
    project: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], meant: str
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("ALURC_TERRAFORM", "no-such-terraform")  # never reached
    monkeypatch.setenv("COLUMNS", "400")  # one line per message in Typer's error box
    command = args[0]
    where = ["--project", str(project)] if command == "run" else [str(project)]
    result = CliRunner().invoke(app, [*args, *where])
    out: Any = result.output
    assert result.exit_code == 2, out
    assert f"(did you mean '{meant}'?)" in out, out
    assert "hint: " in out or "formats: " in out, out
    assert "Traceback" not in out and "terraform CLI not found" not in out, out


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_misspelt_command_gets_did_you_mean(command: str) -> None:
    result = CliRunner().invoke(app, [_near_miss(command)])
    assert result.exit_code == 2
    assert f"did you mean '{command}'?" in result.output.lower(), result.output
