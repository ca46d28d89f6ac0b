"""`alurc test`: unit tests of pipelines and ingestions, in YAML (`kind: Test`).

spec.py reads and checks the tests, execute.py runs one with its job's generated code in a
namespace of its own, diff.py compares rows, report.py renders results, suite.py is the
plain function the CLI calls. specs/testing.md is the reference.
"""
