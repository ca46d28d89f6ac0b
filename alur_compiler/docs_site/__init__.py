"""`alurc docs`: a static, offline documentation site built from the IR and lineage.json.

Modules, one concern each: highlight (SQL as highlighted runs), expressions (the SQL of
each output column), lineage (column closures), dag (the layered job DAG layout), pages
(what each table and job page shows), site (the files). The page itself is
assets/index.html, app.css and app.js: plain JavaScript, no library, no network.
"""

from __future__ import annotations

from alur_compiler.docs_site.site import build_site

__all__ = ["build_site"]
