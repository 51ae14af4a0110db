"""Our own reproducible random generator (``torch.manual_seed``): values need not equal
torch's, only be repeatable for a given seed.

``torch.Generator()`` makes an independent generator (its own numpy ``Generator``), as in
torch; the global one (``torch.default_generator``, what ``torch.manual_seed`` reseeds and
returns) is used by every draw that is given no ``generator``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

_TORCH_DEFAULT_SEED = 67280421310721  # torch.Generator().initial_seed()


class Generator:
    """A random number generator: ``torch.Generator().manual_seed(42)`` gives an independent,
    reproducible stream for ``randperm(..., generator=g)``, ``DataLoader(generator=g)``, ..."""

    def __init__(self, device: Any = "cpu") -> None:
        self._seed = _TORCH_DEFAULT_SEED
        self._rng = np.random.default_rng(_TORCH_DEFAULT_SEED)

    def manual_seed(self, seed: int) -> Generator:
        """Reseed this generator; returns it, like torch."""
        self._seed = int(seed)
        self._rng = np.random.default_rng(self._seed & 0xFFFFFFFFFFFFFFFF)
        return self

    def initial_seed(self) -> int:
        return self._seed

    def seed(self) -> int:
        s = int(np.random.SeedSequence().entropy) & 0x7FFFFFFFFFFFFFFF
        self.manual_seed(s)
        return s

    def __repr__(self) -> str:
        return f"<torch._C.Generator object at {id(self):#x}>"


Generator.__module__ = "torch._C"  # type(torch.manual_seed(0)) prints torch's class name

default_generator = Generator().manual_seed(0)


def manual_seed(seed: int) -> Generator:
    """Reseed the global generator; returns it, like torch."""
    return default_generator.manual_seed(seed)


def initial_seed() -> int:
    return default_generator.initial_seed()


def seed() -> int:
    return default_generator.seed()


def _rng(generator: Generator | None) -> np.random.Generator:
    return (default_generator if generator is None else generator)._rng


def uniform(shape: tuple[int, ...], low: float = 0.0, high: float = 1.0,
            generator: Generator | None = None) -> np.ndarray:
    return _rng(generator).uniform(low, high, size=shape)


def normal(shape: tuple[int, ...], generator: Generator | None = None) -> np.ndarray:
    return _rng(generator).standard_normal(size=shape)


def integers(low: int, high: int, shape: tuple[int, ...],
             generator: Generator | None = None) -> np.ndarray:
    return _rng(generator).integers(low, high, size=shape, dtype=np.int64)


def permutation(n: int, generator: Generator | None = None) -> np.ndarray:
    return _rng(generator).permutation(n).astype(np.int64)
