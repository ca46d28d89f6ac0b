"""JSON Schema validation of spec documents, with errors mapped back to YAML spans."""
