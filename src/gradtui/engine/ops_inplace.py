"""Rows of the op table (schema at the top of ``ops.py``) that only in-place methods reach,
where torch records another node than the out-of-place op does.

- In-place views (``x.unsqueeze_(0)``, ``x.t_()``...) reshape the tensor itself: the same math
  as ``unsqueeze``/``t``..., under their own grad_fn names (``UnsqueezeBackward1``,
  ``TBackward1``...), so these rows are copies of those with torch's names.
- In-place comparisons (``x.gt_(0)``) write 0/1 into a float tensor, and torch records them:
  their derivative is 0 (``GtBackward0`` against a number, ``GtBackward1`` a tensor).
- ``clamp_min``/``clamp_max`` (in place and out) are their own ops in torch.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from gradtui.engine.kernels import elementwise as ew
from gradtui.engine.op_schema import OPS, op, wrt


def _renamed(name: str, like: str, grad_fn: str) -> None:
    """Row ``name``: row ``like`` under torch's grad_fn name ``grad_fn``."""
    OPS[name] = dataclasses.replace(OPS[like], name=name, grad_fn=grad_fn)


_renamed("unsqueeze_", "unsqueeze", "UnsqueezeBackward1")
_renamed("squeeze_", "squeeze", "SqueezeBackward3")
_renamed("squeeze_dim_", "squeeze_dim", "SqueezeBackward4")
_renamed("squeeze_dims_", "squeeze_dims", "SqueezeBackward5")
_renamed("t_", "t", "TBackward1")
_renamed("transpose_", "transpose", "TransposeBackward1")

for _name, _fn in (("eq", np.equal), ("ne", np.not_equal), ("lt", np.less),
                   ("le", np.less_equal), ("gt", np.greater), ("ge", np.greater_equal)):
    _title = _name.capitalize()
    op(_name + "_", f"{_title}Backward0",
       (lambda f: lambda self, other: (f(self, other).astype(self.dtype), ()))(_fn),
       derivatives=(wrt("self", "a step: d/da = 0", lambda grad: np.zeros_like(grad)),))
    op(_name + "_tensor_", f"{_title}Backward1",
       (lambda f: lambda self, other: (f(self, other).astype(self.dtype), ()))(_fn),
       derivatives=(wrt("self", "a step: d/da = 0", lambda grad: np.zeros_like(grad)),
                    wrt("other", "a step: d/db = 0", lambda grad: np.zeros_like(grad))))

op("clamp_min", "ClampMinBackward0",
   lambda self, min: (ew.clamp(self, min, None), (self, min)),
   saved=("self", "min"), plain=("min",), derivatives=(
       wrt("self", "1 where a >= min, else 0",
           lambda grad, self, min: np.where(self >= min, grad, 0)),))
op("clamp_max", "ClampMaxBackward0",
   lambda self, max: (ew.clamp(self, None, max), (self, max)),
   saved=("self", "max"), plain=("max",), derivatives=(
       wrt("self", "1 where a <= max, else 0",
           lambda grad, self, max: np.where(self <= max, grad, 0)),))
