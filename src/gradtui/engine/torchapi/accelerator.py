"""``torch.accelerator``: gradtui computes on the CPU only, so there is never an accelerator
(the PyTorch tutorials ask ``torch.accelerator.is_available()`` before moving tensors)."""

from __future__ import annotations

from typing import Any


def is_available() -> bool:
    return False


def device_count() -> int:
    return 0


def current_accelerator(check_available: bool = False) -> Any:
    return None
