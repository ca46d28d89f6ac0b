"""TerraformBackend: one plain Terraform JSON stack per environment."""

from __future__ import annotations

from alur_compiler.backends.base import Artifact
from alur_compiler.backends.terraform.chains import PACKAGE_FILE, lambda_package
from alur_compiler.backends.terraform.stack import build_stack, render
from alur_compiler.diagnostics import Diagnostics
from alur_compiler.ir import Project
from alur_compiler.ir.shapes import CONTRACTS_FILE, contracts_json


class TerraformBackend:
    """Writes `terraform/<env>/main.tf.json` for each environment of the project, and
    `terraform/<env>/alur_chains.zip` (the chain Lambda) when a job has `after:`."""

    name = "terraform"

    def generate(self, project: Project, diags: Diagnostics) -> list[Artifact]:
        out = []
        for env in project.environments:
            stack = render(build_stack(project, env, diags))
            out.append(Artifact(f"terraform/{env.name}/main.tf.json", stack))
            chain_zip = lambda_package(project, env)  # the `after:` chain Lambda
            if chain_zip is not None:
                out.append(Artifact(f"terraform/{env.name}/{PACKAGE_FILE}", chain_zip))
        if project.environments:  # uploaded by every stack: what `plan` compares with next
            out.append(Artifact(CONTRACTS_FILE, contracts_json(project)))
        return out
