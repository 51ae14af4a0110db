"""``torch.optim.Adamax`` (Kingma & Ba, 2014, section 7: Adam with the infinity norm), in
torch's order of operations (``_single_tensor_adamax``, the CPU default)."""

from __future__ import annotations

from typing import Any

import numpy as np

from gradtui.engine.tensor import Tensor
from gradtui.engine.torchapi.optim import _functional as K
from gradtui.engine.torchapi.optim.optimizer import (
    PerParameterOptimizer,
    count_step,
    hyper_lr,
    new_step,
    state_like,
    write,
)


class Adamax(PerParameterOptimizer):
    """For each parameter p with gradient g, at step t (lr, betas b1 b2, eps, weight decay wd):

        g = g + wd * p                                   (if wd != 0)
        m = m + (1 - b1) * (g - m)
        u = max(b2 * u, |g| + eps)
        p = p - lr / (1 - b1**t) * m / u

    No square root: float32 and float64 updates are torch's to the last bit.
    """

    def __init__(self, params: Any, lr: float = 2e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, foreach: bool | None = None, *,
                 maximize: bool = False, differentiable: bool = False,
                 capturable: bool = False) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "foreach": foreach, "maximize": maximize, "differentiable": differentiable,
                    "capturable": capturable}
        super().__init__(params, defaults)

    def _state_for(self, p: Tensor) -> dict[str, Any]:
        state = self.state[p]
        if len(state) == 0:
            state["step"] = new_step()
            state["exp_avg"] = state_like(p)
            state["exp_inf"] = state_like(p)
        return state

    def _update(self, p: Tensor, group: dict[str, Any]) -> None:
        state = self._state_for(p)
        beta1, beta2 = group["betas"]
        grad = p._grad._array
        if group["maximize"]:
            grad = -grad
        step = count_step(state["step"])
        param = p._array
        if group["weight_decay"] != 0:
            grad = K.add_scaled(grad, param, group["weight_decay"])
        exp_avg, exp_inf = state["exp_avg"], state["exp_inf"]
        write(exp_avg, K.lerp(exp_avg._array, grad, 1 - beta1))
        # torch.maximum(exp_inf.mul_(beta2), grad.abs().add_(eps), out=exp_inf)
        norm = np.abs(grad) + grad.dtype.type(group["eps"])
        write(exp_inf, np.maximum(K.scale(exp_inf._array, beta2), norm), ops=2)
        clr = hyper_lr(group) / (1 - beta1 ** float(step))
        write(p, K.addcdiv(param, exp_avg._array, exp_inf._array, -clr))


Adamax.__module__ = "torch.optim.adamax"
