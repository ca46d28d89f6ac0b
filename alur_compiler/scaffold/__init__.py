"""`alurc init`: scaffold a working project with sample data and IDE schema support."""

from alur_compiler.scaffold.project import (
    SCHEMA_FOLDER,
    InitError,
    check_name,
    init_project,
    vscode_settings,
)

__all__ = [
    "SCHEMA_FOLDER",
    "InitError",
    "check_name",
    "init_project",
    "vscode_settings",
]
