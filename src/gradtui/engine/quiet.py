"""Silence numpy's floating-point warnings around engine arithmetic, cheaply.

torch answers ``1/0`` with inf and ``0/0`` with nan silently, numpy warns. ``np.errstate`` costs
about a microsecond per use, as much as a whole tiny op, so on numpy 2 (where the error state is
a context variable) we set that variable directly; elsewhere we fall back to ``np.errstate``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

try:
    from numpy._core._ufunc_config import _extobj_contextvar, _make_extobj

    _IGNORE = _make_extobj(all="ignore")

    def enter() -> Any:
        """Start ignoring floating-point errors; returns the token for ``leave``."""
        return _extobj_contextvar.set(_IGNORE)

    def leave(token: Any) -> None:
        _extobj_contextvar.reset(token)

except (ImportError, AttributeError, TypeError):  # numpy 1.x: the public, slower way

    def enter() -> Any:
        state = np.errstate(all="ignore")
        state.__enter__()
        return state

    def leave(token: Any) -> None:
        token.__exit__(None, None, None)
