"""Tests of the teaching-lab server (gradtui.serve)."""
