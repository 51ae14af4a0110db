"""``torch.optim.RMSprop`` (Hinton's lecture 6e), in torch's order of operations
(``_single_tensor_rmsprop``, the CPU default)."""

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


class RMSprop(PerParameterOptimizer):
    """For each parameter p with gradient g (lr, smoothing alpha, eps, weight decay wd,
    momentum mu):

        g = g + wd * p                                              (if wd != 0)
        v = alpha * v + (1 - alpha) * g * g
        avg = sqrt(v - m * m) + eps,  m = m + (1 - alpha) * (g - m)   (centered)
        avg = sqrt(v) + eps                                         (otherwise)
        b = mu * b + g / avg,  p = p - lr * b                       (if mu > 0)
        p = p - lr * g / avg                                        (otherwise)
    """

    def __init__(self, params: Any, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0, momentum: float = 0, centered: bool = False,
                 capturable: bool = False, foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= momentum:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= alpha:
            raise ValueError(f"Invalid alpha value: {alpha}")
        defaults = {"lr": lr, "momentum": momentum, "alpha": alpha, "eps": eps,
                    "centered": centered, "weight_decay": weight_decay,
                    "capturable": capturable, "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    def _state_for(self, p: Tensor, group: dict[str, Any]) -> dict[str, Any]:
        state = self.state[p]
        if len(state) == 0:
            state["step"] = new_step()
            state["square_avg"] = state_like(p)
            if group["momentum"] > 0:
                state["momentum_buffer"] = state_like(p)
            if group["centered"]:
                state["grad_avg"] = state_like(p)
        return state

    def _update(self, p: Tensor, group: dict[str, Any]) -> None:
        state = self._state_for(p, group)
        lr, alpha, eps = hyper_lr(group), group["alpha"], group["eps"]
        grad = p._grad._array
        if group["maximize"]:
            grad = -grad
        count_step(state["step"])
        param = p._array
        if group["weight_decay"] != 0:
            grad = K.add_scaled(grad, param, group["weight_decay"])
        square_avg = state["square_avg"]
        # square_avg.mul_(alpha).addcmul_(grad, grad, value=1 - alpha)
        write(square_avg, K.addcmul(K.scale(square_avg._array, alpha), grad, grad, 1 - alpha),
              ops=2)
        if group["centered"]:
            grad_avg = state["grad_avg"]
            write(grad_avg, K.lerp(grad_avg._array, grad, 1 - alpha))
            m = grad_avg._array
            avg = K.sqrt(K.addcmul(square_avg._array, m, m, -1))
        else:
            avg = K.sqrt(square_avg._array)
        avg = avg + avg.dtype.type(eps)
        if group["momentum"] > 0:
            buf = state["momentum_buffer"]
            # buf.mul_(momentum).addcdiv_(grad, avg); param.add_(buf, alpha=-lr)
            write(buf, K.addcdiv(K.scale(buf._array, group["momentum"]), grad, avg, 1), ops=2)
            write(p, K.add_scaled(param, buf._array, -lr))
        else:
            write(p, K.addcdiv(param, grad, avg, -lr))


RMSprop.__module__ = "torch.optim.rmsprop"
