"""`alurc init`: scaffold a working project with sample data and IDE schema support."""

from alur_compiler.scaffold.project import (
    SCHEMA_FOLDER,
    InitError,
    check_name,
    init_project,
    vscode_settings,
)
from alur_compiler.scaffold.schemas import schema_dir, schema_files

__all__ = [
    "SCHEMA_FOLDER",
    "InitError",
    "check_name",
    "init_project",
    "schema_dir",
    "schema_files",
    "vscode_settings",
]
