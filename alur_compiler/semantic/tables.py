"""Table contract rules (AL302, AL304, AL305, AL311, AL313, AL322 and the checks' rules).

Run on a validated Table document before the IR is built. `check_table` runs the column
rules (COLUMN_RULES); when they reported, the table is rejected as a whole (later rules
would only repeat the column problems). Otherwise the key, partition and check rules
(CONTENT_RULES) run; what they reject is left out of the IR, the table itself is built so
that pipelines reading it are still checked. The verdict (`TableVerdict`) is what the
builder (ir/build_tables.py) reads: accepted column types, rejected pointers, check names.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from alur_compiler.diagnostics import Diagnostics, codes
from alur_compiler.diagnostics.suggest import suggestion_suffix
from alur_compiler.load.source import SourceDoc
from alur_compiler.semantic.checks import check_list
from alur_compiler.semantic.partitions import check_bronze_partitions, parse_partition
from alur_compiler.semantic.source_names import source_names_valid
from alur_compiler.semantic.types import TypeSyntaxError, category, normalize_type


@dataclass
class TableVerdict:
    doc: SourceDoc
    #: columns every bronze table gets from ingestion (ir.nodes.INGESTION_COLUMNS)
    metadata: tuple[tuple[str, str], ...]
    #: JSON pointers the rules rejected; "" is the whole table
    rejected: set[str] = field(default_factory=set)
    #: accepted column -> normalised type, in order (bronze: the metadata columns at the end)
    types: dict[str, str] = field(default_factory=dict)
    #: accepted check index -> its unique name
    check_names: dict[int, str] = field(default_factory=dict)

    @property
    def layer(self) -> str:
        return str(self.doc.data["layer"])

    def ok(self, ptr: str = "") -> bool:
        return ptr not in self.rejected


def columns_declared_once(t: TableVerdict, diags: Diagnostics) -> None:
    seen: set[str] = set()
    for i, spec in enumerate(t.doc.data["columns"]):
        name = str(spec["name"])
        if name in seen:
            diags.report(
                codes.DUPLICATE_NAME,
                f"column '{name}' is declared twice",
                t.doc.span_of(f"/columns/{i}/name"),
            )
            t.rejected.add(f"/columns/{i}")
        seen.add(name)


def no_metadata_columns_in_bronze(t: TableVerdict, diags: Diagnostics) -> None:
    if t.layer != "bronze":
        return
    reserved = {name for name, _ in t.metadata}
    for i, spec in enumerate(t.doc.data["columns"]):
        name = str(spec["name"])
        if name in reserved and t.ok(f"/columns/{i}"):
            diags.report(
                codes.LAYER_RULE,
                f"'{name}' is an ingestion metadata column; bronze tables get it automatically",
                t.doc.span_of(f"/columns/{i}/name"),
                hint="remove this column from the contract",
            )
            t.rejected.add(f"/columns/{i}")


def column_types_parse(t: TableVerdict, diags: Diagnostics) -> None:
    for i, spec in enumerate(t.doc.data["columns"]):
        if not t.ok(f"/columns/{i}"):
            continue
        try:
            t.types[str(spec["name"])] = normalize_type(str(spec["type"]))
        except TypeSyntaxError as exc:
            diags.report(
                codes.INVALID_TYPE,
                f"invalid type '{spec['type']}': {exc}",
                t.doc.span_in_scalar(f"/columns/{i}/type", 1, exc.offset + 1),
                hint="Spark SQL types: string, int, bigint, double, decimal(p,s), date, "
                "timestamp, boolean, array<T>, map<K,V>, struct<name:T,...>",
            )
            t.rejected.add(f"/columns/{i}")
    if t.layer == "bronze":
        t.types.update(t.metadata)


def bronze_partitions_plain(t: TableVerdict, diags: Diagnostics) -> None:
    if t.layer == "bronze":
        check_bronze_partitions(t.doc, diags)


def primary_key_columns(t: TableVerdict, diags: Diagnostics) -> None:
    for i, key in enumerate(t.doc.data.get("primary_key", ())):
        if key not in t.types:
            diags.report(
                codes.UNKNOWN_COLUMN,
                f"primary key column '{key}' is not a column of '{t.doc.name}'"
                f"{suggestion_suffix(key, t.types)}",
                t.doc.span_of(f"/primary_key/{i}"),
            )


def partitions_valid(t: TableVerdict, diags: Diagnostics) -> None:
    for i, text in enumerate(t.doc.data.get("partition_by", ())):
        ptr = f"/partition_by/{i}"
        if not _partition_valid(t, ptr, text, diags):
            t.rejected.add(ptr)


def _partition_valid(t: TableVerdict, ptr: str, text: str, diags: Diagnostics) -> bool:
    parsed = parse_partition(text)
    if parsed is None:
        diags.report(
            codes.PARTITION_RULE,
            f"invalid partition '{text}'",
            t.doc.span_of(ptr),
            hint="use a column, years(col), months(col), days(col), hours(col), "
            "bucket(N, col) or truncate(N, col)",
        )
        return False
    fn, col, arg = parsed
    if col not in t.types:
        diags.report(
            codes.UNKNOWN_COLUMN,
            f"partition column '{col}' is not a column of "
            f"'{t.doc.name}'{suggestion_suffix(col, t.types)}",
            t.doc.span_of(ptr),
        )
        return False
    ctype = t.types[col]
    if fn and t.layer == "bronze":
        return False  # reported by bronze_partitions_plain
    if (fn in ("years", "months", "days") and category(ctype) != "datetime") or (
        fn == "hours" and ctype not in ("timestamp", "timestamp_ntz")
    ):
        diags.report(
            codes.PARTITION_RULE,
            f"{fn}() needs a date or timestamp column; '{col}' is {ctype}",
            t.doc.span_of(ptr),
        )
        return False
    if fn in ("bucket", "truncate") and (arg is None or arg <= 0):
        diags.report(codes.PARTITION_RULE, f"{fn}() needs a positive width", t.doc.span_of(ptr))
        return False
    return True


def checks_valid(t: TableVerdict, diags: Diagnostics) -> None:
    specs = t.doc.data.get("checks", [])
    t.check_names = check_list(t.doc, "/checks", specs, t.types, set(), diags)


def renames_valid(t: TableVerdict, diags: Diagnostics) -> None:
    """`renamed_from` (AL322): an Iceberg table's column takes over one old column, which
    the contract no longer has; bronze files keep the names they were written with."""
    names = {str(spec["name"]) for spec in t.doc.data["columns"]}
    taken: dict[str, str] = {}
    for i, spec in enumerate(t.doc.data["columns"]):
        old = spec.get("renamed_from")
        if not isinstance(old, str) or not t.ok(f"/columns/{i}"):
            continue
        name, where = str(spec["name"]), t.doc.span_of(f"/columns/{i}/renamed_from")
        if t.layer == "bronze":
            diags.report(
                codes.RENAME_RULE,
                f"bronze column '{name}' cannot be renamed_from '{old}': bronze files keep "
                "the names they were written with, so its old rows would read NULL",
                where,
                hint="keep the name, or read a renamed source column with "
                f"`source_name:` (the rename belongs in the silver table that reads '{old}')",
            )
        elif old == name:
            diags.report(
                codes.RENAME_RULE,
                f"column '{name}' is renamed_from itself",
                where,
                hint="remove `renamed_from`",
            )
        elif old in names:
            diags.report(
                codes.RENAME_RULE,
                f"column '{name}' is renamed_from '{old}', but '{old}' is still a column "
                "of this table",
                where,
                hint=f"a rename leaves one column: remove '{old}' from the contract, or "
                "remove `renamed_from` to add a new, empty column",
            )
        elif old in taken:
            diags.report(
                codes.RENAME_RULE,
                f"columns '{taken[old]}' and '{name}' are both renamed_from '{old}'",
                where,
                hint=f"one column takes over '{old}' and its values: keep `renamed_from` on one",
            )
        else:
            taken[old] = name


TableRule = Callable[[TableVerdict, Diagnostics], None]

#: the table's columns; any error here rejects the whole table
COLUMN_RULES: tuple[TableRule, ...] = (
    columns_declared_once,
    no_metadata_columns_in_bronze,
    column_types_parse,
    bronze_partitions_plain,
    source_names_valid,
)
#: keys, partitions and checks of a table whose columns are sound
CONTENT_RULES: tuple[TableRule, ...] = (
    primary_key_columns,
    partitions_valid,
    checks_valid,
    renames_valid,
)


def check_table(
    doc: SourceDoc, metadata: tuple[tuple[str, str], ...], diags: Diagnostics
) -> TableVerdict:
    verdict = TableVerdict(doc, metadata)
    before = len(diags.errors)
    for rule in COLUMN_RULES:
        rule(verdict, diags)
    if len(diags.errors) > before:
        verdict.rejected.add("")
        return verdict
    for rule in CONTENT_RULES:
        rule(verdict, diags)
    return verdict
