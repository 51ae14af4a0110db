"""``torch.optim``: SGD and Adam, updating parameters in place like torch's CPU kernels."""

from __future__ import annotations

from gradtui.engine.torchapi.optim.adam import Adam
from gradtui.engine.torchapi.optim.optimizer import Optimizer
from gradtui.engine.torchapi.optim.sgd import SGD

__all__ = ["SGD", "Adam", "Optimizer"]
