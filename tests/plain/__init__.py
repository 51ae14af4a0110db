"""Tests of the plain REPL (a package, so test module names may repeat other areas')."""
