"""``nn.Flatten``: merge dims start_dim..end_dim into one (by default all but the batch dim)."""

from __future__ import annotations

from gradtui.engine.tensor import Tensor
from gradtui.engine.torchapi.nn.modules.module import Module


class Flatten(Module):
    """``input.flatten(start_dim, end_dim)``; (N, C, H, W) becomes (N, C*H*W) by default."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input: Tensor) -> Tensor:
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


Flatten.__module__ = "torch.nn.modules.flatten"
