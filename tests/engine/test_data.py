"""torch.utils.data on gradtui's engine: what the golden cases cannot compare with torch (the
shuffled orders come from our own generator), the import forms, and a tutorial training loop."""

from __future__ import annotations

import importlib
import multiprocessing
import sys

import pytest

import gradtui.engine.torchapi as torch
from gradtui.engine.shim import shim_active
from gradtui.engine.torchapi import nn
from gradtui.engine.torchapi.utils.data import (
    DataLoader,
    RandomSampler,
    TensorDataset,
    random_split,
)

N = 20


def _dataset() -> TensorDataset:
    x = torch.arange(N, dtype=torch.float32).reshape(N, 1)
    return TensorDataset(x, torch.arange(N))


def _epoch(loader: DataLoader) -> list[int]:
    return [i for _, yb in loader for i in yb.tolist()]


def test_shuffle_is_reproducible_under_manual_seed() -> None:
    loader = DataLoader(_dataset(), batch_size=6, shuffle=True)
    torch.manual_seed(3)
    first = [_epoch(loader) for _ in range(3)]
    torch.manual_seed(3)
    again = [_epoch(loader) for _ in range(3)]
    torch.manual_seed(4)
    other = [_epoch(loader) for _ in range(3)]
    assert first == again
    assert first != other


def test_every_shuffled_epoch_is_a_new_permutation() -> None:
    torch.manual_seed(0)
    loader = DataLoader(_dataset(), batch_size=6, shuffle=True)
    epochs = [_epoch(loader) for _ in range(5)]
    for order in epochs:
        assert sorted(order) == list(range(N))
    assert len({tuple(order) for order in epochs}) == 5
    assert epochs[0] != list(range(N))


def test_a_generator_argument_makes_the_order_independent_of_the_global_seed() -> None:
    def orders(global_seed: int) -> list[list[int]]:
        torch.manual_seed(global_seed)
        g = torch.Generator().manual_seed(7)
        loader = DataLoader(_dataset(), batch_size=4, shuffle=True, generator=g)
        return [_epoch(loader) for _ in range(2)]

    assert orders(0) == orders(1)
    assert orders(0)[0] != orders(0)[1]
    g = torch.Generator().manual_seed(8)
    assert _epoch(DataLoader(_dataset(), batch_size=4, shuffle=True, generator=g)) != \
        orders(0)[0]


def test_a_generator_is_independent_of_the_global_stream() -> None:
    torch.manual_seed(0)
    expected = torch.rand(3)
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(0)
    torch.randperm(10, generator=g)
    assert torch.equal(torch.rand(3), expected)
    assert torch.manual_seed(5) is torch.default_generator
    assert torch.default_generator.initial_seed() == 5 == torch.initial_seed()
    assert g.initial_seed() == 0 and torch.Generator().initial_seed() == 67280421310721


def test_randperm_and_random_split_follow_their_generator() -> None:
    a = torch.randperm(12, generator=torch.Generator().manual_seed(42))
    b = torch.randperm(12, generator=torch.Generator().manual_seed(42))
    assert torch.equal(a, b) and sorted(a.tolist()) == list(range(12))
    splits = [random_split(range(10), [0.5, 0.3, 0.2],
                           generator=torch.Generator().manual_seed(1)) for _ in range(2)]
    assert [s.indices for s in splits[0]] == [s.indices for s in splits[1]]
    assert sorted(i for s in splits[0] for i in s.indices) == list(range(10))


def test_random_sampler_without_generator_draws_a_seed_from_the_global_one() -> None:
    sampler = RandomSampler(range(N))
    torch.manual_seed(2)
    first = list(sampler)
    torch.manual_seed(2)
    assert list(sampler) == first
    assert list(sampler) != first  # the global generator moved on


def test_iterating_a_loader_advances_the_global_generator_like_torch() -> None:
    """torch draws a worker base seed every epoch, even unshuffled with no workers."""
    torch.manual_seed(0)
    untouched = torch.rand(2)
    torch.manual_seed(0)
    list(DataLoader(range(4), batch_size=2))
    assert not torch.equal(torch.rand(2), untouched)


def test_workers_run_in_process_with_the_same_batches() -> None:
    ds = _dataset()
    serial = [yb.tolist() for _, yb in DataLoader(ds, batch_size=3)]
    loader = DataLoader(ds, batch_size=3, num_workers=4, persistent_workers=True,
                        prefetch_factor=2, worker_init_fn=lambda worker_id: 1 / 0)
    assert [yb.tolist() for _, yb in loader] == serial
    assert multiprocessing.active_children() == []
    assert torch.utils.data.get_worker_info() is None


def test_a_linear_model_trained_over_a_shuffled_loader_converges() -> None:
    torch.manual_seed(0)
    x = torch.linspace(-1, 1, 64).reshape(64, 1)
    y = 3 * x - 0.5
    loader = DataLoader(TensorDataset(x, y), batch_size=8, shuffle=True)
    model = nn.Linear(1, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    loss_fn = nn.MSELoss()
    losses = []
    for _ in range(40):
        total = 0.0
        for xb, yb in loader:
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            total += loss.item() * len(xb)
        losses.append(total / len(loader.dataset))
    assert losses[-1] < 1e-4 < losses[0]
    assert abs(model.weight.item() - 3) < 0.01 and abs(model.bias.item() + 0.5) < 0.01


def test_a_small_classifier_learns_from_dict_batches() -> None:
    class Points(torch.utils.data.Dataset):
        def __init__(self) -> None:
            self.x = torch.randn(40, 2)
            self.y = (self.x[:, 0] + self.x[:, 1] > 0).long()

        def __len__(self) -> int:
            return len(self.y)

        def __getitem__(self, i: int) -> dict:
            return {"x": self.x[i], "label": int(self.y[i])}

    torch.manual_seed(1)
    ds = Points()
    model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 2))
    opt = torch.optim.Adam(model.parameters(), lr=0.05)
    for _ in range(30):
        for batch in DataLoader(ds, batch_size=10, shuffle=True):
            assert batch["label"].dtype == torch.int64
            opt.zero_grad()
            nn.functional.cross_entropy(model(batch["x"]), batch["label"]).backward()
            opt.step()
    with torch.no_grad():
        accuracy = (model(ds.x).argmax(1) == ds.y).float().mean().item()
    assert accuracy >= 0.95


@pytest.mark.parametrize("source", [
    "import torch.utils.data\nok = torch.utils.data.DataLoader",
    "import torch\nok = torch.utils.data.TensorDataset",
    "from torch.utils.data import DataLoader, TensorDataset\nok = DataLoader",
    "from torch.utils.data.dataset import Subset\nok = Subset",
    "from torch.utils.data.sampler import BatchSampler\nok = BatchSampler",
    "from torch.utils.data.dataloader import default_collate\nok = default_collate",
    "import torch.utils.data._utils.collate as c\nok = c.default_collate",
    "from torch.utils import data\nok = data.random_split",
])
def test_every_import_form_reaches_the_engine(source: str) -> None:
    ours = importlib.import_module("gradtui.engine.torchapi.utils.data")
    namespace: dict = {}
    with shim_active():
        exec(source, namespace)
        assert namespace["ok"].__module__.startswith("torch.utils.data")
        assert sys.modules["torch.utils.data"] is ours
    assert sys.modules.get("torch.utils.data") is not ours
    assert ours.__name__ == "gradtui.engine.torchapi.utils.data"
