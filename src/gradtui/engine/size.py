"""torch.Size: a tuple of ints that prints as ``torch.Size([3, 2])``."""

from __future__ import annotations

import math


class Size(tuple):
    """The shape of a tensor (a tuple subclass, so ``x.shape == (3, 2)`` holds)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"torch.Size([{', '.join(map(str, self))}])"

    __str__ = __repr__

    def numel(self) -> int:
        return math.prod(self)

    def __getitem__(self, item):  # type: ignore[override]
        out = tuple.__getitem__(self, item)
        return Size(out) if isinstance(item, slice) else out

    def __add__(self, other: tuple) -> Size:  # type: ignore[override]
        return Size(tuple(self) + tuple(other))


Size.__module__ = "torch"
