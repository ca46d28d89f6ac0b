"""alur_runtime: the code that runs inside every alurc job, on AWS Glue 5.0 and locally.

`alurc compile` ships this package once per build as a byte-deterministic wheel
(`build/runtime/alur_runtime-<version>-py3-none-any.whl`); Glue installs it with
`--additional-python-modules`, and `alurc run --local` imports that same wheel file. Each
generated `glue/<job>.py` holds only the job's own values (a `JOB` literal typed by
`alur_runtime.config`) and calls `alur_runtime.entry.main(JOB)`.

It depends on PySpark (and boto3 for s3:// paths on Glue) and imports nothing from the
compiler (`alur_compiler`); tests/unit/test_layers.py keeps it that way.
"""

__version__ = "0.2.0"
