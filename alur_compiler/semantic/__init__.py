"""Semantic checks beyond the schema: one concern per module."""
