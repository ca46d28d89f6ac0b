"""`glue.arguments` and `glue.spark_conf` must not redirect what alurc sets itself (AL315).

Every job argument the terraform backend writes (backends/terraform/jobs.py) is reserved:
a user `--conf` would replace the Iceberg catalog configuration, `--alur_lake` would send
the job to another lake. `--additional-python-modules` is the exception: it is merged,
the runtime wheel first. Extra Spark settings go to `glue.spark_conf`, chained after
alurc's own `--conf` settings; the Iceberg catalog keys among them are reserved too.
tests/unit/test_glue_arguments.py keeps these lists equal to what the backend writes.
"""

from __future__ import annotations

from collections.abc import Iterator

from alur_compiler.diagnostics import Diagnostics, codes
from alur_compiler.load.source import SourceDoc

#: argument -> what alurc sets it to (the message says so)
RESERVED_ARGUMENTS: dict[str, str] = {
    "--conf": "the Iceberg catalog settings",
    "--datalake-formats": "iceberg",
    "--enable-glue-datacatalog": "the Glue Data Catalog as metastore",
    "--enable-metrics": "job metrics",
    "--enable-continuous-cloudwatch-log": "continuous logging",
    "--continuous-log-logGroup": "the job's own log group",
    "--TempDir": "the job's scratch prefix in the artifacts bucket",
    "--job-language": "python",
}
#: every `--alur_*` argument belongs to the runtime (mode, lake, state, databases, ...)
RUNTIME_PREFIX = "--alur_"
MERGED_ARGUMENTS = ("--additional-python-modules",)
#: Spark settings alurc's `--conf` sets: the Iceberg catalog `glue_catalog`
RESERVED_SPARK_KEYS = ("spark.sql.extensions", "spark.sql.catalog.glue_catalog")
CONF_SEPARATOR = "--conf"


def reserved_argument(name: str) -> str | None:
    """Why alurc owns the argument `name`, or None when a user may set it."""
    if name in RESERVED_ARGUMENTS:
        return f"alurc sets it to {RESERVED_ARGUMENTS[name]}"
    if name.lower().startswith(RUNTIME_PREFIX):
        return "alurc's runtime reads its settings from --alur_* arguments"
    return None


def reserved_spark_key(key: str) -> bool:
    return any(key == k or key.startswith(k + ".") for k in RESERVED_SPARK_KEYS)


def glue_blocks(doc: SourceDoc) -> Iterator[tuple[str, dict[str, object]]]:
    """(JSON pointer, block) of each `glue:` block of a document."""
    data = doc.data
    if data.get("kind") == "Project":
        defaults = data.get("defaults")
        if isinstance(defaults, dict) and isinstance(defaults.get("glue"), dict):
            yield "/defaults/glue", defaults["glue"]
        envs = data.get("environments")
        for name, env in envs.items() if isinstance(envs, dict) else ():
            if isinstance(env, dict) and isinstance(env.get("glue"), dict):
                yield f"/environments/{_pointer(str(name))}/glue", env["glue"]
    elif isinstance(data.get("glue"), dict):
        yield "/glue", data["glue"]


def check_glue_arguments(doc: SourceDoc, diags: Diagnostics) -> None:
    """No reserved argument in `glue.arguments`, no reserved key or `--conf` chaining in
    `glue.spark_conf` (AL315), each located at its key."""
    for ptr, block in glue_blocks(doc):
        arguments = block.get("arguments")
        for name in arguments if isinstance(arguments, dict) else ():
            why = reserved_argument(str(name))
            if why is not None:
                diags.report(
                    codes.RESERVED_SETTING,
                    f"glue argument '{name}' is reserved: {why}",
                    doc.span_of(f"{ptr}/arguments/{_pointer(str(name))}", key=True),
                    hint=_argument_hint(str(name)),
                )
        _check_spark_conf(doc, ptr, block.get("spark_conf"), diags)


def _check_spark_conf(doc: SourceDoc, ptr: str, conf: object, diags: Diagnostics) -> None:
    for key, value in conf.items() if isinstance(conf, dict) else ():
        at = f"{ptr}/spark_conf/{_pointer(str(key))}"
        if reserved_spark_key(str(key)):
            diags.report(
                codes.RESERVED_SETTING,
                f"Spark setting '{key}' is reserved: alurc configures the Iceberg catalog "
                "'glue_catalog' with it",
                doc.span_of(at, key=True),
                hint="use another catalog name for your own catalog settings",
            )
        elif isinstance(value, str) and CONF_SEPARATOR in value:
            diags.report(
                codes.RESERVED_SETTING,
                f"the value of Spark setting '{key}' contains '{CONF_SEPARATOR}', which "
                "would start another setting",
                doc.span_of(at),
                hint="give each setting its own key under spark_conf",
            )


def _argument_hint(name: str) -> str:
    if name == "--conf":
        return "put Spark settings under glue.spark_conf, e.g. spark.sql.adaptive.enabled: 'true'"
    return "remove it; " + ", ".join(MERGED_ARGUMENTS) + " is merged with alurc's value"


def _pointer(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")
