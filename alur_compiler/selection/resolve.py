"""A parsed selection resolved over the project's job DAG (ir/graph.py): which jobs, and
which tables (`alurc show`), it names. Unknown names, layers and tags are `UnknownName`
(did-you-mean, a hint listing what exists); a path that holds no spec is a SelectorError."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from alur_compiler.diagnostics.suggest import UnknownName
from alur_compiler.ir import Layer, Project
from alur_compiler.ir.graph import job_dependencies
from alur_compiler.selection.grammar import Depth, Item, Selection, SelectorError

NAME_HINT = "a name is a job (pipeline or ingestion) or a table; see `alurc graph`"


def _reverse(deps: Mapping[str, tuple[str, ...]]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {name: set() for name in deps}
    for name, before in deps.items():
        for dep in before:
            out.setdefault(dep, set()).add(name)
    return out


def _walk(start: set[str], edges: Mapping[str, Iterable[str]], depth: Depth) -> set[str]:
    """`start` plus what `edges` reach from it in `depth` steps (-1: any number)."""
    seen, frontier, level = set(start), set(start), 0
    while frontier and depth is not None and (depth < 0 or level < depth):
        frontier = {n for f in frontier for n in edges.get(f, ())} - seen
        seen |= frontier
        level += 1
    return seen


class Resolver:
    """Resolves selections of one project (jobs are the nodes; a table stands for its writer)."""

    def __init__(self, project: Project, cwd: Path | None = None) -> None:
        self.project = project
        self.cwd = cwd or Path.cwd()
        self.deps = job_dependencies(project)
        self.downstream = _reverse(self.deps)
        self.tables = {t.name: t for t in project.tables}

    def jobs(self, selection: Selection, exclude: Selection = ()) -> list[str]:
        """The selected jobs minus the excluded ones, in name order (all jobs when
        `selection` is empty)."""
        chosen = self._union(selection) if selection else set(self.deps)
        return sorted(chosen - self._union(exclude))

    def table_names(self, selection: Selection, exclude: Selection = ()) -> list[str]:
        """Tables of the selection: targets of the selected jobs, plus tables without a
        writer that an item names directly."""
        jobs = self.jobs(selection, exclude)
        names = {self.project.job(j).target for j in jobs}
        writers = {j.target for j in self.project.jobs}
        for union, drop in ((selection, False), (exclude, True)):
            for term in union:
                direct = set.intersection(*(self._direct_tables(i) for i in term)) - writers
                names = names - direct if drop else names | direct
        return sorted(names)

    def _union(self, selection: Selection) -> set[str]:
        out: set[str] = set()
        for term in selection:
            out |= set.intersection(*(self._item(item) for item in term))
        return out

    def _item(self, item: Item) -> set[str]:
        start = self._match(item)
        return _walk(start, self.deps, item.up) | _walk(start, self.downstream, item.down)

    def _match(self, item: Item) -> set[str]:
        """The jobs an atom matches (by the job's own spec or its target's contract)."""
        jobs = self.project.jobs
        if item.method == "name":
            known = [j.name for j in jobs] + list(self.tables)
            if item.value not in known:
                raise UnknownName("name", item.value, known, NAME_HINT)
            return {j.name for j in jobs if item.value in (j.name, j.target)}
        if item.method == "layer":
            if item.value not in {str(layer) for layer in Layer}:
                raise UnknownName("layer", item.value, [str(layer) for layer in Layer])
            return {j.name for j in jobs if self._layer(j.target) == item.value}
        if item.method == "tag":
            self._known_tag(item.value)
            return {j.name for j in jobs if item.value in (*j.tags, *self._tags(j.target))}
        under = self._path(item.value)
        return {
            j.name
            for j in jobs
            if self._under(j.span.file, under) or self._under(self._file(j.target), under)
        }

    def _direct_tables(self, item: Item) -> set[str]:
        """Tables an atom names itself (for tables no job writes)."""
        tables = self.tables.values()
        if item.method == "name":
            return {item.value} & self.tables.keys()
        if item.method == "layer":
            return {t.name for t in tables if str(t.layer) == item.value}
        if item.method == "tag":
            return {t.name for t in tables if item.value in t.tags}
        under = self._path(item.value)
        return {t.name for t in tables if self._under(t.span.file, under)}

    def _layer(self, table: str) -> str | None:
        found = self.tables.get(table)
        return None if found is None else str(found.layer)

    def _tags(self, table: str) -> tuple[str, ...]:
        found = self.tables.get(table)
        return () if found is None else found.tags

    def _file(self, table: str) -> str:
        found = self.tables.get(table)
        return "" if found is None else found.span.file

    def _known_tag(self, tag: str) -> None:
        known = {t for j in self.project.jobs for t in j.tags}
        known |= {t for table in self.project.tables for t in table.tags}
        if tag not in known:
            hint = "tags are set with `tags: [..]` on tables, pipelines and ingestions"
            raise UnknownName("tag", tag, known, hint)

    def _path(self, value: str) -> Path:
        """A path relative to the project folder (or, failing that, to the current one)."""
        root = Path(self.project.root)
        for base in (root, self.cwd):
            candidate = (base / value).resolve()
            if candidate.exists():
                return candidate
        raise SelectorError(
            f"no file or folder '{value}' in the project",
            f"path: is relative to the project folder {root}, for example path:pipelines",
        )

    def _under(self, file: str, folder: Path) -> bool:
        if not file:
            return False
        path = (self.cwd / file).resolve()
        return path == folder or folder in path.parents
