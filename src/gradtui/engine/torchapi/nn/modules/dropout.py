"""``nn.Dropout``: zero each element with probability p while training, scale the rest by
1 / (1 - p); the identity in eval mode."""

from __future__ import annotations

from gradtui.engine.tensor import Tensor
from gradtui.engine.torchapi.nn import functional as F
from gradtui.engine.torchapi.nn.modules.module import Module


class Dropout(Module):
    """Random zeroing while ``self.training`` (``model.train()``), nothing after ``eval()``."""

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if p < 0 or p > 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.dropout(input, self.p, self.training, self.inplace)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


Dropout.__module__ = "torch.nn.modules.dropout"
