"""``torch.utils.data``: datasets, samplers and the ``DataLoader`` that batches them.

Shuffling (``shuffle=True``, ``RandomSampler``, ``random_split``) draws from torch's generator
the way torch does (the sampler's seed, the loader's base seed), so under ``torch.manual_seed``
or a ``torch.Generator`` the orders are torch's. ``num_workers > 0`` loads in-process (no worker
processes).
"""

from __future__ import annotations

from gradtui.engine.torchapi.utils.data import _utils  # noqa: F401
from gradtui.engine.torchapi.utils.data.dataloader import (
    DataLoader,
    _DatasetKind,
    default_collate,
    default_convert,
    get_worker_info,
)
from gradtui.engine.torchapi.utils.data.dataset import (
    ChainDataset,
    ConcatDataset,
    Dataset,
    IterableDataset,
    StackDataset,
    Subset,
    TensorDataset,
    random_split,
)
from gradtui.engine.torchapi.utils.data.sampler import (
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
    WeightedRandomSampler,
)

__all__ = [
    "BatchSampler", "ChainDataset", "ConcatDataset", "DataLoader", "Dataset", "IterableDataset",
    "RandomSampler", "Sampler", "SequentialSampler", "StackDataset", "Subset",
    "SubsetRandomSampler", "TensorDataset", "WeightedRandomSampler", "_DatasetKind",
    "default_collate", "default_convert", "get_worker_info", "random_split",
]


del annotations  # the __future__ flag this module imported is not a torch name
