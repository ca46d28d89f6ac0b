"""Re-export of the check lowering, which now lives in `alur_compiler.ir.check_sql`.

Kept only until the glue backend imports `native_checks` from `alur_compiler.ir.check_sql`
(a backend must not import another backend); then delete this module.
"""

from __future__ import annotations

from alur_compiler.ir.check_sql import lower_check, native_checks

__all__ = ["lower_check", "native_checks"]
