"""Backend registry: a new backend is a new folder plus one line here."""

from __future__ import annotations

from alur_compiler.backends.base import Artifact, Backend
from alur_compiler.backends.cdktf import CdktfBackend
from alur_compiler.backends.glue import GlueBackend
from alur_compiler.backends.quality import QualityBackend
from alur_compiler.backends.terraform import TerraformBackend

BACKENDS: tuple[Backend, ...] = (
    QualityBackend(),
    GlueBackend(),
    TerraformBackend(),
    CdktfBackend(),
)

__all__ = ["BACKENDS", "Artifact", "Backend"]
