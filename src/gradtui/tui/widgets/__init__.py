"""The workspace's widgets, one per file."""
