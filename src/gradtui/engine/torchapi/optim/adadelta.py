"""``torch.optim.Adadelta`` (Zeiler, 2012), in torch's order of operations
(``_single_tensor_adadelta``, the CPU default)."""

from __future__ import annotations

from typing import Any

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


class Adadelta(PerParameterOptimizer):
    """For each parameter p with gradient g (lr, rho, eps, weight decay wd):

        g = g + wd * p                                            (if wd != 0)
        v = rho * v + (1 - rho) * g * g
        delta = sqrt(u + eps) / sqrt(v + eps) * g
        u = rho * u + (1 - rho) * delta * delta
        p = p - lr * delta
    """

    def __init__(self, params: Any, lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6,
                 weight_decay: float = 0, foreach: bool | None = None, *,
                 capturable: bool = False, maximize: bool = False,
                 differentiable: bool = False) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {"lr": lr, "rho": rho, "eps": eps, "weight_decay": weight_decay,
                    "maximize": maximize, "capturable": capturable, "foreach": foreach,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    def _state_for(self, p: Tensor) -> dict[str, Any]:
        state = self.state[p]
        if len(state) == 0:
            state["step"] = new_step()
            state["square_avg"] = state_like(p)
            state["acc_delta"] = state_like(p)
        return state

    def _update(self, p: Tensor, group: dict[str, Any]) -> None:
        state = self._state_for(p)
        rho, eps = group["rho"], group["eps"]
        count_step(state["step"])
        grad = p._grad._array
        if group["maximize"]:
            grad = -grad
        param = p._array
        if group["weight_decay"] != 0:
            grad = K.add_scaled(grad, param, group["weight_decay"])
        square_avg, acc_delta = state["square_avg"], state["acc_delta"]
        # square_avg.mul_(rho).addcmul_(grad, grad, value=1 - rho)
        write(square_avg, K.addcmul(K.scale(square_avg._array, rho), grad, grad, 1 - rho),
              ops=2)
        eps_t = param.dtype.type(eps)
        std = K.sqrt(square_avg._array + eps_t)
        delta = K.sqrt(acc_delta._array + eps_t)
        delta = (delta / std) * grad  # delta.div_(std).mul_(grad)
        write(acc_delta, K.addcmul(K.scale(acc_delta._array, rho), delta, delta, 1 - rho),
              ops=2)
        write(p, K.add_scaled(param, delta, -hyper_lr(group)))


Adadelta.__module__ = "torch.optim.adadelta"
