"""``torch.optim.Adagrad`` (Duchi et al., 2011), in torch's order of operations
(``_single_tensor_adagrad``, the CPU default)."""

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


class Adagrad(PerParameterOptimizer):
    """For each parameter p with gradient g, at step t (lr, lr_decay, eps, weight decay wd):

        g = g + wd * p                                   (if wd != 0)
        clr = lr / (1 + (t - 1) * lr_decay)
        s = s + g * g                      (s starts at initial_accumulator_value)
        p = p - clr * g / (sqrt(s) + eps)

    Unlike the other optimizers, the state (``step`` and ``sum``) of every parameter exists
    from the constructor on, as in torch.
    """

    def __init__(self, params: Any, lr: float = 1e-2, lr_decay: float = 0,
                 weight_decay: float = 0, initial_accumulator_value: float = 0,
                 eps: float = 1e-10, foreach: bool | None = None, *, maximize: bool = False,
                 differentiable: bool = False, fused: bool | None = None) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= lr_decay:
            raise ValueError(f"Invalid lr_decay value: {lr_decay}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= initial_accumulator_value:
            raise ValueError("Invalid initial_accumulator_value value: "
                             f"{initial_accumulator_value}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        defaults = {"lr": lr, "lr_decay": lr_decay, "eps": eps, "weight_decay": weight_decay,
                    "initial_accumulator_value": initial_accumulator_value,
                    "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable, "fused": fused}
        super().__init__(params, defaults)
        if fused:
            if differentiable:
                raise RuntimeError("`fused` does not support `differentiable`")
            if foreach:
                raise RuntimeError("`fused` and `foreach` cannot be `True` together.")
        for group in self.param_groups:
            for p in group["params"]:
                self._new_state(p)

    def _new_state(self, p: Tensor) -> dict[str, Any]:
        # torch fills ``sum`` from the defaults' initial_accumulator_value, whatever the group
        state = self.state[p]
        state["step"] = new_step()
        state["sum"] = state_like(p, self.defaults["initial_accumulator_value"])
        return state

    def _update(self, p: Tensor, group: dict[str, Any]) -> None:
        state = self.state[p]
        if len(state) == 0:  # a group added later (add_param_group)
            state = self._new_state(p)
        step = count_step(state["step"])
        grad = p._grad._array
        if group["maximize"]:
            grad = -grad
        param = p._array
        if group["weight_decay"] != 0:
            grad = K.add_scaled(grad, param, group["weight_decay"])
        clr = hyper_lr(group) / (1 + (step - 1) * group["lr_decay"])
        state_sum = state["sum"]
        write(state_sum, K.addcmul(state_sum._array, grad, grad, 1))
        std = K.sqrt(state_sum._array)
        std = std + std.dtype.type(group["eps"])
        write(p, K.addcdiv(param, grad, std, -clr))


Adagrad.__module__ = "torch.optim.adagrad"
