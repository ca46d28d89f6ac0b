"""CDKTF backend: an optional Python app equivalent to the Terraform JSON (specs/deploy.md)."""

from alur_compiler.backends.cdktf.backend import CdktfBackend

__all__ = ["CdktfBackend"]
