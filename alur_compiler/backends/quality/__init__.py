"""Data-quality backend: GX 1.x suites (build/quality/) and the native check lowering."""

from alur_compiler.backends.quality.backend import QualityBackend
from alur_compiler.ir.check_sql import lower_check, native_checks

__all__ = ["QualityBackend", "lower_check", "native_checks"]
