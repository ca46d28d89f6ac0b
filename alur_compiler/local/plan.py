"""`alurc plan --local`: the change classes of the contracts against the local warehouse.

The same classification as a deploy (ir/changes.py, specs/evolution.md), compared with what
the warehouse holds (local/observed.py) instead of an environment's stored contracts.
"""

from __future__ import annotations

from alur_compiler.deploy.data_changes import DataPlan
from alur_compiler.ir import Project
from alur_compiler.ir.changes import classify
from alur_compiler.ir.shapes import project_shapes
from alur_compiler.local.observed import warehouse_shapes


def local_data_plan(project: Project) -> DataPlan:
    """Classify the project against its local warehouse (raises observed.UnreadableTable)."""
    from alur_compiler.local.runner import local_paths

    warehouse = local_paths(project)["warehouse"]
    before = warehouse_shapes(project, warehouse)
    return DataPlan(f"the local warehouse {warehouse}", classify(before, project_shapes(project)))
