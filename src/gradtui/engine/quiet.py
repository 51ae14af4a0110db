"""Silence numpy's floating-point warnings around engine arithmetic, cheaply.

torch answers ``1/0`` with inf and ``0/0`` with nan silently, numpy warns. ``np.errstate`` costs
about a microsecond per use, as much as a whole tiny op, so on numpy 2 (where the error state is
a context variable) we set that variable directly; elsewhere we fall back to ``np.errstate``.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

try:
    from numpy._core._ufunc_config import _extobj_contextvar, _make_extobj

    # enter() starts ignoring floating-point errors and returns the token for leave(token).
    # Both are C calls (a partial of ContextVar.set, and ContextVar.reset): no Python frame,
    # since every op pays for them.
    enter = functools.partial(_extobj_contextvar.set, _make_extobj(all="ignore"))
    leave = _extobj_contextvar.reset

except (ImportError, AttributeError, TypeError):  # numpy 1.x: the public, slower way

    def enter() -> Any:
        state = np.errstate(all="ignore")
        state.__enter__()
        return state

    def leave(token: Any) -> None:
        token.__exit__(None, None, None)
