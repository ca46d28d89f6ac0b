"""`alurc lineage --format dot|mermaid`: valid dot (parsed back with pydot) and mermaid
whose every line is a node or an edge, with any name inert."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from alur_compiler.cli import app
from alur_compiler.lineage_formats import render_dot, render_mermaid

RETAIL = Path(__file__).resolve().parents[2] / "examples" / "retail"
NASTY: dict[str, Any] = {
    "column": 't"1.c\\x',
    "via": 'pipeline p"1',
    "upstream": [
        {"column": "raw.a", "via": "ingestion i from s<b>", "upstream": []},
        {"column": "raw#b.c", "via": "ingestion i", "upstream": []},
    ],
}


def lineage(fmt: str) -> str:
    result = CliRunner().invoke(
        app, ["lineage", "daily_revenue.revenue", str(RETAIL), "--format", fmt]
    )
    assert result.exit_code == 0, result.output
    return result.stdout


def test_dot_parses_with_the_expected_nodes_and_edges() -> None:
    import pydot  # pinned in requirements-dev.txt: a missing oracle fails, never skips

    (graph,) = pydot.graph_from_dot_data(lineage("dot"))
    edges = {(e.get_source().strip('"'), e.get_destination().strip('"')) for e in graph.get_edges()}
    assert edges == {
        ("orders.amount", "daily_revenue.revenue"),
        ("orders_raw.quantity", "orders.amount"),
        ("orders_raw.unit_price", "orders.amount"),
    }


def test_dot_escapes_names() -> None:
    import pydot  # pinned in requirements-dev.txt: a missing oracle fails, never skips

    (graph,) = pydot.graph_from_dot_data(render_dot(NASTY))
    names = {n.get_name() for n in graph.get_nodes()} - {"node"}
    assert names == {'"t\\"1.c\\\\x"', '"raw.a"', '"raw#b.c"'}
    assert len(graph.get_edges()) == 2


_NODE = re.compile(r'^  c\d+\["[^"]*"\]$')
_EDGE = re.compile(r'^  c\d+ -->(\|"[^"]*"\|)? c\d+$')


@pytest.mark.parametrize("text", [lineage("mermaid"), render_mermaid(NASTY)])
def test_mermaid_lines_are_nodes_and_edges(text: str) -> None:
    head, *lines = text.splitlines()
    assert head == "flowchart LR"
    assert lines and all(_NODE.match(x) or _EDGE.match(x) for x in lines), lines
    assert "<b>" not in text  # markup in a name stays text


def test_text_is_the_default() -> None:
    assert lineage("text").startswith("daily_revenue.revenue  (via pipeline daily_revenue)")
