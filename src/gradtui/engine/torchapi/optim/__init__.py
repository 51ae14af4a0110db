"""``torch.optim``: the optimizers, updating parameters in place like torch's CPU kernels,
and ``lr_scheduler``."""

from __future__ import annotations

from gradtui.engine.torchapi.optim import lr_scheduler  # noqa: F401 - torch.optim.lr_scheduler
from gradtui.engine.torchapi.optim.adadelta import Adadelta
from gradtui.engine.torchapi.optim.adagrad import Adagrad
from gradtui.engine.torchapi.optim.adam import Adam
from gradtui.engine.torchapi.optim.adamax import Adamax
from gradtui.engine.torchapi.optim.adamw import AdamW
from gradtui.engine.torchapi.optim.optimizer import Optimizer
from gradtui.engine.torchapi.optim.rmsprop import RMSprop
from gradtui.engine.torchapi.optim.sgd import SGD

__all__ = ["SGD", "Adadelta", "Adagrad", "Adam", "AdamW", "Adamax", "Optimizer", "RMSprop"]


# as torch.optim does: its files (`import torch.optim.adam` still works) and the
# __future__ flag are not names of the package
del adadelta, adagrad, adam, adamax, adamw, annotations, optimizer, rmsprop, sgd  # noqa: F821
