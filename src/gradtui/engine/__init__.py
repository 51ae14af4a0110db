"""gradtui's autograd engine: numpy + stdlib only, behaving like PyTorch 2.13.

``gradtui.engine.Tensor`` is the tensor class; ``gradtui.engine.torchapi`` is the package learner
code sees as ``torch`` once ``gradtui.engine.shim.install()`` ran (importing this package never
installs it).
"""

from __future__ import annotations

from gradtui.engine.autograd import AccumulateGrad, Node, last_backward_leaves
from gradtui.engine.tensor import Tensor

__all__ = ["AccumulateGrad", "Node", "Tensor", "last_backward_leaves"]
