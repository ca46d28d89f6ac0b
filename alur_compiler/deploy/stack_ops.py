"""plan / apply / destroy of one environment, on an already compiled build folder."""

from __future__ import annotations

from pathlib import Path

from alur_compiler.deploy.errors import DeployError
from alur_compiler.deploy.plan_summary import PlanSummary, summarise, with_chains
from alur_compiler.deploy.terraform import TerraformOptions, TerraformRunner
from alur_compiler.ir import Environment, Project


def environment(project: Project, env_name: str) -> Environment:
    from alur_compiler import lookup
    from alur_compiler.diagnostics.suggest import UnknownName

    try:
        return lookup.environment(project, env_name)
    except UnknownName as exc:
        raise DeployError(exc.message, exc.hint, usage=True) from None


def runner(
    project: Project, env_name: str, build_dir: Path, options: TerraformOptions
) -> TerraformRunner:
    env = environment(project, env_name)
    return TerraformRunner(
        config_dir=(build_dir / "terraform" / env.name).resolve(),
        data_dir=(Path(project.root) / ".alur" / "terraform" / env.name).resolve(),
        options=options,
        local_state=env.state.backend != "s3",
    )


def plan(
    project: Project,
    env_name: str,
    build_dir: Path,
    options: TerraformOptions,
    destroy: bool = False,
) -> PlanSummary:
    """init + plan -out + show -json: the saved plan and its per-entity summary."""
    tf = runner(project, env_name, build_dir, options)
    tf.init()
    tf.plan(destroy=destroy)
    return with_chains(summarise(tf.show_plan(), env_name), project)


def saved_plan(
    project: Project, env_name: str, build_dir: Path, options: TerraformOptions
) -> PlanSummary:
    summary = summarise(runner(project, env_name, build_dir, options).show_plan(), env_name)
    return with_chains(summary, project)


def apply(
    project: Project,
    env_name: str,
    build_dir: Path,
    options: TerraformOptions,
    allow_destroy: bool = False,
) -> str:
    """Apply exactly the saved plan; refuse destructive changes unless allowed."""
    tf = runner(project, env_name, build_dir, options)
    summary = summarise(tf.show_plan(), env_name)
    if summary.destructive and not allow_destroy:
        names = ", ".join(c.address for c in summary.destructive)
        raise DeployError(
            f"the saved plan replaces or deletes data-holding resources: {names}",
            "review `alurc plan`; re-run apply with --allow-destroy if data loss is intended",
        )
    return tf.apply()
