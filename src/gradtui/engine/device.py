"""``torch.device``: only the CPU exists here; asking for CUDA fails as torch without CUDA does."""

from __future__ import annotations

import functools
from typing import Any

# the device types torch's parser knows, in its order (its error lists them)
DEVICE_TYPES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve",
                "fpga", "maia", "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia",
                "privateuseone")
NO_ACCELERATOR = "Cannot access accelerator device when none is available."


class Device:
    """torch.device: only the CPU exists here."""

    __slots__ = ("type", "index")

    def __init__(self, type: Any = "cpu", index: int | None = None) -> None:  # noqa: A002
        if isinstance(type, Device):
            type, index = type.type, type.index
        if isinstance(type, int) and not isinstance(type, bool):
            raise RuntimeError(NO_ACCELERATOR)  # torch.device(0): the accelerator's device 0
        text = type
        if ":" in type:
            type, _, idx = type.partition(":")
            if not idx.isdigit() or (idx.startswith("0") and idx != "0"):
                raise RuntimeError(f"Invalid device string: '{text}'")
            index = int(idx)
        if type not in DEVICE_TYPES:
            raise RuntimeError(f"Expected one of {', '.join(DEVICE_TYPES)} device type at start "
                               f"of device string: {type}")
        self.type = type
        self.index = index

    def __repr__(self) -> str:
        idx = "" if self.index is None else f", index={self.index}"
        return f"device(type='{self.type}'{idx})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            other = Device(other)
        return isinstance(other, Device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))


Device.__module__ = "torch"
Device.__name__ = Device.__qualname__ = "device"
CPU = Device("cpu")


def check_device(device: Any) -> None:
    """torch's error for a device a CPU-only build lacks (None and the CPU pass)."""
    if device is None:
        return
    d = device if isinstance(device, Device) else Device(device)
    if d.type in ("cuda", "xpu"):
        raise AssertionError(f"Torch not compiled with {d.type.upper()} enabled")
    if d.type == "mps":
        raise RuntimeError("PyTorch is not linked with support for mps devices")
    if d.type != "cpu":
        raise RuntimeError(f"Could not run 'aten::empty.memory_format' with arguments from the "
                           f"'{d.type.upper()}' backend.")


# torch.set_default_device: the device factories use when none is given (None: the CPU)
_default_device: list[Device | None] = [None]


def set_default_device(device: Any) -> None:
    """``torch.set_default_device``: checked as a device string; a device this build lacks is
    refused only when a factory then runs, as in torch."""
    _default_device[0] = None if device is None else Device(device)


def get_default_device() -> Device:
    device = _default_device[0]
    check_device(device)
    return CPU if device is None else device


def checks_device(func: Any) -> Any:
    """A factory's ``device=`` (else the default device) checked first, as torch's parser
    does: a CPU-only build refuses CUDA before it looks at anything else."""
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        device = kwargs.get("device") if kwargs else None
        if device is None:
            device = _default_device[0]
        if device is not None:  # the common case (no device anywhere) costs two tests
            check_device(device)
        return func(*args, **kwargs)

    return wrapper
