"""plain layer."""
