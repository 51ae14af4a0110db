"""``nn.Linear`` (y = x W^T + b), ``nn.LazyLinear`` (``in_features`` from the first input)
and ``nn.Identity``."""

from __future__ import annotations

import math
from typing import Any

from gradtui.engine import dtypes
from gradtui.engine.creation import empty
from gradtui.engine.device import check_device
from gradtui.engine.grad_mode import no_grad
from gradtui.engine.tensor import Tensor
from gradtui.engine.torchapi.nn import functional as F
from gradtui.engine.torchapi.nn import init
from gradtui.engine.torchapi.nn.modules.lazy import LazyModuleMixin
from gradtui.engine.torchapi.nn.modules.module import Module
from gradtui.engine.torchapi.nn.parameter import Parameter, UninitializedParameter


class Identity(Module):
    """Returns its input unchanged (any constructor arguments are ignored)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, input: Tensor) -> Tensor:
        return input


class Linear(Module):
    """y = x W^T + b with W of shape (out_features, in_features) and b of (out_features,).

    Initialised like torch: W ~ U(-k, k) and b ~ U(-k, k) with k = 1 / sqrt(in_features)
    (kaiming_uniform with a = sqrt(5)), drawn from torch's generator: the same weights as torch
    for the same seed.
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True,
                 device: Any = None, dtype: dtypes.dtype | None = None) -> None:
        check_device(device)
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        self.weight = Parameter(empty((out_features, in_features), dtype=dtype))
        if bias:
            self.bias = Parameter(empty(out_features, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input: Tensor) -> Tensor:
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


class LazyLinear(LazyModuleMixin, Linear):
    """A ``Linear`` whose ``in_features`` is the last size of its first input: its weight and
    bias are ``UninitializedParameter``s until the first forward, which materializes them,
    initialises them as ``Linear`` does (the same draws from torch's generator, in torch's
    order) and turns the module into a ``Linear``."""

    cls_to_become = Linear

    def __init__(self, out_features: int, bias: bool = True, device: Any = None,
                 dtype: dtypes.dtype | None = None) -> None:
        super().__init__(0, 0, False)  # no bias yet: it would be drawn and thrown away
        self.weight = UninitializedParameter(device=device, dtype=dtype)
        self.out_features = out_features
        if bias:
            self.bias = UninitializedParameter(device=device, dtype=dtype)

    def reset_parameters(self) -> None:
        if not self.has_uninitialized_params() and self.in_features != 0:
            super().reset_parameters()

    def initialize_parameters(self, input: Tensor) -> None:  # type: ignore[override]
        """``in_features = input.shape[-1]``; materialize and initialise the parameters."""
        if self.has_uninitialized_params():
            with no_grad():
                self.in_features = input.shape[-1]
                self.weight.materialize((self.out_features, self.in_features))
                if self.bias is not None:
                    self.bias.materialize((self.out_features,))
                self.reset_parameters()
        if self.in_features == 0:
            if input.shape[-1] != self.weight.shape[-1]:
                raise AssertionError(
                    f"The in_features inferred from input: {input.shape[-1]} is not equal to "
                    f"in_features from self.weight: {self.weight.shape[-1]}")
            self.in_features = input.shape[-1]


for _cls in (Identity, Linear, LazyLinear):
    _cls.__module__ = "torch.nn.modules.linear"
