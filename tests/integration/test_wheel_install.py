"""A normal (non-editable) install of alurc works on its own.

The wheel is built from a copy of this checkout, installed with `--no-deps` into a fresh
venv, and that venv's `alurc` scaffolds, validates, compiles and runs a project. The
third-party packages come from the dev venv through a plain path line in a `.pth` file:
a plain line only extends sys.path, it does not run the dev venv's own `.pth` files, so
the dev venv's editable `alur_compiler` is never activated (checked below).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from alur_compiler.schema.files import SCHEMA_DIR_ENV

ROOT = Path(__file__).resolve().parents[2]
#: What a source distribution carries (MANIFEST.in, pyproject.toml); the rest is not needed.
SOURCES = ["pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "schemas"]
PACKAGES = ["alur_compiler", "alur_runtime"]
DEV_SITE = sysconfig.get_paths()["purelib"]
TIMEOUT = 120


def _run(
    args: list[str | Path], cwd: Path, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


def _ok(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.returncode == 0, f"exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """alurc's wheel, built offline (no index, no build isolation) from a copy of the tree."""
    src = tmp_path_factory.mktemp("src")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for name in SOURCES + PACKAGES:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, src / name, ignore=ignore)
        elif path.is_file():
            shutil.copyfile(path, src / name)
    out = tmp_path_factory.mktemp("dist")
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    build = [*pip, "wheel", "-q", "--no-deps", "--no-build-isolation", "--no-index"]
    _ok(_run([*build, "-w", out, src], cwd=src, env=dict(os.environ)))
    (found,) = out.glob("alur_compiler-*.whl")
    return found


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A fresh venv with only the wheel installed; returns its bin/ folder and an env."""
    home = tmp_path_factory.mktemp("venv")
    _ok(_run([sys.executable, "-m", "venv", "--without-pip", home], cwd=home, env=dict(os.environ)))
    python = home / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env.pop(SCHEMA_DIR_ENV, None)  # the installed copy must be found on its own
    env["VIRTUAL_ENV"] = str(home)
    env["PATH"] = f"{home / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    install = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--python", python]
    _ok(_run([*install, "install", "-q", "--no-deps", "--no-index", wheel], cwd=home, env=env))
    site = _ok(_run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                    cwd=home, env=env)).strip()  # fmt: skip
    (Path(site) / "alurc_dev_site.pth").write_text(DEV_SITE + "\n", encoding="utf-8")
    return home / "bin", env


@pytest.fixture(scope="module")
def project(venv: tuple[Path, dict[str, str]], tmp_path_factory: pytest.TempPathFactory) -> Path:
    bin_dir, env = venv
    where = tmp_path_factory.mktemp("projects")
    _ok(_run([bin_dir / "alurc", "init", "demo"], cwd=where, env=env))
    return where / "demo"


def test_wheel_ships_the_schemas_byte_for_byte(wheel: Path) -> None:
    prefix = "alur_compiler/schemas/"
    with zipfile.ZipFile(wheel) as zf:
        shipped = {n[len(prefix) :]: zf.read(n) for n in zf.namelist() if n.startswith(prefix)}
    source = {p.name: p.read_bytes() for p in sorted((ROOT / "schemas").glob("*.json"))}
    assert sorted(shipped) == sorted(source)
    for name, data in source.items():
        assert shipped[name] == data, name


def test_wheel_carries_the_runtime_package(wheel: Path) -> None:
    runtime = ROOT / "alur_runtime"
    if not (runtime / "__init__.py").is_file():
        pytest.skip("alur_runtime/ does not exist in this checkout yet")
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
    expected = {
        p.relative_to(ROOT).as_posix()
        for p in runtime.rglob("*")
        if p.is_file() and (p.suffix == ".py" or p.name == "py.typed")
    }
    assert "alur_runtime/py.typed" in expected
    assert expected <= names, sorted(expected - names)


def test_the_fresh_venv_runs_the_installed_alurc(venv: tuple[Path, dict[str, str]]) -> None:
    bin_dir, env = venv
    code = (
        "import alur_compiler, yaml; from alur_compiler.schema.files import schema_dir;"
        " print(alur_compiler.__file__); print(schema_dir()); print(yaml.__file__)"
    )
    package, schemas, dependency = _ok(_run([bin_dir / "python", "-c", code], bin_dir, env)).split()
    home = bin_dir.parent.resolve()
    assert Path(package).resolve().is_relative_to(home), package
    assert not Path(package).resolve().is_relative_to(ROOT), package
    assert Path(schemas).resolve() == Path(package).resolve().parent / "schemas"
    assert Path(dependency).resolve().is_relative_to(Path(DEV_SITE).resolve())  # via the .pth


def test_init_settings_point_at_schemas_that_exist(project: Path, wheel: Path) -> None:
    settings = json.loads((project / ".vscode" / "settings.json").read_text(encoding="utf-8"))
    mapping = settings["yaml.schemas"]
    assert mapping
    with zipfile.ZipFile(wheel) as zf:
        for schema in mapping:
            path = (project / schema).resolve()
            assert path.is_file(), schema
            # the IDE reads the very bytes the installed compiler validates with
            assert path.read_bytes() == zf.read(f"alur_compiler/schemas/{path.name}")


def test_validate_and_compile(project: Path, venv: tuple[Path, dict[str, str]]) -> None:
    bin_dir, env = venv
    _ok(_run([bin_dir / "alurc", "validate"], cwd=project, env=env))
    _ok(_run([bin_dir / "alurc", "compile"], cwd=project, env=env))
    assert (project / "build" / "manifest.json").is_file()
    assert sorted(p.name for p in (project / "build" / "glue").glob("*.py")) == [
        "clean_orders.py",
        "daily_sales.py",
        "ingest_orders.py",
    ]


def test_installed_alurc_docs_finds_its_assets(
    project: Path, venv: tuple[Path, dict[str, str]], wheel: Path
) -> None:
    """The docs site's page ships as package data: the wheel's copy is what the site gets."""
    bin_dir, env = venv
    _ok(_run([bin_dir / "alurc", "docs", "--out", project / "site"], cwd=project, env=env))
    assets = ROOT / "alur_compiler" / "docs_site" / "assets"
    with zipfile.ZipFile(wheel) as zf:
        for source in sorted(assets.iterdir()):
            shipped = zf.read(f"alur_compiler/docs_site/assets/{source.name}")
            assert shipped == source.read_bytes(), source.name
            built = project / "site" / ("" if source.name == "index.html" else "assets")
            assert (built / source.name).read_bytes() == shipped, source.name


#: Installed into the fresh venv for the local run: `alur_runtime` may only be imported from
#: a wheel file on sys.path (the build's), never from site-packages or a source tree.
WHEEL_ONLY = """
import importlib.machinery, sys

