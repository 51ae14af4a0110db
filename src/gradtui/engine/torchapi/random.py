"""``torch.random``: the default CPU generator's seed and state (engine/generator.py)."""

from __future__ import annotations

from gradtui.engine.generator import (
    default_generator,
    fork_rng,
    get_rng_state,
    initial_seed,
    manual_seed,
    seed,
    set_rng_state,
)

__all__ = ["set_rng_state", "get_rng_state", "manual_seed", "seed", "initial_seed", "fork_rng"]
_ = default_generator

for _fn in (fork_rng, get_rng_state, initial_seed, manual_seed, seed, set_rng_state):
    _fn.__module__ = "torch.random"


del annotations  # the __future__ flag this module imported is not a torch name
