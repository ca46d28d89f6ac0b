"""alurc: a YAML-first compiler for lakehouse pipelines on AWS."""

__version__ = "0.1.0"
