"""``torch.optim.Adam`` (Kingma & Ba, 2014) in torch's order of operations
(``_single_tensor_adam``, the CPU default)."""

from __future__ import annotations

from typing import Any

import numpy as np

from gradtui.engine import dtypes
from gradtui.engine.tensor import Tensor
from gradtui.engine.torchapi.optim import _functional as K
from gradtui.engine.torchapi.optim.optimizer import PerParameterOptimizer


class Adam(PerParameterOptimizer):
    """For each parameter p with gradient g, at step t (lr, betas b1 b2, eps, weight decay wd):

        g = g + wd * p                                     (if wd != 0)
        m = m + (1 - b1) * (g - m)          (torch's lerp: m = b1 m + (1 - b1) g)
        v = b2 * v + (1 - b2) * g * g
        p = p - lr / (1 - b1**t) * m / (sqrt(v) / sqrt(1 - b2**t) + eps)

    ``amsgrad`` uses the running maximum of v; ``decoupled_weight_decay`` (AdamW) scales p by
    (1 - lr * wd) instead of adding wd * p to g.
    """

    def __init__(self, params: Any, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, amsgrad: bool = False, *,
                 foreach: bool | None = None, maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False, fused: bool | None = None,
                 decoupled_weight_decay: bool = False) -> None:
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
        if not (isinstance(betas[0], float) and isinstance(betas[1], float)
                or isinstance(betas[0], Tensor) and isinstance(betas[1], Tensor)):
            raise ValueError("betas must be either both floats or both Tensors")
        betas = tuple(float(b) for b in betas)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "amsgrad": amsgrad, "maximize": maximize, "foreach": foreach,
                    "capturable": capturable, "differentiable": differentiable, "fused": fused,
                    "decoupled_weight_decay": decoupled_weight_decay}
        super().__init__(params, defaults)
        if fused:
            if differentiable:
                raise RuntimeError("`fused` does not support `differentiable`")
            if foreach:
                raise RuntimeError("`fused` and `foreach` cannot be `True` together.")

    def _state_for(self, p: Tensor, amsgrad: bool) -> dict[str, Any]:
        state = self.state[p]
        if len(state) == 0:
            # torch: a 0-d step counter in the default float dtype, zero moments like p
            step_dtype = dtypes.default_float()
            if step_dtype != dtypes.float64:
                step_dtype = dtypes.float32
            state["step"] = Tensor._wrap(np.zeros((), dtype=step_dtype.np))
            state["exp_avg"] = Tensor._wrap(np.zeros_like(p._array))
            state["exp_avg_sq"] = Tensor._wrap(np.zeros_like(p._array))
            if amsgrad:
                state["max_exp_avg_sq"] = Tensor._wrap(np.zeros_like(p._array))
        return state

    def _update(self, p: Tensor, group: dict[str, Any]) -> None:
        lr, (beta1, beta2) = float(group["lr"]), group["betas"]
        eps, weight_decay, amsgrad = group["eps"], group["weight_decay"], group["amsgrad"]
        state = self._state_for(p, amsgrad)
        grad = p._grad._array
        if group["maximize"]:
            grad = -grad
        step_t = state["step"]
        step_t._array[...] += 1
        step_t._vc[0] += 1
        param = p._array
        if weight_decay != 0:
            if group["decoupled_weight_decay"]:
                param *= param.dtype.type(1 - lr * weight_decay)
                p._vc[0] += 1
            else:
                grad = K.add_scaled(grad, param, weight_decay)
        m, v = state["exp_avg"], state["exp_avg_sq"]
        np.copyto(m._array, K.lerp(m._array, grad, 1 - beta1))
        m._vc[0] += 1
        v._array *= v._array.dtype.type(beta2)
        np.copyto(v._array, K.addcmul(v._array, grad, grad, 1 - beta2))
        v._vc[0] += 2
        # the bias corrections are Python floats (torch reads the step with .item())
        step = float(step_t._array)
        bias_correction1 = 1 - beta1**step
        bias_correction2 = 1 - beta2**step
        step_size = lr / bias_correction1
        bias_correction2_sqrt = bias_correction2**0.5
        second = v._array
        if amsgrad:
            vmax = state["max_exp_avg_sq"]
            np.maximum(vmax._array, v._array, out=vmax._array)
            vmax._vc[0] += 1
            second = vmax._array
        dt = param.dtype.type
        denom = K.sqrt(second) / dt(bias_correction2_sqrt) + dt(eps)
        np.copyto(param, K.addcdiv(param, m._array, denom, -step_size))
        p._vc[0] += 1


Adam.__module__ = "torch.optim.adam"
