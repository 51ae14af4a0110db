"""``torch.optim.SGD``: stochastic gradient descent with momentum, dampening, weight decay and
Nesterov momentum, in torch's order of operations (``_single_tensor_sgd``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from gradtui.engine.tensor import Tensor
from gradtui.engine.torchapi.optim import _functional as K
from gradtui.engine.torchapi.optim.optimizer import Optimizer, params_with_grad


class SGD(Optimizer):
    """For each parameter p with gradient g (lr, momentum mu, dampening tau, weight decay wd):

        g = g + wd * p                                   (if wd != 0)
        b = g  (first step), else  b = mu * b + (1 - tau) * g       (if mu != 0)
        g = g + mu * b  (nesterov)  or  g = b
        p = p - lr * g
    """

    def __init__(self, params: Any, lr: float = 1e-3, momentum: float = 0, dampening: float = 0,
                 weight_decay: float = 0, nesterov: bool = False, *, maximize: bool = False,
                 foreach: bool | None = None, differentiable: bool = False,
                 fused: bool | None = None) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {"lr": lr, "momentum": momentum, "dampening": dampening,
                    "weight_decay": weight_decay, "nesterov": nesterov, "maximize": maximize,
                    "foreach": foreach, "differentiable": differentiable, "fused": fused}
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One update of every parameter that has a gradient; returns ``closure()``'s loss."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            lr, momentum = float(group["lr"]), group["momentum"]
            dampening, weight_decay = group["dampening"], group["weight_decay"]
            for p in params_with_grad(group):
                grad = p._grad._array
                if group["maximize"]:
                    grad = -grad
                if weight_decay != 0:
                    grad = K.add_scaled(grad, p._array, weight_decay)
                if momentum != 0:
                    grad = self._momentum(p, grad, momentum, dampening, group["nesterov"])
                np.copyto(p._array, K.add_scaled(p._array, grad, -lr))
                p._vc[0] += 1  # param.add_(...) is one in-place write
        return loss

    def _momentum(self, p: Tensor, grad: np.ndarray, momentum: float, dampening: float,
                  nesterov: bool) -> np.ndarray:
        state = self.state[p]
        buf = state.get("momentum_buffer")
        if buf is None:
            buf = Tensor._wrap(np.array(grad))  # grad.detach().clone()
            state["momentum_buffer"] = buf
        else:
            b = buf._array
            b *= b.dtype.type(momentum)  # buf.mul_(momentum)
            np.copyto(b, K.add_scaled(b, grad, 1 - dampening))  # .add_(grad, alpha=1 - tau)
            buf._vc[0] += 2
        if nesterov:
            return K.add_scaled(grad, buf._array, momentum)
        return buf._array


SGD.__module__ = "torch.optim.sgd"
