"""Terraform backend: plain Terraform JSON per environment (see specs/deploy.md)."""

from alur_compiler.backends.terraform.backend import TerraformBackend
from alur_compiler.backends.terraform.iam import WILDCARD_EXCEPTIONS
from alur_compiler.backends.terraform.stack import build_stack, render

__all__ = ["WILDCARD_EXCEPTIONS", "TerraformBackend", "build_stack", "render"]
