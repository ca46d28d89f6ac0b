"""Backend registry: a new backend is a new folder plus one line here."""

from __future__ import annotations

from alur_compiler.backends.base import Artifact, Backend

BACKENDS: tuple[Backend, ...] = ()

__all__ = ["BACKENDS", "Artifact", "Backend"]
