"""torch.utils.data: datasets, samplers, DataLoader batching and default_collate.

Only deterministic behaviour is compared: gradtui's shuffles draw from its own generator, so a
shuffled epoch is printed sorted (it must be a permutation), never in its drawn order. Loaders
and datasets print with object addresses, so no case prints one.
"""

TOPIC = "data"

_IMPORT = "from torch.utils.data import DataLoader, Dataset, TensorDataset, default_collate\n"
_XY = (_IMPORT + "x = torch.arange(10, dtype=torch.float32).reshape(5, 2)\n"
       "y = torch.tensor([0, 1, 0, 1, 1])\nds = TensorDataset(x, y)\n")

CASES = [
    # --- datasets ------------------------------------------------------------------------
    ("tensor_dataset_items",
     _XY + "print(len(ds))\nprint(ds[1])\nprint(ds[-1])\nprint(ds[1:3])\n"
     "print(type(ds[0]).__name__, len(ds.tensors))"),
    ("tensor_dataset_one_tensor",
     _IMPORT + "ds = TensorDataset(torch.tensor([[1., 2.], [3., 4.]]))\nprint(ds[0])"),
    ("tensor_dataset_size_mismatch",
     _IMPORT + "TensorDataset(torch.zeros(3, 2), torch.zeros(4))"),
    ("tensor_dataset_index_out_of_range",
     _XY + "ds[5]"),
    ("dataset_base_needs_getitem",
     _IMPORT + "class Empty(Dataset):\n    pass\nEmpty()[0]"),
    ("dataset_base_has_no_len",
     _IMPORT + "class NoLen(Dataset):\n    def __getitem__(self, i):\n        return i\n"
     "print(NoLen()[3])\nlen(NoLen())"),
    ("custom_dataset_returning_dicts",
     _IMPORT + "class Squares(Dataset):\n    def __len__(self):\n        return 5\n"
     "    def __getitem__(self, i):\n        return {'x': torch.tensor([float(i)]), 'y': i * i}\n"
     "for batch in DataLoader(Squares(), batch_size=2):\n    print(batch)"),
    ("dataset_classes_and_modules",
     _XY + "import torch.utils.data as tud\n"
     "print(type(ds), isinstance(ds, tud.Dataset))\n"
     "print(tud.DataLoader.__module__, tud.RandomSampler.__module__, tud.Subset.__module__)\n"
     "print(torch.utils.data.TensorDataset is TensorDataset)\n"
     "print(default_collate.__module__, default_collate.__name__)\n"
     "print(tud.get_worker_info())"),
    ("subset_indexing",
     _XY + "from torch.utils.data import Subset\ns = Subset(ds, [4, 0, 2])\n"
     "print(len(s), s.indices)\nprint(s[0])\nprint(s[-1])\nprint(s[[0, 1]])\n"
     "print([b[1].tolist() for b in DataLoader(s, batch_size=2)])"),
    ("concat_dataset_indexing",
     _IMPORT + "from torch.utils.data import ConcatDataset\n"
     "a = TensorDataset(torch.arange(3))\nb = TensorDataset(torch.arange(10, 12))\n"
     "c = ConcatDataset([a, b])\nprint(len(c), c.cumulative_sizes)\n"
     "print([c[i][0].item() for i in range(len(c))])\nprint(c[-1], c[-5])\n"
     "d = a + b + a\nprint(type(d).__name__, len(d), d.cumulative_sizes)\n"
     "print([batch[0].tolist() for batch in DataLoader(c, batch_size=2)])\nc[-6]"),
    ("concat_dataset_of_lists",
     _IMPORT + "from torch.utils.data import ConcatDataset\n"
     "c = ConcatDataset([[1, 2], [3], [4, 5, 6]])\nprint(len(c), [c[i] for i in range(6)])\n"
     "print(list(DataLoader(c, batch_size=4)))\nc[6]"),
    ("concat_dataset_empty_error",
     _IMPORT + "from torch.utils.data import ConcatDataset\nConcatDataset([])"),
    ("stack_dataset",
     _IMPORT + "from torch.utils.data import StackDataset\n"
     "s = StackDataset(torch.arange(3), torch.arange(3) * 10)\nprint(len(s), s[1])\n"
     "d = StackDataset(a=torch.arange(3), b=[1., 2., 3.])\nprint(d[2])\n"
     "print(list(DataLoader(d, batch_size=2)))\nStackDataset(torch.arange(3), torch.arange(4))"),
    # --- random_split --------------------------------------------------------------------
    ("random_split_int_lengths",
     _XY + "from torch.utils.data import random_split\ntorch.manual_seed(0)\n"
     "train, val = random_split(ds, [3, 2])\nprint(type(train).__name__, len(train), len(val))\n"
     "print(sorted(train.indices + val.indices))\n"
     "print(sorted(int(train[i][0][0]) // 2 for i in range(len(train))) == "
     "sorted(i for i in train.indices))"),
    ("random_split_fractions",
     _IMPORT + "from torch.utils.data import random_split\n"
     "for n, fracs in [(11, [0.7, 0.2, 0.1]), (5, [0.5, 0.5]), (10, [0.25, 0.25, 0.5]),\n"
     "                 (7, [1/3, 1/3, 1/3])]:\n"
     "    parts = random_split(range(n), fracs, generator=torch.Generator().manual_seed(42))\n"
     "    print(n, [len(p) for p in parts], sorted(i for p in parts for i in p) == "
     "list(range(n)))"),
    ("random_split_lengths_must_sum",
     _IMPORT + "from torch.utils.data import random_split\nrandom_split(range(10), [3, 5])"),
    ("random_split_fractions_must_sum",
     _IMPORT + "from torch.utils.data import random_split\nrandom_split(range(10), [0.5, 0.3])"),
    ("random_split_fraction_out_of_range",
     _IMPORT + "from torch.utils.data import random_split\nrandom_split(range(10), [1.5, -0.5])"),
    ("random_split_empty_split_warns",
     _IMPORT + "from torch.utils.data import random_split\n"
     "parts = random_split(range(3), [0.9, 0.1])\nprint([len(p) for p in parts])"),
    # --- DataLoader batching -------------------------------------------------------------
    ("loader_batches",
     _XY + "loader = DataLoader(ds, batch_size=2)\nprint(len(loader))\n"
     "for xb, yb in loader:\n    print(xb, yb)\n"
     "batch = next(iter(loader))\nprint(type(batch).__name__, len(batch))"),
    ("loader_drop_last",
     _XY + "loader = DataLoader(ds, batch_size=2, drop_last=True)\nprint(len(loader))\n"
     "for xb, yb in loader:\n    print(xb.shape, yb)\n"
     "print(len(DataLoader(ds, batch_size=5, drop_last=True)), "
     "len(DataLoader(ds, batch_size=6, drop_last=True)), len(DataLoader(ds, batch_size=6)))"),
    ("loader_default_batch_size_one",
     _XY + "loader = DataLoader(ds)\nprint(len(loader))\nprint(next(iter(loader)))"),
    ("loader_batch_size_none_does_not_batch",
     _XY + "loader = DataLoader(ds, batch_size=None)\nprint(len(loader))\n"
     "for sample in loader:\n    print(type(sample).__name__, sample)\n"
     "print(list(DataLoader([1, 2.5, np.float32(3)], batch_size=None)))"),
    ("loader_iterator_len_and_next",
     _XY + "it = iter(DataLoader(ds, batch_size=2))\nprint(len(it))\n"
     "print(next(it)[1], next(it)[1], next(it)[1])\nnext(it)"),
    ("loader_over_python_numbers",
     _IMPORT + "print(list(DataLoader([0.5, 1.5, 2.5], batch_size=2)))\n"
     "print(list(DataLoader(range(5), batch_size=3)))\n"
     "print(list(DataLoader([True, False, True], batch_size=3)))"),
    ("loader_over_list_of_pairs",
     _IMPORT + "data = [(torch.tensor([1., 2.]), 0), (torch.tensor([3., 4.]), 1),\n"
     "        (torch.tensor([5., 6.]), 1)]\n"
     "for features, labels in DataLoader(data, batch_size=2):\n    print(features, labels)"),
    ("loader_over_numpy_samples",
     _IMPORT + "class Table(Dataset):\n"
     "    def __init__(self):\n"
     "        self.x = np.arange(8, dtype=np.float32).reshape(4, 2)\n"
     "        self.y = np.array([0., 1., 1., 0.])\n"
     "    def __len__(self):\n        return len(self.x)\n"
     "    def __getitem__(self, i):\n        return self.x[i], self.y[i], int(i)\n"
     "for xb, yb, ib in DataLoader(Table(), batch_size=3):\n    print(xb, yb, ib)"),
    ("loader_batches_keep_the_graph",
     _IMPORT + "w = torch.tensor([[1., 2.], [3., 4.], [5., 6.]], requires_grad=True)\n"
     "xb, = next(iter(DataLoader(TensorDataset(w), batch_size=2)))\nprint(xb)\n"
     "xb.sum().backward()\nprint(w.grad)"),
    ("loader_custom_collate_fn",
     _XY + "loader = DataLoader(ds, batch_size=2, collate_fn=lambda batch: batch)\n"
     "first = next(iter(loader))\nprint(type(first).__name__, len(first), first[0])\n"
     "def pairs(batch):\n    return [int(yy) for _, yy in batch]\n"
     "print(list(DataLoader(ds, batch_size=3, collate_fn=pairs)))"),
    ("loader_with_sampler_list",
     _XY + "loader = DataLoader(ds, batch_size=2, sampler=[4, 3, 0])\nprint(len(loader))\n"
     "print([yb.tolist() for _, yb in loader])\nprint(loader.sampler)"),
    ("loader_with_batch_sampler",
     _XY + "loader = DataLoader(ds, batch_sampler=[[0, 4], [1], [2, 3, 1]])\n"
     "print(len(loader), loader.batch_size, loader.drop_last)\n"
     "print([yb.tolist() for _, yb in loader])"),
    ("loader_attributes",
     _XY + "loader = DataLoader(ds, batch_size=4, shuffle=True, drop_last=True)\n"
     "print(loader.batch_size, loader.drop_last, loader.num_workers, loader.generator)\n"
     "print(type(loader.sampler).__name__, type(loader.batch_sampler).__name__)\n"
     "print(loader.dataset is ds, loader.collate_fn is default_collate)\n"
     "print(type(DataLoader(ds).sampler).__name__, DataLoader(ds, batch_size=None).batch_sampler)"),
    ("loader_shuffle_is_a_permutation_each_epoch",
     _XY + "torch.manual_seed(0)\nloader = DataLoader(ds, batch_size=2, shuffle=True)\n"
     "for epoch in range(3):\n"
     "    seen = [row for xb, _ in loader for row in xb.tolist()]\n"
     "    print(len(seen), sorted(seen) == x.tolist())\n"
     "print([len(yb) for _, yb in loader])"),
    ("loader_shuffle_with_generator",
     _XY + "g = torch.Generator().manual_seed(0)\n"
     "loader = DataLoader(ds, batch_size=3, shuffle=True, generator=g)\n"
     "print(loader.generator is g)\n"
     "for epoch in range(2):\n"
     "    print(sorted(i for _, yb in loader for i in yb.tolist()))"),
    ("loader_pin_memory_without_accelerator_warns",
     _XY + "loader = DataLoader(ds, batch_size=5, pin_memory=True)\n"
     "print([len(xb) for xb, _ in loader])"),
    # --- DataLoader errors -----------------------------------------------------------------
    ("loader_sampler_and_shuffle_error",
     _XY + "DataLoader(ds, sampler=[0, 1], shuffle=True)"),
    ("loader_batch_sampler_exclusive_error",
     _XY + "DataLoader(ds, batch_sampler=[[0, 1]], batch_size=2)"),
    ("loader_batch_size_none_drop_last_error",
     _XY + "DataLoader(ds, batch_size=None, drop_last=True)"),
    ("loader_negative_workers_error",
     _XY + "DataLoader(ds, num_workers=-1)"),
    ("loader_prefetch_without_workers_error",
     _XY + "DataLoader(ds, prefetch_factor=2)"),
    ("loader_persistent_without_workers_error",
     _XY + "DataLoader(ds, persistent_workers=True)"),
    ("loader_batch_size_zero_error",
     _XY + "DataLoader(ds, batch_size=0)"),
    ("loader_attribute_frozen_after_init",
     _XY + "loader = DataLoader(ds, batch_size=2)\nloader.num_workers = 0\n"
     "print(loader.num_workers)\nloader.batch_size = 4"),
    ("loader_unequal_sample_sizes",
     _IMPORT + "data = [torch.zeros(2), torch.zeros(3)]\n"
     "next(iter(DataLoader(data, batch_size=2)))"),
    ("loader_len_without_dataset_len",
     _IMPORT + "class NoLen(Dataset):\n    def __getitem__(self, i):\n        return i\n"
     "len(DataLoader(NoLen()))"),
    # --- default_collate -------------------------------------------------------------------
    ("collate_python_numbers_dtypes",
     "from torch.utils.data import default_collate\n"
     "for batch in ([1, 2, 3], [0.5, 2.0], [True, False], [1, 2.5]):\n"
     "    out = default_collate(batch)\n    print(out, out.dtype)"),
    ("collate_tensors_stack",
     "from torch.utils.data import default_collate\n"
     "out = default_collate([torch.tensor([1, 2]), torch.tensor([3, 4]), torch.tensor([5, 6])])\n"
     "print(out, out.shape)\nprint(default_collate([torch.tensor(1.5), torch.tensor(2.5)]))\n"
     "print(default_collate([torch.ones(2, 2, dtype=torch.float64)] * 2).shape)"),
    ("collate_tuples_become_lists",
     "from torch.utils.data import default_collate\n"
     "out = default_collate([(1, 2.0, 'a'), (3, 4.0, 'b')])\nprint(type(out).__name__, out)\n"
     "out = default_collate([[1, 2], [3, 4], [5, 6]])\nprint(type(out).__name__, out)"),
    ("collate_dicts",
     "from torch.utils.data import default_collate\n"
     "out = default_collate([{'x': torch.ones(2), 'y': 1, 'name': 'a'},\n"
     "                       {'x': torch.zeros(2), 'y': 0, 'name': 'b'}])\n"
     "print(type(out).__name__, sorted(out))\nprint(out['x'], out['y'], out['name'])\n"
     "from collections import OrderedDict\n"
     "print(type(default_collate([OrderedDict(a=1), OrderedDict(a=2)])).__name__)"),
    ("collate_nested",
     "from torch.utils.data import default_collate\n"
     "batch = [({'a': (1, 2.0)}, [torch.tensor([1.])]), ({'a': (3, 4.0)}, [torch.tensor([2.])])]\n"
     "print(default_collate(batch))"),
    ("collate_namedtuple",
     "from collections import namedtuple\nfrom torch.utils.data import default_collate\n"
     "Point = namedtuple('Point', ['x', 'y'])\n"
     "out = default_collate([Point(1, 2.0), Point(3, 4.0)])\nprint(type(out).__name__, out)"),
    ("collate_numpy_arrays_and_scalars",
     "from torch.utils.data import default_collate\n"
     "for batch in ([np.array([1., 2.]), np.array([3., 4.])],\n"
     "              [np.array([1, 2], dtype=np.int32), np.array([3, 4], dtype=np.int32)],\n"
     "              [np.zeros((2, 2), dtype=np.float32)] * 3,\n"
     "              [np.float32(1.5), np.float32(2.5)], [np.float64(1.0), np.float64(2.0)],\n"
     "              [np.int64(3), np.int64(4)], [np.bool_(True), np.bool_(False)]):\n"
     "    out = default_collate(batch)\n    print(out.dtype, out.shape, out)"),
    ("collate_strings_stay_lists",
     "from torch.utils.data import default_collate\n"
     "print(default_collate(['cat', 'dog']), default_collate([b'a', b'b']))"),
    ("collate_unequal_tensor_sizes",
     "from torch.utils.data import default_collate\n"
     "default_collate([torch.zeros(2), torch.zeros(3)])"),
    ("collate_unequal_list_lengths",
     "from torch.utils.data import default_collate\ndefault_collate([[1, 2], [3]])"),
    ("collate_unsupported_type",
     "from torch.utils.data import default_collate\ndefault_collate([None, None])"),
    ("collate_unsupported_class",
     "from torch.utils.data import default_collate\nclass Thing:\n    pass\n"
     "default_collate([Thing(), Thing()])"),
    ("collate_numpy_string_array",
     "from torch.utils.data import default_collate\n"
     "default_collate([np.array(['a', 'b']), np.array(['c', 'd'])])"),
    ("collate_mixed_dtypes_promote",
     "from torch.utils.data import default_collate\n"
     "print(default_collate([torch.tensor([1, 2]), torch.tensor([1., 2.])]))"),
    ("default_convert",
     "from torch.utils.data import default_convert\n"
     "print(default_convert(np.array([1, 2])), default_convert(3), default_convert((1, 'a')))\n"
     "print(default_convert({'a': np.float64(2.0)}), default_convert(torch.ones(1)))"),
    # --- samplers --------------------------------------------------------------------------
    ("sequential_and_batch_samplers",
     "from torch.utils.data import BatchSampler, SequentialSampler\n"
     "s = SequentialSampler(range(7))\nprint(list(s), len(s))\n"
     "b = BatchSampler(s, batch_size=3, drop_last=False)\nprint(list(b), len(b))\n"
     "b = BatchSampler(s, batch_size=3, drop_last=True)\nprint(list(b), len(b))\n"
     "print(list(BatchSampler(range(4), 2, False)))"),
    ("batch_sampler_errors",
     "from torch.utils.data import BatchSampler\n"
     "for args in ((range(3), 0, False), (range(3), 2.0, False), (range(3), True, False),\n"
     "             (range(3), 2, 1)):\n"
     "    try:\n        BatchSampler(*args)\n"
     "    except ValueError as e:\n        print(e)"),
    ("random_sampler_is_a_permutation",
     "from torch.utils.data import RandomSampler\ntorch.manual_seed(0)\n"
     "s = RandomSampler(range(6))\nprint(len(s), sorted(s), sorted(s) == list(range(6)))\n"
     "r = RandomSampler(range(3), replacement=True, num_samples=40)\n"
     "drawn = list(r)\nprint(len(r), len(drawn), set(drawn) <= {0, 1, 2})\n"
     "m = RandomSampler(range(4), num_samples=8)\nprint(len(m), sorted(m))"),
    ("random_sampler_errors",
     "from torch.utils.data import RandomSampler\n"
     "for kwargs in ({'replacement': 1}, {'num_samples': 0}, {'num_samples': 2.0}):\n"
     "    try:\n        RandomSampler(range(3), **kwargs)\n"
     "    except (TypeError, ValueError) as e:\n        print(type(e).__name__, e)"),
    ("subset_random_and_weighted_samplers",
     "from torch.utils.data import SubsetRandomSampler, WeightedRandomSampler\n"
     "torch.manual_seed(0)\ns = SubsetRandomSampler([7, 3, 5])\nprint(len(s), sorted(s))\n"
     "w = WeightedRandomSampler([0., 1., 0.], num_samples=4)\nprint(len(w), list(w))\n"
     "w = WeightedRandomSampler([1., 1., 1.], num_samples=3, replacement=False)\n"
     "print(sorted(w))\nprint(w.weights)\n"
     "for args in (([1., 2.], 0), ([1., 2.], 2, 1), ([[1., 2.]], 2)):\n"
     "    try:\n        WeightedRandomSampler(*args)\n"
     "    except ValueError as e:\n        print(e)"),
    ("loader_with_random_sampler",
     _XY + "from torch.utils.data import RandomSampler\n"
     "loader = DataLoader(ds, batch_size=2, sampler=RandomSampler(ds, generator="
     "torch.Generator().manual_seed(1)))\n"
     "print(len(loader), sorted(row for xb, _ in loader for row in xb.tolist()))"),
    # --- iterable datasets -------------------------------------------------------------------
    ("iterable_dataset_batches",
     _IMPORT + "from torch.utils.data import IterableDataset\n"
     "class Count(IterableDataset):\n    def __init__(self, n):\n        self.n = n\n"
     "    def __iter__(self):\n        return iter(range(self.n))\n"
     "print(list(DataLoader(Count(5), batch_size=2)))\n"
     "print(list(DataLoader(Count(5), batch_size=2, drop_last=True)))\n"
     "print(list(DataLoader(Count(3))), list(DataLoader(Count(3), batch_size=None)))\n"
     "chain = Count(2) + Count(3)\nprint(type(chain).__name__, list(chain))\n"
     "print(list(DataLoader(chain, batch_size=4)))\nlen(DataLoader(Count(3)))"),
    ("iterable_dataset_len_and_overrun_warning",
     _IMPORT + "from torch.utils.data import IterableDataset\n"
     "class Stream(IterableDataset):\n    def __iter__(self):\n        return iter(range(5))\n"
     "    def __len__(self):\n        return 3\n    def __repr__(self):\n"
     "        return 'Stream()'\n"
     "loader = DataLoader(Stream(), batch_size=2)\nprint(len(loader))\n"
     "print(len(DataLoader(Stream(), batch_size=2, drop_last=True)))\n"
     "loader = DataLoader(Stream(), batch_size=None)\nprint(len(loader))\n"
     "print([int(v) for v in loader])"),
    ("iterable_dataset_rejects_shuffle",
     _IMPORT + "from torch.utils.data import IterableDataset\n"
     "class Count(IterableDataset):\n    def __iter__(self):\n        return iter(range(3))\n"
     "DataLoader(Count(), shuffle=True)"),
    ("iterable_dataset_rejects_sampler",
     _IMPORT + "from torch.utils.data import IterableDataset\n"
     "class Count(IterableDataset):\n    def __iter__(self):\n        return iter(range(3))\n"
     "DataLoader(Count(), sampler=[0, 1])"),
    ("concat_rejects_iterable_dataset",
     _IMPORT + "from torch.utils.data import ConcatDataset, IterableDataset\n"
     "class Count(IterableDataset):\n    def __iter__(self):\n        return iter(range(3))\n"
     "ConcatDataset([Count()])"),
    # --- a tutorial loop -------------------------------------------------------------------
    ("linear_regression_over_a_loader",
     _IMPORT + "import torch.nn as nn\n"
     "x = torch.arange(8, dtype=torch.float32).reshape(8, 1) / 4\ny = 2 * x + 1\n"
     "loader = DataLoader(TensorDataset(x, y), batch_size=4)\n"
     "model = nn.Linear(1, 1)\n"
     "with torch.no_grad():\n    model.weight.fill_(0.5)\n    model.bias.fill_(0.0)\n"
     "opt = torch.optim.SGD(model.parameters(), lr=0.1)\nloss_fn = nn.MSELoss()\n"
     "for epoch in range(3):\n    total = 0.0\n    for xb, yb in loader:\n"
     "        opt.zero_grad()\n        loss = loss_fn(model(xb), yb)\n"
     "        loss.backward()\n        opt.step()\n        total += loss.item()\n"
     "    print(epoch, round(total, 4))\n"
     "print(model.weight.data, model.bias.data)"),
]
