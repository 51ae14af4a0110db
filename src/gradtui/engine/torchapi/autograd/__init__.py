"""``torch.autograd``: Variable, Function, grad, backward, grad-mode helpers and
``torch.autograd.functional`` (jacobian, hessian, vjp, jvp, vhp, hvp)."""

from __future__ import annotations

from gradtui.engine.autograd_api import backward, grad  # noqa: F401
from gradtui.engine.custom_function import Function  # noqa: F401
from gradtui.engine.grad_mode import enable_grad, no_grad, set_grad_enabled  # noqa: F401
from gradtui.engine.torchapi.autograd import function, functional, variable  # noqa: F401
from gradtui.engine.variable import Variable  # noqa: F401


def set_detect_anomaly(mode: bool, check_nan: bool = True) -> None:
    """Accepted for compatibility: gradtui's errors already name the failing op."""


class detect_anomaly:  # noqa: N801
    def __init__(self, check_nan: bool = True) -> None:
        pass

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc: object) -> None:
        pass


del annotations  # the __future__ flag this module imported is not a torch name
