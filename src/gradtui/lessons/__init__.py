"""lessons layer."""
