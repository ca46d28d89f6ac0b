"""Reading landing files and conforming them to a bronze contract, by column name.

Each file is read on its own (Spark maps a multi-file CSV read by the first file's header
position, which silently scrambles reordered files). A contract column with a `source_name`
reads the file column spelt exactly so (CSV header, JSON key, Parquet column: case and
spaces as the file has them); any other is matched by its name case-insensitively after
trimming the file's names; extra columns are ignored; a missing non-nullable column makes
the file bad. Values are cast with `try_cast`: a value that is
non-null before the cast and null after marks the row bad (`_bad_columns`), never a silent
null.
"""

from __future__ import annotations

import re
from functools import reduce
from typing import Any

from pyspark.sql import functions as F

from alur_runtime.config import Column, FileSource, Partition
from alur_runtime.spark_paths import literal, readable


def quote_ident(name: str) -> str:
    """A Spark SQL identifier in backticks (backticks inside doubled): the runtime's one
    quoting function."""
    return "`" + name.replace("`", "``") + "`"


def sql_string(value: str) -> str:
    """A Spark SQL string literal: backslash and single quote escaped with a backslash."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def table_ddl(columns: list[Column]) -> str:
    """Column list for CREATE TABLE / a reader schema: "`a` string, `b` int"."""
    return ", ".join(f"{quote_ident(c['name'])} {c['type']}" for c in columns)


_SPELLINGS = {
    "integer": "int",
    "long": "bigint",
    "short": "smallint",
    "byte": "tinyint",
    "real": "float",
    "bool": "boolean",
    "timestamp_ltz": "timestamp",
}


def spelled(type_: str) -> str:
    """A Spark SQL type in the one spelling Spark reports it back with: lower case, no
    blanks, aliases resolved, varchar/char as string, a bare decimal as (10,0)."""
    t = type_.lower().replace(" ", "")
    t = re.sub(r"\b(?:var)?char\(\d+\)", "string", t)
    t = re.sub(r"\b(?:dec|numeric)\b", "decimal", t)
    t = re.sub(r"\bdecimal\b(?!\()", "decimal(10,0)", t)
    t = re.sub(r"decimal\((\d+)\)", r"decimal(\1,0)", t)
    return re.sub(r"\b[a-z_]+\b", lambda m: _SPELLINGS.get(m.group(0), m.group(0)), t)


_CHAR = re.compile(r"\b(?:var)?char\s*\(\s*\d+\s*\)", re.IGNORECASE)


def reader_ddl(columns: list[Column]) -> str:
    """A reader schema for Parquet files (a bronze table): char(n) and varchar(n) as
    string, which is how Spark writes them and the only way it reads them (a reader
    schema with either fails: UNSUPPORTED_CHAR_OR_VARCHAR_AS_STRING)."""
    return ", ".join(f"{quote_ident(c['name'])} {_CHAR.sub('string', c['type'])}" for c in columns)


def partition_spec(parts: list[Partition]) -> str:
    """Iceberg PARTITIONED BY fields: "`d`", "days(`ts`)", "bucket(16, `id`)"."""
    out = []
    for p in parts:
        col = quote_ident(p["column"])
        if p["transform"] in (None, "identity"):
            out.append(col)
        elif p["arg"] is not None:
            out.append(f"{p['transform']}({p['arg']}, {col})")
        else:
            out.append(f"{p['transform']}({col})")
    return ", ".join(out)


def column_names(columns: list[Column]) -> list[str]:
    return [c["name"] for c in columns]


#: CSV reader options alurc sets unless the source's `options` do (any case: Spark's
#: option names are case-insensitive): the header names columns, never its position;
#: `multiLine` parses a quoted value across lines as RFC 4180 does (line by line, Spark
#: would split `a,"1<newline>2"` into two rows, the second `2"`: silently wrong rows);
#: `escape` is RFC 4180's doubled quote (Spark's default `\` kept `"a ""b"""` as is)
CSV_DEFAULTS = {"header": "true", "enforceSchema": "false", "multiLine": "true", "escape": '"'}
#: ...and those it always sets: values stay text, cast to the contract afterwards
CSV_FIXED = {"inferSchema": "false"}
#: JSON: a number with a fraction is read as a decimal, exactly as written (as a double,
#: `12345678.123456789` became 12345678.12345679 in a decimal(20,9) column, and
#: `1.5E7` in a string one)
JSON_DEFAULTS = {"prefersDecimal": "true"}


def csv_options(given: dict[str, Any]) -> dict[str, Any]:
    """The reader options of a CSV source (see `reader_options`)."""
    return reader_options(given, CSV_DEFAULTS, CSV_FIXED)


def reader_options(
    given: dict[str, Any], defaults: dict[str, str], fixed: dict[str, str] | None = None
) -> dict[str, Any]:
    """A source's reader options: its own, `defaults` where it sets none, `fixed` always,
    whatever case the source spells a name in (Spark's option names are case-insensitive:
    two spellings of one name would leave it to Spark which one counts)."""
    fixed = fixed or {}
    overruled = {k.lower() for k in fixed}
    options = {k: v for k, v in given.items() if k.lower() not in overruled}
    named = {k.lower() for k in options}
    options.update({k: v for k, v in defaults.items() if k.lower() not in named})
    options.update(fixed)
    return options


def read_landing_file(spark: Any, uri: str, source: FileSource) -> Any:
    """One landing file as a DataFrame: CSV as strings with its header, JSON lines, Parquet."""
    fmt = source["format"]
    options = dict(source["options"])
    uri = readable(uri)  # the file named, never a pattern (spark_paths.py)
    if fmt == "csv":
        return spark.read.options(**csv_options(options)).csv(uri)
    if fmt == "json":
        return spark.read.options(**reader_options(options, JSON_DEFAULTS)).json(uri)
    if fmt == "parquet":
        return spark.read.options(**options).parquet(uri)
    raise ValueError(f"unsupported format {fmt!r}")


def file_columns(names: list[str], columns: list[Column]) -> dict[str, str]:
    """Contract column -> the file column it reads (absent: the file lacks it).

    `source_name` is matched exactly; a column without one by its name, ignoring case and
    blanks around the file's name (the last such file column when several fold alike).
    """
    folded = {name.strip().lower(): name for name in names}
    present = set(names)
    out: dict[str, str] = {}
    for col in columns:
        source = col.get("source_name")
        if source is not None:
            if source in present:
                out[col["name"]] = source
        elif col["name"].lower() in folded:
            out[col["name"]] = folded[col["name"].lower()]
    return out


def _spelled(col: Column) -> str:
    source = col.get("source_name")
    return col["name"] if source is None else f"{col['name']} (source_name {source!r})"


#: what Spark's CSV and JSON readers put where a file's bytes do not decode
UNDECODED = "\ufffd"


def _misread(names: list[str]) -> str:
    """Why a file may show none of the contract's columns: read with the wrong delimiter
    (one column named `code;label`) or the wrong encoding (UTF-16 read as UTF-8 puts a NUL
    between the header's letters); empty when neither is likely."""
    if len(names) == 1 and "\x00" not in names[0]:
        for sep, shown in ((";", ";"), ("\t", "\\t"), ("|", "|")):
            if sep in names[0]:
                return (
                    f" (the file has one column, `{names[0][:60]}`: if it is separated by "
                    f"'{shown}', set `options: {{delimiter: \"{shown}\"}}` on the source)"
                )
    if any("\x00" in n for n in names):
        return (
            " (its header holds NUL characters, as UTF-16 read as UTF-8 does: set "
            "`options: {encoding: UTF-16}` on the source if it is UTF-16)"
        )
    return ""


def conform_file(
    df: Any, uri: str, columns: list[Column], decoded: bool = True
) -> tuple[Any, str | None]:
    """Map `df` onto the contract `columns`; returns (conformed df, None) or (None, reason).

    The conformed df has the contract columns in contract order, then `_bad_columns`
    (array of columns whose value did not cast, or held text that did not decode: Spark's
    readers put U+FFFD where a file's bytes are not valid in its encoding, a latin-1 `é`
    in a UTF-8 read, and would store it silently), `_raw_record` (the row as JSON) and
    `_source_file`. `decoded`: the rows were decoded from a file's bytes (not a database's
    text, where a U+FFFD is what the database holds).
    """
    sources = file_columns(df.columns, columns)
    missing = [_spelled(c) for c in columns if not c["nullable"] and c["name"] not in sources]
    if missing:
        return None, "missing required column(s): " + ", ".join(missing) + _misread(df.columns)
    originals = [c for c in df.columns if c != "_corrupt_record"]
    raw = F.to_json(F.struct(*[F.col(quote_ident(c)) for c in originals]))
    out, bad = [], []
    text = {name for name, kind in df.dtypes if kind == "string"} if decoded else set()
    for col in columns:
        src = sources.get(col["name"])
        if src is None:
            out.append(F.lit(None).cast(col["type"]).alias(col["name"]))
            continue
        cast = F.expr(f"try_cast({quote_ident(src)} AS {col['type']})")
        out.append(cast.alias(col["name"]))
        value = F.col(quote_ident(src))
        unfit = value.isNotNull() & cast.isNull()
        if src in text:
            unfit = unfit | value.contains(UNDECODED)
        bad.append(F.when(unfit, F.lit(col["name"])))
    if "_corrupt_record" in df.columns:
        bad.append(F.when(F.col("_corrupt_record").isNotNull(), F.lit("_corrupt_record")))
    bad_cols = F.array_compact(F.array(*bad)) if bad else F.array().cast("array<string>")
    conformed = df.select(
        *out,
        bad_cols.alias("_bad_columns"),
        raw.alias("_raw_record"),
        F.lit(uri).alias("_source_file"),
    )
    return conformed, None


def union_all(frames: list[Any]) -> Any:
    return reduce(lambda a, b: a.unionByName(b), frames)


def add_batch_columns(df: Any, ingested_at: Any, source_system: str, batch_id: str) -> Any:
    """The ingestion metadata columns (ir.INGESTION_COLUMNS), same values for the batch."""
    return (
        df.withColumn("_ingested_at", F.lit(ingested_at).cast("timestamp"))
        .withColumn("_source_system", F.lit(source_system))
        .withColumn("_batch_id", F.lit(batch_id))
    )


def count_rows(df: Any) -> tuple[int, int]:
    """(rows, bad rows) in one aggregation pass."""
    row = df.agg(
        F.count(F.lit(1)).alias("n"),
        F.sum(F.when(F.size("_bad_columns") > 0, 1).otherwise(0)).alias("bad"),
    ).collect()[0]
    return int(row["n"]), int(row["bad"] or 0)


def files_with_batch(spark: Any, path: str, batch_id: str) -> list[str]:
    """Data files under `path` holding rows of `batch_id` (a batch writes its own files)."""
    # A given schema, never inference: a folder holding only `_temporary/` (a write killed
    # before its first commit), an empty folder or no data file at all reads as empty.
    df = spark.read.schema("_batch_id string").parquet(literal(path))
    rows = (
        df.where(F.col("_batch_id") == batch_id)
        .select(F.input_file_name().alias("f"))
        .distinct()
        .collect()
    )
    return sorted(str(r["f"]) for r in rows)
