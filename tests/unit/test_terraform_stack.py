"""Structure of the generated Terraform JSON (small hand-built IR and examples/retail)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from alur_compiler.backends.terraform import TerraformBackend, build_stack, render
from alur_compiler.deploy.sample import sample_environment, sample_project
from alur_compiler.diagnostics import Diagnostics
from alur_compiler.ir import StateBackend
from alur_compiler.ir.runtime import runtime_version

ROOT = Path(__file__).resolve().parents[2]
PLUGIN_DIR = Path("/opt/tf-plugins")


def _stack(**kw: Any) -> dict[str, Any]:
    project = sample_project(**kw)
    diags = Diagnostics()
    doc = build_stack(project, project.environments[0], diags)
    assert not diags.items
    return doc


def test_one_file_per_environment_deterministic_bytes() -> None:
    arts = TerraformBackend().generate(sample_project(), Diagnostics())
    assert [a.path for a in arts] == [
        "terraform/dev/main.tf.json",
        "terraform/dev/alur_chains.zip",  # the after: chain Lambda (test_schedule_terraform.py)
        "terraform/prod/main.tf.json",
        "terraform/prod/alur_chains.zip",
        "terraform/contracts.json",  # the deployed shapes, uploaded by every stack
    ]
    again = TerraformBackend().generate(sample_project(), Diagnostics())
    assert [a.content for a in arts] == [a.content for a in again]
    text = arts[0].content.decode()
    assert text.endswith("}\n") and text.startswith('{\n  "//": ')
    assert text == json.dumps(json.loads(text), indent=2, sort_keys=True) + "\n"


def test_resource_inventory() -> None:
    res = _stack()["resource"]
    assert {
        t: sorted(r)
        for t, r in res.items()
        if t.startswith(("aws_glue_t", "aws_glue_w", "aws_dynamo"))
    } == {
        "aws_dynamodb_table": ["environment__dev__state"],
        "aws_glue_trigger": ["ingestion__ingest_orders__cron", "pipeline__daily_revenue__cron"],
    }
    assert sorted(b["bucket"] for b in res["aws_s3_bucket"].values()) == [
        "shop-dev-artifacts",
        "shop-dev-lake",
    ]
    assert sorted(o["key"] for o in res["aws_s3_object"].values()) == [
        "glue/clean_orders.py",
        "glue/daily_revenue.py",
        "glue/ingest_orders.py",
        "quality/orders.json",
        "quality/orders_raw.json",
        "runtime/alur_runtime-" + runtime_version() + "-py3-none-any.whl",
        "terraform/contracts.json",
    ]
    assert sorted(d["name"] for d in res["aws_glue_catalog_database"].values()) == [
        "shop_dev_bronze",
        "shop_dev_gold",
        "shop_dev_silver",
    ]
    assert list(res["aws_glue_catalog_table"]) == ["table__orders_raw"]  # silver/gold: by the jobs


def test_buckets_are_private_encrypted_versioned() -> None:
    res = _stack()["resource"]
    for name in ("environment__dev__lake", "environment__dev__artifacts"):
        ref = f"${{aws_s3_bucket.{name}.id}}"
        assert res["aws_s3_bucket_versioning"][name]["versioning_configuration"] == [
            {"status": "Enabled"}
        ]
        sse = res["aws_s3_bucket_server_side_encryption_configuration"][name]
        assert sse["rule"][0]["apply_server_side_encryption_by_default"] == [
            {"sse_algorithm": "AES256"}
        ]
        pab = res["aws_s3_bucket_public_access_block"][name]
        assert pab["bucket"] == ref and all(pab[k] is True for k in pab if k != "bucket")
        assert res["aws_s3_bucket_ownership_controls"][name]["rule"] == [
            {"object_ownership": "BucketOwnerEnforced"}
        ]
    assert res["aws_s3_bucket"]["environment__dev__lake"]["force_destroy"] is False


def test_script_object_follows_file_content() -> None:
    obj = _stack()["resource"]["aws_s3_object"]["pipeline__daily_revenue__script"]
    assert obj["source"] == "${path.module}/../../glue/daily_revenue.py"
    assert obj["source_hash"] == '${filemd5("${path.module}/../../glue/daily_revenue.py")}'
    assert obj["tags"] == {"alur-entity": "pipeline:daily_revenue", "pipeline": "daily_revenue"}


def test_bronze_table_types_and_partitions() -> None:
    table = _stack()["resource"]["aws_glue_catalog_table"]["table__orders_raw"]
    sd = table["storage_descriptor"][0]
    assert sd["location"] == "s3://shop-dev-lake/bronze/orders_raw/"
    assert [(c["name"], c["type"]) for c in sd["columns"]] == [
        ("order_id", "string"),
        ("amount", "decimal(10,2)"),
        ("quantity", "bigint"),
        ("tags", "array<string>"),
        ("address", "struct<city:string,zip:int>"),
        ("attrs", "map<string,double>"),
        ("order_ts", "timestamp"),
        ("_ingested_at", "timestamp"),
        ("_source_file", "string"),
        ("_source_system", "string"),
        ("_batch_id", "string"),
    ]
    assert table["partition_keys"] == [{"name": "order_date", "type": "date", "comment": ""}]
    assert sd["ser_de_info"][0]["serialization_library"].endswith("ParquetHiveSerDe")
    assert table["database_name"] == "${aws_glue_catalog_database.environment__dev__db_bronze.name}"


def test_glue_job_settings_and_arguments() -> None:
    job = _stack()["resource"]["aws_glue_job"]["pipeline__daily_revenue"]
    assert (job["name"], job["glue_version"], job["worker_type"], job["number_of_workers"]) == (
        "shop-dev-daily_revenue",
        "5.0",
        "G.1X",
        3,
    )
    assert (job["max_retries"], job["timeout"], job["execution_class"]) == (1, 60, "STANDARD")
    assert job["command"] == [
        {
            "name": "glueetl",
            "python_version": "3",
            "script_location": "s3://shop-dev-artifacts/glue/daily_revenue.py",
        }
    ]
    args = job["default_arguments"]
    wheel = f"s3://shop-dev-artifacts/runtime/alur_runtime-{runtime_version()}-py3-none-any.whl"
    assert args["--additional-python-modules"] == wheel  # the runtime, as AWS documents
    assert "aws_s3_object.environment__dev__runtime" in job["depends_on"]
    assert args["--datalake-formats"] == "iceberg"
    assert args["--enable-glue-datacatalog"] == "true"
    assert args["--conf"] == (
        "spark.sql.extensions=org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions"
        " --conf spark.sql.catalog.glue_catalog=org.apache.iceberg.spark.SparkCatalog"
        " --conf spark.sql.catalog.glue_catalog.catalog-impl="
        "org.apache.iceberg.aws.glue.GlueCatalog"
        " --conf spark.sql.catalog.glue_catalog.io-impl=org.apache.iceberg.aws.s3.S3FileIO"
        " --conf spark.sql.catalog.glue_catalog.warehouse=s3://shop-dev-lake/iceberg/"
    )
    assert {k: v for k, v in args.items() if k.startswith("--alur_")} == {
        "--alur_mode": "glue",
        "--alur_env": "dev",
        "--alur_project": "shop",
        "--alur_lake": "s3://shop-dev-lake",
        "--alur_landing": "s3://shop-dev-landing",
        "--alur_state": "shop-dev-lake-alur-state",
        "--alur_db_bronze": "shop_dev_bronze",
        "--alur_db_silver": "shop_dev_silver",
        "--alur_db_gold": "shop_dev_gold",
        "--alur_reports": "s3://shop-dev-artifacts/reports/daily_revenue",
    }
    assert args["--TempDir"] == "s3://shop-dev-artifacts/tmp/daily_revenue/"
    assert args["--enable-continuous-cloudwatch-log"] == "true"


def test_triggers_cron_only_after_is_the_chain_lambdas() -> None:
    """`after:` has no Glue trigger or workflow (chains.py; test_schedule_terraform.py)."""
    res = _stack()["resource"]
    assert "aws_glue_workflow" not in res
    cron = res["aws_glue_trigger"]["ingestion__ingest_orders__cron"]
    assert (cron["type"], cron["schedule"], "workflow_name" in cron) == (
        "SCHEDULED",
        "cron(15 * * * ? *)",
        False,
    )
    assert list(res["aws_lambda_function"]) == ["environment__dev__chains"]


def test_state_table_contract() -> None:
    table = _stack()["resource"]["aws_dynamodb_table"]["environment__dev__state"]
    assert (table["name"], table["hash_key"], table["range_key"], table["billing_mode"]) == (
        "shop-dev-lake-alur-state",
        "pk",
        "sk",
        "PAY_PER_REQUEST",
    )
    assert table["point_in_time_recovery"] == [{"enabled": True}]
    assert table["server_side_encryption"] == [{"enabled": True}]


def test_provider_tags_endpoints_and_backends() -> None:
    doc = _stack()
    assert doc["provider"]["aws"][0]["default_tags"] == [
        {
            "tags": {
                "cost-center": "data",
                "environment": "dev",
                "managed-by": "alurc",
                "project": "shop",
            }
        }
    ]
    assert "endpoints" not in doc["provider"]["aws"][0]
    assert doc["terraform"]["backend"] == {"local": {}}
    assert doc["terraform"]["required_providers"]["aws"] == {
        "source": "hashicorp/aws",
        "version": "~> 5.100",
    }
    state = StateBackend("s3", "tfstate-b", None, "tf-lock", None)
    emu = _stack(envs=(sample_environment("dev", endpoint="http://localhost:5000", state=state),))
    provider = emu["provider"]["aws"][0]
    assert provider["endpoints"][0]["glue"] == "http://localhost:5000"
    assert provider["s3_use_path_style"] is True and provider["skip_credentials_validation"] is True
    s3 = emu["terraform"]["backend"]["s3"]
    assert (s3["bucket"], s3["key"], s3["dynamodb_table"], s3["encrypt"]) == (
        "tfstate-b",
        "shop/dev/terraform.tfstate",
        "tf-lock",
        True,
    )


def test_account_lookup_when_alur_yaml_has_none() -> None:
    doc = _stack(envs=(sample_environment("dev", account=None),))
    assert doc["data"] == {"aws_caller_identity": {"current": {}}}
    policy = json.loads(
        doc["resource"]["aws_iam_role_policy"]["pipeline__clean_orders__role"]["policy"]
    )
    assert "${data.aws_caller_identity.current.account_id}" in json.dumps(policy)


def _validate(build: Path, doc: dict[str, Any]) -> None:
    """terraform validate on build/terraform/dev, with stand-ins for the uploaded files."""
    if shutil.which("terraform") is None or not PLUGIN_DIR.is_dir():
        pytest.skip("terraform CLI or provider mirror /opt/tf-plugins missing: validate not run")
    folder = build / "terraform" / "dev"
    folder.mkdir(parents=True)
    (folder / "main.tf.json").write_bytes(render(doc))
    for obj in doc["resource"]["aws_s3_object"].values():
        (build / obj["key"]).parent.mkdir(parents=True, exist_ok=True)
        (build / obj["key"]).write_text("stand-in\n")
    if "aws_lambda_function" in doc["resource"]:  # the after: chain Lambda's package
        (folder / "alur_chains.zip").write_text("stand-in\n")
    init = [
        "terraform",
        f"-chdir={folder}",
        "init",
        "-backend=false",
        "-input=false",
        f"-plugin-dir={PLUGIN_DIR}",
    ]
    subprocess.run(init, check=True, capture_output=True, timeout=120)
    out = subprocess.run(
        ["terraform", f"-chdir={folder}", "validate", "-json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    result = json.loads(out.stdout)
    assert result["valid"] is True and result["error_count"] == 0, result


@pytest.mark.terraform
def test_terraform_validate_sample(tmp_path: Path) -> None:
    art = TerraformBackend().generate(sample_project(), Diagnostics())[0]
    _validate(tmp_path, json.loads(art.content))


@pytest.mark.terraform
def test_retail_example_validates(tmp_path: Path) -> None:
    from alur_compiler import api

    project, diags = api.load_project(ROOT / "examples" / "retail")
    assert project is not None and not diags.has_errors
    tf_diags = Diagnostics()
    arts = TerraformBackend().generate(project, tf_diags)
    assert not tf_diags.items
    dev = json.loads(arts[0].content)
    jobs = dev["resource"]["aws_glue_job"]
    assert len(jobs) == 8 and jobs["pipeline__clean_orders"]["number_of_workers"] == 3
    assert dev["terraform"]["backend"]["s3"]["key"] == "retail/dev/terraform.tfstate"
    assert sorted(dev["resource"]["aws_glue_catalog_table"]) == [
        "table__customers_raw",
        "table__orders_raw",
        "table__products_raw",
    ]
    _validate(tmp_path, dev)
