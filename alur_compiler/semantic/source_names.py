"""The `source_name` rules of a table's columns (AL301, AL309): one table rule, in COLUMN_RULES.

A bronze column may name the file column it is read from (`source_name: "Order ID"`), matched
exactly (case and spaces); a column without one reads the file column named like it, matched
ignoring case and surrounding blanks (alur_runtime/conform.py). So two columns read the same
file column, silently, when their source names are equal, or when a source name, trimmed and
lower-cased, is the name of a column without one. Only bronze tables read files: a
`source_name` anywhere else would be ignored, so it is an error. (An empty one is rejected by
the schema, `minLength: 1`.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from alur_compiler.diagnostics import Diagnostics, codes

if TYPE_CHECKING:
    from alur_compiler.semantic.tables import TableVerdict


def source_names_valid(t: TableVerdict, diags: Diagnostics) -> None:
    """`source_name` only on bronze columns, and no two columns read the same file column."""
    columns: list[dict[str, Any]] = t.doc.data["columns"]
    if t.layer != "bronze":
        for i, spec in enumerate(columns):
            if "source_name" in spec:
                diags.report(
                    codes.LAYER_RULE,
                    f"source_name on column '{spec['name']}' of {t.layer} table "
                    f"'{t.doc.name}': only bronze columns are read from files",
                    t.doc.span_of(f"/columns/{i}/source_name"),
                    hint="put source_name on the bronze table the ingestion loads; "
                    f"{t.layer} columns are named by the pipeline's SQL",
                )
                t.rejected.add(f"/columns/{i}")
        return
    _source_names_distinct(t, columns, diags)


def _source_names_distinct(
    t: TableVerdict, columns: list[dict[str, Any]], diags: Diagnostics
) -> None:
    exact: dict[str, str] = {}  # source_name -> the column reading it
    folded: dict[str, tuple[str, str]] = {}  # source_name folded -> (the column, source_name)
    plain: dict[str, str] = {}  # name of a column without source_name -> itself
    for i, spec in enumerate(columns):
        name = str(spec["name"])
        if not t.ok(f"/columns/{i}"):
            continue  # declared twice: reported already
        if "source_name" in spec:
            source = str(spec["source_name"])
            first = exact.get(source) or plain.get(source.strip().lower())
            if first is None:
                exact[source] = name
                folded.setdefault(source.strip().lower(), (name, source))
                continue
            _report_duplicate(t, i, spec, source, first, diags)
        elif name in folded:
            first, source = folded[name]
            _report_duplicate(t, i, spec, source, first, diags)
        else:
            plain[name] = name


def _report_duplicate(
    t: TableVerdict,
    i: int,
    spec: dict[str, Any],
    spelled: str,
    first: str,
    diags: Diagnostics,
) -> None:
    ptr = f"/columns/{i}/source_name" if "source_name" in spec else f"/columns/{i}/name"
    diags.report(
        codes.DUPLICATE_NAME,
        f"columns '{first}' and '{spec['name']}' both read the file column '{spelled}'",
        t.doc.span_of(ptr),
        hint="give each column its own source_name (a file column is read into one column)",
    )
    t.rejected.add(f"/columns/{i}")
