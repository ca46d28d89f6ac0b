"""Inline the runtime modules (alur_compiler/runtime/*.py) into one self-contained script.

Each module's source is read as text and parsed with `ast`: its module-level imports are
collected (imports between runtime modules are dropped: the code now lives in one file),
its docstring becomes a comment, and the rest is copied verbatim under a banner. The
merged imports are sorted the way ruff's isort does (stdlib, then third party).
"""

from __future__ import annotations

import ast
from functools import cache, lru_cache
from pathlib import Path

RUNTIME_DIR = Path(__file__).resolve().parents[2] / "runtime"
RUNTIME_PACKAGE = "alur_compiler.runtime"
THIRD_PARTY = ("pyspark",)

#: Runtime modules of each job kind, in definition order.
_SHARED = ("common", "state", "conform", "quality_count", "quality", "gate")
INGESTION_MODULES = (*_SHARED, "ingest", "bronze")
PIPELINE_MODULES = (*_SHARED, "publish", "pipeline")


@cache
def _module(name: str) -> tuple[tuple[str, ...], str]:
    """(import lines, body) of one runtime module."""
    source = (RUNTIME_DIR / f"{name}.py").read_text(encoding="utf-8")
    tree = ast.parse(source)
    lines = source.splitlines()
    drop: set[int] = set()
    imports: list[str] = []
    doc = ast.get_docstring(tree, clean=True) or ""
    for node in tree.body:
        first, last = node.lineno, node.end_lineno or node.lineno
        is_doc = node is tree.body[0] and doc and isinstance(node, ast.Expr)
        if isinstance(node, ast.Import | ast.ImportFrom) or is_doc:
            drop.update(range(first, last + 1))
        if isinstance(node, ast.Import):
            imports += [_alias_line("import", a) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.module == "__future__" or (node.module or "").startswith(RUNTIME_PACKAGE):
                continue
            imports += [f"from {node.module} {_alias_line('import', a)}" for a in node.names]
    body = [line for i, line in enumerate(lines, start=1) if i not in drop]
    banner = [f"# {'-' * 20} runtime: {name}.py {'-' * 20}"]
    banner += [f"# {d}".rstrip() for d in doc.splitlines()]
    return tuple(imports), "\n".join(banner + _strip_blank_edges(body))


def _alias_line(keyword: str, alias: ast.alias) -> str:
    return f"{keyword} {alias.name}" + (f" as {alias.asname}" if alias.asname else "")


def _strip_blank_edges(lines: list[str]) -> list[str]:
    while lines and not lines[0].strip():
        lines = lines[1:]
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    return ["", *lines] if lines else []


def _is_third_party(module: str) -> bool:
    return module.split(".")[0] in THIRD_PARTY


def _import_block(lines: set[str]) -> str:
    """Merged imports, sectioned and ordered the way ruff's isort wants them."""
    sections: list[list[str]] = [[], []]
    plain = sorted((x for x in lines if x.startswith("import ")), key=str.lower)
    for line in plain:
        sections[int(_is_third_party(line.split()[1]))].append(line)
    froms: dict[str, set[str]] = {}
    for line in lines:
        if line.startswith("from "):
            _, module, _, name = line.split(" ", 3)
            froms.setdefault(module, set()).add(name)
    for module in sorted(froms, key=str.lower):
        names = froms[module]
        simple = sorted((n for n in names if " as " not in n), key=_name_key)
        stmts = [f"from {module} import {', '.join(simple)}"] if simple else []
        stmts += [f"from {module} import {n}" for n in sorted(n for n in names if " as " in n)]
        sections[int(_is_third_party(module))].extend(stmts)
    return "\n\n".join("\n".join(s) for s in sections if s)


def _name_key(name: str) -> tuple[int, str]:
    """isort's force-sort order: CONSTANTS, then Classes, then functions."""
    if name.isupper():
        return (0, name)
    return (1 if name[:1].isupper() else 2, name.lower())


@lru_cache(maxsize=8)
def inline_runtime(modules: tuple[str, ...]) -> tuple[str, str]:
    """(merged import block, concatenated module bodies) for the given runtime modules."""
    imports: set[str] = set()
    bodies: list[str] = []
    for name in modules:
        mod_imports, body = _module(name)
        imports.update(mod_imports)
        bodies.append(body)
    return _import_block(imports), "\n\n\n".join(bodies)


def runtime_names(modules: tuple[str, ...]) -> dict[str, list[str]]:
    """Top-level names defined by each module (a test asserts they never collide)."""
    out: dict[str, list[str]] = {}
    for name in modules:
        tree = ast.parse((RUNTIME_DIR / f"{name}.py").read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.FunctionDef | ast.ClassDef):
                out.setdefault(node.name, []).append(name)
            elif isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        out.setdefault(target.id, []).append(name)
    return out
