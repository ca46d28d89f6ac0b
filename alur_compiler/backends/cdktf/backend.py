"""CdktfBackend: a CDKTF/CDK Terrain Python app that synthesizes the Terraform stacks."""

from __future__ import annotations

import json

from alur_compiler.backends.base import Artifact
from alur_compiler.backends.cdktf.app_template import MAIN_PY
from alur_compiler.diagnostics import Diagnostics
from alur_compiler.ir import Project

#: Optional extra; pinned like requirements-dev.txt. `cdktf` + `cdktf-cdktf-provider-aws`
#: (21.22.1, archived) work too: main.py imports either.
REQUIREMENTS = "cdktn==0.24.0\ncdktn-provider-aws==25.8.1\n"


class CdktfBackend:
    """Writes `cdktf/main.py`, `cdktf/cdktf.json` and `cdktf/requirements.txt`."""

    name = "cdktf"

    def generate(self, project: Project, diags: Diagnostics) -> list[Artifact]:
        envs = [e.name for e in project.environments]
        config = {
            "app": "python3 main.py",
            "language": "python",
            "output": "cdktf.out",
            "projectId": f"alurc-{project.name}",
            "sendCrashReports": "false",
            "terraformProviders": [],
            "terraformModules": [],
            "context": {},
        }
        cfg = json.dumps(config, indent=2, sort_keys=True) + "\n"
        main = MAIN_PY.format(project=project.name, environments=envs)
        return [
            Artifact("cdktf/cdktf.json", cfg.encode()),
            Artifact("cdktf/main.py", main.encode()),
            Artifact("cdktf/requirements.txt", REQUIREMENTS.encode()),
        ]
