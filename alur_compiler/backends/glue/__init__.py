"""The glue backend: PySpark job scripts for AWS Glue 5.0 that also run locally."""

from alur_compiler.backends.glue.backend import GlueBackend

__all__ = ["GlueBackend"]
