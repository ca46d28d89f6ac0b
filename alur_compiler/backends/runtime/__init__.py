"""The job runtime shipped as a wheel into the build folder."""

from alur_compiler.backends.runtime.backend import RuntimeBackend

__all__ = ["RuntimeBackend"]