class WheelOnly:
    def find_spec(self, name, path=None, target=None):
        if name != "alur_runtime":
            return None
        wheels = [p for p in sys.path if p.endswith(".whl")]
        spec = importlib.machinery.PathFinder.find_spec(name, wheels)
        if spec is None:
            raise ModuleNotFoundError("alur_runtime outside a wheel: " + str(wheels))
        return spec

sys.meta_path.insert(0, WheelOnly())
"""


@pytest.mark.spark
def test_run_local_imports_the_runtime_from_the_build_wheel(
    project: Path, venv: tuple[Path, dict[str, str]]
) -> None:
    """`alurc run --local` in its own process, hence its own JVM. The test process waits for
    it, so its shared session (if one was started) sits idle: one JVM works at a time.

    The installed alurc carries alur_runtime in site-packages too; an import hook in the
    fresh venv refuses every copy but a wheel file, so the run can only succeed on the
    runtime of build/runtime/*.whl, the file Glue installs."""
    if shutil.which("java") is None:
        pytest.skip("Java is not installed: embedded Spark needs Java 17")
    bin_dir, env = venv
    code = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    site = _ok(_run([bin_dir / "python", "-c", code], cwd=project, env=env)).strip()
    (Path(site) / "_alurc_wheel_only.py").write_text(WHEEL_ONLY, encoding="utf-8")
    (Path(site) / "_alurc_wheel_only.pth").write_text("import _alurc_wheel_only\n", "utf-8")
    blocked = _run([bin_dir / "python", "-c", "import alur_runtime"], cwd=project, env=env)
    assert blocked.returncode == 1 and "outside a wheel" in blocked.stderr  # the hook is live
    out = _ok(_run([bin_dir / "alurc", "run", "--local"], cwd=project, env=env))
    for job in ("ingest_orders", "clean_orders", "daily_sales"):
        assert job in out
