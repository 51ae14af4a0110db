"""Our own reproducible random generator (``torch.manual_seed``): values need not equal
torch's, only be repeatable for a given seed."""

from __future__ import annotations

import numpy as np

_generator = np.random.default_rng(0)
_seed = 0


def manual_seed(seed: int) -> Generator:
    """Reseed the global generator; returns it, like torch."""
    global _generator, _seed
    _seed = int(seed)
    _generator = np.random.default_rng(_seed & 0xFFFFFFFFFFFFFFFF)
    return Generator()


def initial_seed() -> int:
    return _seed


def seed() -> int:
    s = int(np.random.SeedSequence().entropy) & 0x7FFFFFFFFFFFFFFF
    manual_seed(s)
    return s


def uniform(shape: tuple[int, ...], low: float = 0.0, high: float = 1.0) -> np.ndarray:
    return _generator.uniform(low, high, size=shape)


def normal(shape: tuple[int, ...]) -> np.ndarray:
    return _generator.standard_normal(size=shape)


def integers(low: int, high: int, shape: tuple[int, ...]) -> np.ndarray:
    return _generator.integers(low, high, size=shape, dtype=np.int64)


def permutation(n: int) -> np.ndarray:
    return _generator.permutation(n).astype(np.int64)


class Generator:
    """A handle on the global generator (what ``torch.manual_seed`` returns)."""

    def manual_seed(self, seed: int) -> Generator:
        return manual_seed(seed)

    def initial_seed(self) -> int:
        return _seed

    def __repr__(self) -> str:
        return f"<torch._C.Generator object at {id(self):#x}>"


Generator.__module__ = "torch._C"  # type(torch.manual_seed(0)) prints torch's class name
