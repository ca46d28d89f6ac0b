"""Every YAML example in specs/*.md is a valid document, and each page's examples compile.

A ```yaml block is one or more complete documents (apiVersion + kind). A ```yaml fragment
block is a partial snippet: it only has to be valid YAML. A ```sql path=sql/x.sql block is
written to that path of the page's project, for `sql_file:` examples.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

ROOT = Path(__file__).resolve().parents[2]
SPECS = ROOT / "specs"
SCHEMAS = ROOT / "schemas"
PAGES = sorted(SPECS.glob("*.md"))
FENCE = re.compile(r"^```(?P<info>[^\n]*)\n(?P<body>.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
FOLDER = {"Table": "contracts", "Pipeline": "pipelines", "Ingestion": "ingestions", "Test": "tests"}
DEFAULT_PROJECT = """\
apiVersion: alur/v1
kind: Project
name: spec_examples
environments:
  dev:
    region: eu-west-1
    buckets: {lake: spec-lake, artifacts: spec-artifacts, landing: spec-landing}
"""


@dataclass
class Block:
    page: str
    line: int  # 1-based line of the opening fence
    info: str
    body: str

    @property
    def where(self) -> str:
        return f"specs/{self.page}:{self.line}"


@dataclass
class Page:
    name: str
    yaml_blocks: list[Block] = field(default_factory=list)
    fragments: list[Block] = field(default_factory=list)
    sql_files: dict[str, str] = field(default_factory=dict)


def parse_page(path: Path) -> Page:
    text = path.read_text(encoding="utf-8")
    page = Page(path.name)
    for m in FENCE.finditer(text):
        info = m.group("info").strip().split()
        block = Block(
            path.name, text.count("\n", 0, m.start()) + 1, " ".join(info), m.group("body")
        )
        if info[:1] == ["yaml"] and "fragment" in info[1:]:
            page.fragments.append(block)
        elif info[:1] == ["yaml"]:
            page.yaml_blocks.append(block)
        elif info[:1] == ["sql"] and any(i.startswith("path=") for i in info):
            target = next(i for i in info if i.startswith("path="))[len("path=") :]
            page.sql_files[target] = block.body
        else:
            assert info[:1] != ["yml"], f"{block.where}: write ```yaml, not ```yml"
    return page


ALL = [parse_page(p) for p in PAGES]
BLOCKS = [b for page in ALL for b in page.yaml_blocks]
FRAGMENTS = [b for page in ALL for b in page.fragments]


def validator() -> Draft202012Validator:
    schemas = {p.name: json.loads(p.read_text()) for p in SCHEMAS.glob("*.schema.json")}
    registry: Registry = Registry().with_resources(
        (name, Resource.from_contents(s)) for name, s in schemas.items()
    )
    return Draft202012Validator(schemas["alur.schema.json"], registry=registry)


VALIDATOR = validator()


def test_the_reference_pages_exist() -> None:
    names = {p.name for p in PAGES}
    assert {"README.md", "project.md", "table.md", "pipeline.md", "ingestion.md"} <= names
    assert "schedule.md" in names
    assert len(BLOCKS) >= 15


@pytest.mark.parametrize("block", BLOCKS, ids=[b.where for b in BLOCKS])
def test_example_is_a_valid_document(block: Block) -> None:
    docs = list(yaml.safe_load_all(block.body))
    assert docs, f"{block.where}: empty example"
    for doc in docs:
        assert isinstance(doc, dict) and "apiVersion" in doc and "kind" in doc, (
            f"{block.where}: not a complete document; mark partial snippets ```yaml fragment"
        )
        errors = [f"{e.json_path}: {e.message}" for e in VALIDATOR.iter_errors(doc)]
        assert errors == [], block.where


@pytest.mark.parametrize("block", FRAGMENTS, ids=[b.where for b in FRAGMENTS])
def test_fragment_is_valid_yaml(block: Block) -> None:
    list(yaml.safe_load_all(block.body))


def write_project(page: Page, root: Path) -> int:
    """The page's examples as one project under `root`; returns the number of documents."""
    project = DEFAULT_PROJECT
    count = 0
    for i, block in enumerate(page.yaml_blocks):
        docs = list(yaml.safe_load_all(block.body))
        if any(d["kind"] == "Project" for d in docs):
            assert len(docs) == 1, f"{block.where}: a Project example stands alone"
            assert project == DEFAULT_PROJECT, f"specs/{page.name}: two Project examples"
            project = block.body
            continue
        folder = FOLDER[docs[0]["kind"]]
        path = root / folder / f"example_{i:02d}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(block.body, encoding="utf-8")
        count += len(docs)
    (root / "alur.yaml").write_text(project, encoding="utf-8")
    for folder in set(FOLDER.values()):  # a real project has its spec folders
        (root / folder).mkdir(exist_ok=True)
    for relative, sql in page.sql_files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(sql, encoding="utf-8")
    return count


COMPILED = [p for p in ALL if p.yaml_blocks]


@pytest.mark.parametrize("page", COMPILED, ids=[p.name for p in COMPILED])
def test_page_examples_compile_together(page: Page, tmp_path: Path) -> None:
    api = pytest.importorskip("alur_compiler.api")
    if not hasattr(api, "load_project"):
        pytest.skip("alur_compiler.api.load_project does not exist yet")
    write_project(page, tmp_path)
    project, diags = api.load_project(tmp_path)
    found = [f"{d.span}: {d.code.code} {d.message}" for d in diags.sorted()]
    # a page may show a table without its writer: only "unused table" warnings are allowed
    assert [f for f in found if " AL314 " not in f] == []
    assert project is not None
    if (tmp_path / "tests").is_dir():  # kind: Test examples are checked as `alurc test` does
        from alur_compiler.diagnostics import Diagnostics
        from alur_compiler.load.discover import load_project_files, load_test_files
        from alur_compiler.testing.spec import load_tests

        diags = Diagnostics()
        docs = load_test_files(load_project_files(tmp_path, Diagnostics()), diags)
        load_tests(docs, project, diags)
        assert [f"{d.span}: {d.code.code} {d.message}" for d in diags.sorted()] == []


def test_examples_do_not_redefine_a_name_within_a_page() -> None:
    for page in ALL:
        seen: dict[tuple[str, str], str] = {}
        for block in page.yaml_blocks:
            for doc in yaml.safe_load_all(block.body):
                kind = "Job" if doc["kind"] in ("Pipeline", "Ingestion") else doc["kind"]
                key = (kind, str(doc.get("name")))
                assert key not in seen, f"{block.where}: {key} also at {seen[key]}"
                seen[key] = block.where


def test_readme_links_to_every_page() -> None:
    readme = (SPECS / "README.md").read_text(encoding="utf-8")
    for page in PAGES:
        if page.name != "README.md":
            assert f"]({page.name})" in readme, page.name
