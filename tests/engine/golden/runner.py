"""Run one golden snippet and record what a learner would observe.

The same function runs under real torch (``generate.py`` writes the fixtures) and under gradtui's
engine (``test_golden.py`` compares): whatever ``import torch`` resolves to when it is called is the
torch under test. Recorded: stdout, the exception (type name + message) if one escapes, and every
warning a learner would see under Python's default filters (category name + message), so "same
behaviour" means byte-identical records.
"""

from __future__ import annotations

import contextlib
import io
import warnings
from typing import Any

# Every snippet starts from these imports, as a learner's script or notebook would.
PRELUDE = (
    "import torch\n"
    "import torch.nn.functional as F\n"
    "from torch.autograd import Variable\n"
    "import numpy as np\n"
)


def run_snippet(source: str) -> dict[str, Any]:
    """Execute ``PRELUDE + source`` in a fresh namespace; return its observable record."""
    namespace: dict[str, Any] = {"__name__": "__main__"}
    out = io.StringIO()
    error: dict[str, str] | None = None
    with warnings.catch_warnings(record=True) as caught:
        _learner_warning_filters()
        try:
            with contextlib.redirect_stdout(out):
                exec(compile(PRELUDE + source, "<golden>", "exec"), namespace)
        except Exception as exc:  # noqa: BLE001 - the exception *is* the observation
            error = {"type": type(exc).__name__, "message": str(exc)}
        finally:
            _reset_global_state()
    return {
        "stdout": out.getvalue(),
        "error": error,
        "warnings": [
            {"category": w.category.__name__, "message": str(w.message)} for w in caught
        ],
    }


def _learner_warning_filters() -> None:
    """Python's default filters, whatever the host (pytest) set: what a learner's script sees.

    So library-internal DeprecationWarnings (numpy 2 vs torch's ``__array__``) stay hidden, and
    a warning repeated from one line shows once, as in ``python script.py``.
    """
    warnings.resetwarnings()
    warnings.simplefilter("default")
    for category in (ResourceWarning, ImportWarning, PendingDeprecationWarning,
                     DeprecationWarning):
        warnings.filterwarnings("ignore", category=category)
    warnings.filterwarnings("default", category=DeprecationWarning, module="__main__")


def _reset_global_state() -> None:
    """Undo process-wide settings a snippet may change, so cases stay independent."""
    import torch

    torch.set_printoptions(profile="default")
    torch.set_grad_enabled(True)
