"""Attack tests: the lab holding against a hostile class (issue 12). See helpers.py."""
