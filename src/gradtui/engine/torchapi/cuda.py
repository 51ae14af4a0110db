"""``torch.cuda``: gradtui runs on the CPU only, so CUDA is never available."""

from __future__ import annotations


def is_available() -> bool:
    return False


def device_count() -> int:
    return 0


def current_device() -> int:
    raise AssertionError("Torch not compiled with CUDA enabled")


def manual_seed(seed: int) -> None:
    """Accepted (and ignored) so CPU scripts that seed every device run unchanged."""


manual_seed_all = manual_seed


def seed() -> None:
    """Accepted (and ignored), as on a CPU-only torch."""


seed_all = seed


def initial_seed() -> int:
    raise AssertionError("Torch not compiled with CUDA enabled")


def get_rng_state(device: object = "cuda") -> object:
    raise AssertionError("Torch not compiled with CUDA enabled")


def set_rng_state(new_state: object, device: object = "cuda") -> None:
    """Accepted (and ignored): a CPU-only torch queues it for a CUDA that never comes."""
