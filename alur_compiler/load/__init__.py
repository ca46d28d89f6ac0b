"""Loading YAML files with positions, discovery and routing by `kind`."""
