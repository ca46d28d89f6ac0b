"""Database credentials of a jdbc source, by the secret's name; never logged, never in YAML,
never in job arguments.

- On Glue (`--alur_mode glue`): the Secrets Manager secret whose ARN Terraform put in
  `--alur_secret_arn` (an ARN is not a secret); its JSON holds `username` and `password`
  (the RDS form, whose `host`/`port`/`dbname` are ignored: the URL comes from the YAML).
  The job role may read exactly that secret.
- Locally, the first of:
  1. environment variables `ALURC_SECRET_<NAME>_USERNAME` and `ALURC_SECRET_<NAME>_PASSWORD`
     (`<NAME>`: the secret's name in upper case), optionally `_HOST`, `_PORT`, `_DATABASE`
     to reach another server than the YAML names (a laptop's database);
  2. the local secrets file, `$ALURC_SECRETS_FILE` or `~/.config/alurc/secrets.yaml`
     (`$XDG_CONFIG_HOME/alurc/secrets.yaml`), a mapping of names to the same keys
     (`username`, `password`, `host`, `port`, `database`). It must lie outside the
     project (it would be committed) and be readable by its owner only (chmod 600).

A message about a missing secret names where it was looked for, never a value.
"""

from __future__ import annotations

import json
import os
import stat
from typing import Any

from alur_runtime.common import JobFailed

#: the keys of a credentials entry; `username` and `password` are required
KEYS = ("username", "password", "host", "port", "database")


class Credentials(dict[str, str]):
    """username, password and optional host/port/database; its repr hides the password."""

    def __repr__(self) -> str:
        return "Credentials(" + ", ".join(f"{k}=***" for k in sorted(self)) + ")"

    __str__ = __repr__


def env_prefix(secret: str) -> str:
    return f"ALURC_SECRET_{secret.upper()}_"


def secrets_file() -> str:
    explicit = os.environ.get("ALURC_SECRETS_FILE")
    if explicit:
        return os.path.abspath(os.path.expanduser(explicit))
    config = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return os.path.join(config, "alurc", "secrets.yaml")


def resolve(secret: str, args: dict[str, str]) -> Credentials:
    """The credentials named `secret`, from Secrets Manager on Glue, else the environment
    or the local secrets file; JobFailed (naming where it looked) when absent."""
    if args.get("alur_mode") == "glue":
        return _from_secrets_manager(secret, args)
    found = _from_env(secret) or _from_file(secret, args)
    if found is None:
        prefix = env_prefix(secret)
        raise JobFailed(
            f"no credentials for secret '{secret}': set {prefix}USERNAME and {prefix}PASSWORD, "
            f"or add '{secret}' with username and password to {secrets_file()}"
        )
    return found


def _from_env(secret: str) -> Credentials | None:
    prefix = env_prefix(secret)
    values = {k: os.environ[prefix + k.upper()] for k in KEYS if prefix + k.upper() in os.environ}
    if "username" not in values and "password" not in values:
        return None
    if "username" not in values or "password" not in values:
        raise JobFailed(f"secret '{secret}': set both {prefix}USERNAME and {prefix}PASSWORD")
    return Credentials(values)


def _inside(path: str, folder: str) -> bool:
    folder = os.path.realpath(folder)
    return os.path.commonpath([os.path.realpath(path), folder]) == folder


def _from_file(secret: str, args: dict[str, str]) -> Credentials | None:
    path = secrets_file()
    if not os.path.isfile(path):
        return None
    root = args.get("alur_project_root")
    if root and _inside(path, root):
        raise JobFailed(
            f"the secrets file {path} is inside the project {root}: move it out (it would be "
            "committed), e.g. to ~/.config/alurc/secrets.yaml"
        )
    if os.stat(path).st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise JobFailed(f"the secrets file {path} is readable by others: chmod 600 {path}")
    entry = _load(path).get(secret)
    if entry is None:
        return None
    if not isinstance(entry, dict) or not {"username", "password"} <= set(entry):
        raise JobFailed(f"secret '{secret}' in {path} needs username and password")
    return Credentials({k: str(entry[k]) for k in KEYS if k in entry})


def _load(path: str) -> dict[str, Any]:
    import yaml

    with open(path, encoding="utf-8") as fh:
        try:
            data = yaml.safe_load(fh)
        except yaml.YAMLError as exc:  # no value is shown: the position only
            mark = getattr(exc, "problem_mark", None)
            where = f" at line {mark.line + 1}" if mark is not None else ""
            raise JobFailed(f"the secrets file {path} is not valid YAML{where}") from None
    if not isinstance(data, dict):
        raise JobFailed(f"the secrets file {path} must map secret names to entries")
    return data


def _from_secrets_manager(secret: str, args: dict[str, str]) -> Credentials:
    arn = args.get("alur_secret_arn")
    if not arn:
        raise JobFailed(f"secret '{secret}': the job has no --alur_secret_arn argument")
    import boto3

    client = boto3.client(
        "secretsmanager", endpoint_url=os.environ.get("ALUR_SECRETSMANAGER_ENDPOINT") or None
    )
    value = client.get_secret_value(SecretId=arn)
    try:
        data = json.loads(value["SecretString"])
    except (KeyError, TypeError, ValueError):
        raise JobFailed(f"secret {arn} does not hold JSON with username and password") from None
    if not isinstance(data, dict) or not {"username", "password"} <= set(data):
        raise JobFailed(f"secret {arn} does not hold JSON with username and password")
    return Credentials({"username": str(data["username"]), "password": str(data["password"])})
