"""An Ingestion's `kind: jdbc` source -> ir.JdbcSource; an environment's network/secrets."""

from __future__ import annotations

from typing import Any

from alur_compiler.ir.jdbc import (
    DEFAULT_FETCHSIZE,
    DEFAULT_PORTS,
    JdbcPartition,
    JdbcSource,
    Network,
)
from alur_compiler.ir.nodes import Table
from alur_compiler.load.source import SourceDoc


def jdbc_spec(data: dict[str, Any]) -> tuple[int, dict[str, Any]] | None:
    """(index, spec) of the document's jdbc source, if it has one."""
    for i, s in enumerate(data.get("sources") or ()):
        if isinstance(s, dict) and s.get("kind") == "jdbc":
            return i, s
    return None


def build_jdbc(doc: SourceDoc, target: Table) -> JdbcSource | None:
    found = jdbc_spec(doc.data)
    if found is None:
        return None
    i, s = found
    inc = (s.get("incremental") or {}).get("column")
    part = s.get("partition")
    engine = str(s["engine"])
    return JdbcSource(
        engine=engine,
        host=str(s["host"]),
        port=int(s.get("port", DEFAULT_PORTS[engine])),
        database=str(s["database"]),
        secret=str(s["secret"]),
        table=str(s["table"]) if "table" in s else None,
        query=str(s["query"]).strip() if "query" in s else None,
        incremental_column=str(inc) if inc else None,
        incremental_type=_type_of(target, inc),
        partition=JdbcPartition(
            column=str(part["column"]),
            lower=part["lower"],
            upper=part["upper"],
            count=int(part["count"]),
        )
        if part
        else None,
        fetchsize=int(s.get("fetchsize", DEFAULT_FETCHSIZE)),
        span=doc.span_of(f"/sources/{i}"),
    )


def _type_of(target: Table, name: object) -> str | None:
    col = target.column(str(name)) if name else None
    return col.type if col is not None else None


def build_network(spec: dict[str, Any]) -> Network | None:
    net = spec.get("network")
    if not net:
        return None
    return Network(
        subnet=str(net["subnet"]),
        security_groups=tuple(str(g) for g in net["security_groups"]),
        availability_zone=str(net["availability_zone"]),
    )


def build_secrets(spec: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((str(k), str(v)) for k, v in (spec.get("secrets") or {}).items()))
