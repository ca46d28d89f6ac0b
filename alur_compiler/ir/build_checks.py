"""Check documents -> ir.Check: the checks semantic/checks.py accepted, with their names."""

from __future__ import annotations

import re
from typing import Any

from alur_compiler.ir.nodes import Action, Check, CheckType
from alur_compiler.load.source import SourceDoc

_AGE = re.compile(r"^([1-9][0-9]*)([smhd])$")
_UNIT = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def build_checks(
    doc: SourceDoc, base: str, specs: list[dict[str, Any]], names: dict[int, str], origin: str
) -> tuple[Check, ...]:
    """The accepted checks listed at `base` (a JSON pointer) of `doc`, in order."""
    return tuple(_check(doc, f"{base}/{i}", specs[i], name, origin) for i, name in names.items())


def _check(doc: SourceDoc, ptr: str, spec: dict[str, Any], name: str, origin: str) -> Check:
    return Check(
        name=name,
        type=CheckType(spec["type"]),
        action=Action(spec.get("action", "fail")),
        columns=tuple(spec.get("columns") or ([spec["column"]] if "column" in spec else [])),
        values=tuple(spec.get("values", ())),
        min=spec.get("min"),
        max=spec.get("max"),
        strict_min=bool(spec.get("strict_min", False)),
        strict_max=bool(spec.get("strict_max", False)),
        pattern=spec.get("pattern"),
        max_age_seconds=_age_seconds(spec.get("max_age")),
        sql=spec.get("sql"),
        ref_table=str(spec["to"]).split(".")[0] if "to" in spec else None,
        ref_column=str(spec["to"]).split(".", 1)[1] if "." in str(spec.get("to", "")) else None,
        mostly=float(spec.get("mostly", 1.0)),
        origin=origin,
        where=spec.get("where"),
        span=doc.span_of(ptr),
    )


def _age_seconds(text: Any) -> int | None:
    if not isinstance(text, str):
        return None
    m = _AGE.match(text)
    return int(m.group(1)) * _UNIT[m.group(2)] if m else None
