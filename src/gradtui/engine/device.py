"""``torch.device``: only the CPU exists here; asking for CUDA fails as torch without CUDA does."""

from __future__ import annotations

from typing import Any


class Device:
    """torch.device: only the CPU exists here."""

    __slots__ = ("type", "index")

    def __init__(self, type: str = "cpu", index: int | None = None) -> None:  # noqa: A002
        if isinstance(type, Device):
            type, index = type.type, type.index
        if ":" in type:
            type, _, idx = type.partition(":")
            index = int(idx)
        if type not in ("cpu", "cuda", "mps", "meta"):
            raise RuntimeError(f"Expected one of cpu, cuda, ... device type at start of device "
                               f"string: {type}")
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
    """torch's error for a device other than the CPU (None and "cpu" pass)."""
    if device is None:
        return
    d = device if isinstance(device, Device) else Device(str(device))
    if d.type != "cpu":
        raise AssertionError("Torch not compiled with CUDA enabled")
