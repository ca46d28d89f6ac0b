"""TerraformBackend: one plain Terraform JSON stack per environment."""

from __future__ import annotations

from alur_compiler.backends.base import Artifact
from alur_compiler.backends.terraform.stack import build_stack, render
from alur_compiler.diagnostics import Diagnostics
from alur_compiler.ir import Project


class TerraformBackend:
    """Writes `terraform/<env>/main.tf.json` for each environment of the project."""

    name = "terraform"

    def generate(self, project: Project, diags: Diagnostics) -> list[Artifact]:
        return [
            Artifact(f"terraform/{env.name}/main.tf.json", render(build_stack(project, env, diags)))
            for env in project.environments
        ]
