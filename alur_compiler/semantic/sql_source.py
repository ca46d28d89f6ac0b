"""A pipeline's SQL: inline `sql:` or the `sql_file:` next to its YAML, read once (AL106)."""

from __future__ import annotations

from pathlib import Path

from alur_compiler.diagnostics import Diagnostics, codes
from alur_compiler.load.source import SourceDoc
from alur_compiler.semantic.sql_expr import SqlLocator

#: a pipeline's SQL and where it came from, or None when its sql_file cannot be read
Source = tuple[str, SqlLocator] | None


def read_sql(doc: SourceDoc, diags: Diagnostics) -> Source:
    data = doc.data
    if "sql" in data:
        return str(data["sql"]), SqlLocator(doc=doc, ptr="/sql")
    try:
        path = (Path(doc.abspath).parent / str(data["sql_file"])).resolve()
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        reason = (
            (exc.strerror or str(exc))
            if isinstance(exc, OSError)
            else ("not UTF-8" if isinstance(exc, UnicodeDecodeError) else "not a usable path")
        )
        diags.report(
            codes.SQL_FILE_MISSING,
            f"cannot read sql_file '{data['sql_file']}': {reason}",
            doc.span_of("/sql_file"),
            hint="the path is relative to this YAML file",
        )
        return None
    shown = Path(doc.path).parent.joinpath(str(data["sql_file"])).as_posix()
    shown = str(Path(shown)) if ".." not in shown else _normalise(shown)
    return text, SqlLocator(doc=doc, ptr="/sql_file", file=shown, text=text)


def _normalise(path: str) -> str:
    parts: list[str] = []
    for part in path.split("/"):
        if part == ".." and parts and parts[-1] != "..":
            parts.pop()
        elif part not in ("", "."):
            parts.append(part)
    return "/".join(parts)
