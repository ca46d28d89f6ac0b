"""Embedded Spark + Iceberg for `alurc run --local` and the integration tests."""
