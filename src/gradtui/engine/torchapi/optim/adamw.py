"""``torch.optim.AdamW`` (Loshchilov & Hutter, 2019): Adam with decoupled weight decay."""

from __future__ import annotations

from typing import Any

from gradtui.engine.torchapi.optim.adam import Adam


class AdamW(Adam):
    """Adam whose weight decay shrinks the parameter, ``p = p * (1 - lr * wd)``, before the
    update, instead of adding ``wd * p`` to the gradient; weight_decay defaults to 0.01."""

    def __init__(self, params: Any, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 1e-2, amsgrad: bool = False, *,
                 maximize: bool = False, foreach: bool | None = None, capturable: bool = False,
                 differentiable: bool = False, fused: bool | None = None) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach,
                         maximize=maximize, capturable=capturable,
                         differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        # torch keeps AdamW decoupled whatever a loaded state says
        for group in self.param_groups:
            group["decoupled_weight_decay"] = True


AdamW.__module__ = "torch.optim.adamw"
