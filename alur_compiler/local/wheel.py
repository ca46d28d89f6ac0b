"""Import `alur_runtime` from the wheel a compile wrote, never from the source tree.

`alurc run --local` must run the very bytes Glue installs: the wheel in
`build/runtime/`. A pure-Python wheel is a zip that `zipimport` reads, so the wheel file
itself goes first on `sys.path`, every `alur_runtime` module imported from anywhere else
is dropped from `sys.modules`, and all runtime modules are imported from the wheel at
once (so a later read never reaches a file that has since changed). A wheel with the same
sha256 as the one already loaded is not loaded again: wheels are byte-deterministic, so
equal bytes are the same runtime. `loaded_from()` tells which file the runtime came from.
"""

from __future__ import annotations

import hashlib
import importlib
import sys
import zipfile
from pathlib import Path
from types import ModuleType

PACKAGE = "alur_runtime"
_loaded: dict[str, str] = {}  # "sha256" and "path" of the wheel now in sys.modules


class RuntimeWheelMissing(RuntimeError):
    """The build folder has no runtime wheel (compile first)."""


def load_runtime(wheel: Path) -> ModuleType:
    """The `alur_runtime` package, imported from `wheel` (see the module docstring)."""
    if not wheel.is_file():
        raise RuntimeWheelMissing(f"the job runtime {wheel} is missing: run `alurc compile`")
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    current = sys.modules.get(PACKAGE)
    if current is not None and _loaded.get("sha256") == digest and loaded_from() is not None:
        return current
    for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
        del sys.modules[name]
    for entry in [p for p in sys.path if p.endswith(".whl") and Path(p).name.startswith(PACKAGE)]:
        sys.path.remove(entry)
    sys.path.insert(0, str(wheel))
    importlib.invalidate_caches()
    package = importlib.import_module(PACKAGE)
    with zipfile.ZipFile(wheel) as archive:
        modules = sorted(
            n[len(PACKAGE) + 1 : -3]
            for n in archive.namelist()
            if n.startswith(PACKAGE + "/") and n.endswith(".py") and n.count("/") == 1
        )
    for module in modules:
        if module != "__init__":
            importlib.import_module(f"{PACKAGE}.{module}")
    if loaded_from() != str(wheel):
        raise ImportError(f"alur_runtime was imported from {package.__file__}, not from {wheel}")
    _loaded.update(sha256=digest, path=str(wheel))
    return package


def loaded_from() -> str | None:
    """The wheel file the runtime in `sys.modules` was imported from (None: not loaded)."""
    module = sys.modules.get(PACKAGE)
    if module is None:
        return None
    file = str(getattr(module, "__file__", ""))
    return file.split(".whl/", 1)[0] + ".whl" if ".whl/" in file else None
