"""``nn.PairwiseDistance`` and ``nn.CosineSimilarity``: ``F``'s distances as layers."""

from __future__ import annotations

from gradtui.engine.tensor import Tensor
from gradtui.engine.torchapi.nn import functional as F
from gradtui.engine.torchapi.nn.modules.module import Module


class PairwiseDistance(Module):
    """``||x1 - x2 + eps||_p`` over the last dim, one distance per row."""

    def __init__(self, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> None:
        super().__init__()
        self.norm = p
        self.eps = eps
        self.keepdim = keepdim

    def forward(self, x1: Tensor, x2: Tensor) -> Tensor:
        return F.pairwise_distance(x1, x2, self.norm, self.eps, self.keepdim)


class CosineSimilarity(Module):
    """``x1 . x2 / (|x1| |x2|)`` along ``dim`` (each norm at least ``eps``)."""

    def __init__(self, dim: int = 1, eps: float = 1e-8) -> None:
        super().__init__()
        self.dim = dim
        self.eps = eps

    def forward(self, x1: Tensor, x2: Tensor) -> Tensor:
        return F.cosine_similarity(x1, x2, self.dim, self.eps)


for _cls in (PairwiseDistance, CosineSimilarity):
    _cls.__module__ = "torch.nn.modules.distance"
