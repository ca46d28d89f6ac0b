"""Backend registry: a new backend is a new folder plus one line in `registered()`.

Backends are imported on first use of `BACKENDS`, so commands that need none of them (an
unchanged recompile, `validate`) do not pay for importing them.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from alur_compiler.backends.base import Artifact, Backend


@lru_cache(maxsize=1)
def registered() -> tuple[Backend, ...]:
    from alur_compiler.backends.cdktf import CdktfBackend
    from alur_compiler.backends.glue import GlueBackend
    from alur_compiler.backends.quality import QualityBackend
    from alur_compiler.backends.runtime import RuntimeBackend
    from alur_compiler.backends.terraform import TerraformBackend

    return (
        QualityBackend(),
        GlueBackend(),
        RuntimeBackend(),
        TerraformBackend(),
        CdktfBackend(),
    )


def __getattr__(name: str) -> Any:
    if name == "BACKENDS":
        return registered()
    raise AttributeError(name)


__all__ = ["BACKENDS", "Artifact", "Backend", "registered"]
