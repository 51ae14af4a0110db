"""The check registry: each kind validates its parameters at load time and judges one cell.

Checks judge the learner's *state* (the kernel's snapshot and cell result, or an expression the
kernel evaluates), never the typed text, so a right answer reached another way passes. Every
failure message says what is wrong in words a learner who knows no PyTorch can act on.
"""

from __future__ import annotations

# Importing the kind modules registers their kinds.
from gradtui.lessons.checks import cell_kinds, predict, tensor_kinds  # noqa: F401
from gradtui.lessons.checks.base import (
    REGISTRY,
    Check,
    CheckParamError,
    CheckResult,
    Evaluate,
    JudgeContext,
    build_check,
)
from gradtui.lessons.checks.numeric import parse_numbers

__all__ = ["REGISTRY", "Check", "CheckParamError", "CheckResult", "Evaluate", "JudgeContext",
           "build_check", "parse_numbers"]
