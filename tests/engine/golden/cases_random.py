"""Random numbers: torch's generator to the bit, over seeds, shapes, dtypes and every sampler.

Each snippet seeds first (the global generator carries over between cases) and prints values
exactly: ``tolist()`` (shortest round-trip reprs) for small tensors, a hash of the bytes plus the
first and last values for big ones, so a last-bit difference anywhere fails the case.
"""

from __future__ import annotations

TOPIC = "random"

# hash of a tensor's bytes: exact and short
_H = ("import hashlib\n"
      "def h(t):\n"
      "    return hashlib.sha256(t.contiguous().numpy().tobytes()).hexdigest()[:16]\n")


def _show(expr: str, n: int) -> str:
    """Print a tensor exactly: all values up to 40 of them, else a hash and its ends."""
    if n <= 40:
        return f"t = {expr}\nprint(t.dtype, t.shape, t.tolist())\n"
    return (f"t = {expr}\nprint(t.dtype, t.shape, h(t), t.reshape(-1)[:3].tolist(), "
            f"t.reshape(-1)[-3:].tolist())\n")


def _seeded(seed: int, body: str) -> str:
    return _H + f"torch.manual_seed({seed})\n" + body


CASES: list[tuple[str, str]] = []
_SEEDS = (0, 1, 42, 2**32 + 7, 2**40 + 3, -5)

# ---------------------------------------------------------------- rand over seeds and dtypes
for _i, _seed in enumerate(_SEEDS):
    CASES.append((f"rand_seed_{_i}", _seeded(_seed, _show("torch.rand(3, 4)", 12)
                                              + "print(torch.initial_seed())\n")))
for _dt in ("float64", "float16"):
    for _n in (5, 70):
        CASES.append((f"rand_{_dt}_{_n}",
                      _seeded(3, _show(f"torch.rand({_n}, dtype=torch.{_dt})", _n))))
CASES.append(("rand_float16_never_one",
              _seeded(11, "t = torch.rand(200000, dtype=torch.float16)\n"
                          "print((t == 1).any().item(), (t == 0).sum().item(), h(t))\n")))

# ---------------------------------------------------------------- randn: scalar and block paths
for _dt in ("float32", "float64", "float16"):
    for _n in (1, 2, 3, 7, 15, 16, 17, 31, 32, 33, 48, 100, 257, 1000):
        for _seed in (0, 5):
            CASES.append((f"randn_{_dt}_{_n}_s{_seed}",
                          _seeded(_seed, _show(f"torch.randn({_n}, dtype=torch.{_dt})", _n))))
CASES += [
    ("randn_2d_ragged", _seeded(2, _show("torch.randn(7, 9)", 63))),
    ("randn_3d", _seeded(2, _show("torch.randn(2, 3, 4)", 24))),
    ("randn_big_float32", _seeded(9, _show("torch.randn(100003)", 100003))),
    ("randn_cached_sample_crosses_dtypes",
     _seeded(0, "print(torch.randn(3).tolist())\n"
                "print(torch.randn(1, dtype=torch.float64).tolist())\n"
                "print(torch.randn(2, dtype=torch.float16).tolist())\n")),
    ("randn_cache_survives_block_path",
     _seeded(0, "a = torch.randn(1)\nb = torch.randn(20)\nc = torch.randn(1)\n"
                "print(a.tolist(), c.tolist(), h(b))\n")),
    ("randn_cache_reset_by_manual_seed",
     _seeded(0, "a = torch.randn(1)\ntorch.manual_seed(0)\nb = torch.randn(2)\n"
                "print(a.tolist(), b.tolist())\n")),
    ("randn_interleaved_with_rand_and_randint",
     _seeded(4, "print(torch.randn(3).tolist(), torch.rand(2).tolist(), "
                "torch.randint(10, (3,)).tolist(), torch.randn(3).tolist())\n")),
    ("normal_mean_std_block", _seeded(1, _show("torch.empty(40).normal_(2.5, 0.3)", 40))),
    ("normal_mean_std_scalar", _seeded(1, _show("torch.empty(5).normal_(-1.5, 4.0)", 5))),
    ("normal_mean_std_float64",
     _seeded(1, _show("torch.empty(37, dtype=torch.float64).normal_(0.1, 3.0)", 37))),
    ("normal_std_zero", _seeded(1, _show("torch.empty(20).normal_(3.0, 0.0)", 20))),
    ("normal_transposed_takes_the_scalar_path",
     _seeded(6, "t = torch.empty(6, 5).t()\nt.normal_()\nprint(t.tolist())\n")),
    ("normal_slice_in_place",
     _seeded(6, "x = torch.zeros(4, 8)\nx[:, 2:].normal_()\nprint(x.tolist())\n")),
    ("randn_like_transposed",
     _seeded(7, "t = torch.randn_like(torch.zeros(5, 4).t())\nprint(t.stride(), t.tolist())\n")),
    ("rand_like_sliced_is_contiguous",
     _seeded(7, "t = torch.rand_like(torch.zeros(3, 4)[:, ::2])\nprint(t.stride(), t.tolist())\n")),
    ("randn_requires_grad_and_generator",
     "g = torch.Generator().manual_seed(5)\nt = torch.randn(4, generator=g, requires_grad=True)\n"
     "print(t.tolist(), t.requires_grad, g.initial_seed())\n"),
]

# ---------------------------------------------------------------- uniform_
for _dt in ("float32", "float64", "float16"):
    CASES.append((f"uniform_bounds_{_dt}",
                  _seeded(2, _show(f"torch.empty(30, dtype=torch.{_dt}).uniform_(-1.7, 3.2)",
                                   30))))
CASES += [
    ("uniform_default", _seeded(2, _show("torch.empty(6).uniform_()", 6))),
    ("uniform_keyword_to", _seeded(2, _show("torch.empty(6).uniform_(to=5)", 6))),
    ("uniform_big_offset", _seeded(2, _show("torch.empty(20).uniform_(1000.0, 1000.5)", 20))),
    ("uniform_transposed", _seeded(2, "t = torch.empty(3, 4).t()\nt.uniform_(0, 2)\n"
                                      "print(t.tolist())\n")),
]

# ---------------------------------------------------------------- integers
for _i, (_lo, _hi) in enumerate(((0, 2), (0, 10), (-5, 5), (0, 1000), (0, 2**28 - 1),
                                 (0, 2**28), (-2**31, 2**31), (0, 2**40), (-7, 2**62))):
    CASES.append((f"randint_range_{_i}", _seeded(8, _show(f"torch.randint({_lo}, {_hi}, (12,))",
                                                          12))))
for _dt in ("int8", "int16", "int32", "uint8", "float32", "float64", "float16", "bool"):
    _hi = 2 if _dt == "bool" else 100
    CASES.append((f"randint_dtype_{_dt}",
                  _seeded(8, _show(f"torch.randint(0, {_hi}, (10,), dtype=torch.{_dt})", 10))))
CASES += [
    ("randint_high_only", _seeded(8, _show("torch.randint(6, (2, 3))", 6))),
    ("randint_keywords", _seeded(8, _show("torch.randint(low=1, high=4, size=(5,))", 5))),
    ("randint_like", _seeded(8, "print(torch.randint_like(torch.zeros(2, 3), 7).tolist())\n"
                                "print(torch.randint_like(torch.zeros(4), 3, 9).tolist())\n")),
]
for _dt in ("int64", "int32", "int16", "int8", "uint8", "bool", "float32", "float64", "float16"):
    CASES.append((f"random_overloads_{_dt}",
                  _seeded(12, f"d = torch.{_dt}\n"
                              "print(torch.empty(6, dtype=d).random_().tolist())\n"
                              "print(torch.empty(6, dtype=d).random_(2).tolist())\n"
                              "print(torch.empty(6, dtype=d).random_(1, None).tolist())\n")))
CASES += [
    ("random_full_64_bit_range",
     _seeded(12, "for d in (torch.int64, torch.float32, torch.float64):\n"
                 "    print(torch.empty(4, dtype=d).random_(-2**63, None).tolist())\n")),
    ("random_float16_moves_bounds",
     _seeded(12, "print(torch.empty(8, dtype=torch.float16).random_(2049, 2051).tolist())\n")),
    ("random_float_warns_past_mantissa",
     _seeded(12, "print(torch.empty(3).random_(0, 2**25).tolist())\n")),
    ("random_keyword_to", _seeded(12, "print(torch.empty(5).random_(to=5).tolist())\n")),
    ("random_generator", "g = torch.Generator().manual_seed(2)\n"
                         "print(torch.empty(5).random_(generator=g).tolist())\n"),
]

# ---------------------------------------------------------------- randperm
for _n in (0, 1, 2, 5, 10, 100, 1000):
    CASES.append((f"randperm_{_n}", _seeded(13, _show(f"torch.randperm({_n})", _n))))
CASES += [
    ("randperm_dtypes", _seeded(13, "for d in (torch.float32, torch.float64, torch.int32, "
                                    "torch.float16, torch.uint8):\n"
                                    "    print(torch.randperm(7, dtype=d).tolist())\n")),
    ("randperm_generator", "g = torch.Generator().manual_seed(1)\n"
                           "print(torch.randperm(4, generator=g).tolist())\n"
                           "print(torch.randperm(12, generator=g).tolist())\n"),
]

# ---------------------------------------------------------------- other distributions
CASES += [
    ("bernoulli_tensor_float32", _seeded(14, _show("torch.bernoulli(torch.rand(20))", 20))),
    ("bernoulli_tensor_float64",
     _seeded(14, _show("torch.bernoulli(torch.rand(20, dtype=torch.float64))", 20))),
    ("bernoulli_scalar_p", _seeded(14, _show("torch.bernoulli(torch.zeros(15), 0.3)", 15))),
    ("bernoulli_in_place_broadcast_p",
     _seeded(14, _show("torch.empty(4, 5).bernoulli_(torch.rand(5))", 20))),
    ("bernoulli_in_place_int64", _seeded(14, _show(
        "torch.empty(10, dtype=torch.int64).bernoulli_(0.7)", 10))),
    ("bernoulli_float16_p", _seeded(14, _show(
        "torch.empty(10, dtype=torch.float16).bernoulli_(torch.rand(10, dtype=torch.float16))",
        10))),
    ("bernoulli_default_half", _seeded(14, _show("torch.empty(8).bernoulli_()", 8))),
    ("bernoulli_method", _seeded(14, _show("torch.rand(6).bernoulli()", 6))),
    ("exponential", _seeded(15, _show("torch.empty(12).exponential_()", 12))),
    ("exponential_float64_rate",
     _seeded(15, _show("torch.empty(12, dtype=torch.float64).exponential_(3.0)", 12))),
    ("geometric", _seeded(15, _show("torch.empty(12).geometric_(0.3)", 12))),
    ("geometric_int64", _seeded(15, _show("torch.empty(12, dtype=torch.int64).geometric_(0.6)",
                                          12))),
    ("log_normal", _seeded(15, _show("torch.empty(7).log_normal_()", 7))),
    ("log_normal_float64",
     _seeded(15, _show("torch.empty(7, dtype=torch.float64).log_normal_(0.5, 0.2)", 7))),
    ("cauchy", _seeded(15, _show("torch.empty(9).cauchy_()", 9))),
    ("cauchy_float64", _seeded(15, _show("torch.empty(9, dtype=torch.float64).cauchy_(1.5, 0.5)",
                                         9))),
    ("multinomial_with_replacement",
     _seeded(16, _show("torch.multinomial(torch.tensor([0.1, 0.2, 0.7]), 12, True)", 12))),
    ("multinomial_without_replacement",
     _seeded(16, _show("torch.multinomial(torch.tensor([0.1, 0.2, 0.3, 0.4]), 3)", 3))),
    ("multinomial_rows", _seeded(16, _show("torch.multinomial(torch.rand(4, 6), 3)", 12))),
    ("multinomial_rows_with_replacement_float64", _seeded(16, _show(
        "torch.multinomial(torch.rand(3, 5, dtype=torch.float64), 6, replacement=True)", 18))),
    ("multinomial_float16_with_replacement", _seeded(16, _show(
        "torch.multinomial(torch.rand(2, 5, dtype=torch.float16), 4, True)", 8))),
    ("multinomial_one_sample", _seeded(16, _show("torch.rand(8).multinomial(1)", 1))),
    ("multinomial_unnormalised_weights",
     _seeded(16, _show("torch.multinomial(torch.tensor([1., 5., 0., 2.]), 3)", 3))),
    ("normal_tensor_tensor",
     _seeded(17, _show("torch.normal(torch.arange(20.), torch.ones(20) * 0.5)", 20))),
    ("normal_tensor_float", _seeded(17, _show("torch.normal(torch.arange(5.), 2.)", 5))),
    ("normal_float_tensor", _seeded(17, _show("torch.normal(1.5, torch.rand(30))", 30))),
    ("normal_float_float_size", _seeded(17, _show("torch.normal(1.5, 2.5, (4, 5))", 20))),
    ("normal_mixed_dtypes",
     _seeded(17, "print(torch.normal(torch.zeros(3, dtype=torch.float64), torch.ones(3)))\n"
                 "print(torch.normal(torch.zeros(3), torch.ones(3, dtype=torch.float64)))\n")),
]

# ---------------------------------------------------------------- the generator's API
CASES += [
    ("generator_default_seed", "g = torch.Generator()\nprint(g.initial_seed(), g.device)\n"),
    ("generator_manual_seed_returns_itself",
     "g = torch.Generator()\nprint(g.manual_seed(3) is g, g.initial_seed())\n"),
    ("generator_negative_seed_wraps",
     "print(torch.Generator().manual_seed(-1).initial_seed())\n"
     "print(torch.manual_seed(-5).initial_seed())\n"),
    ("generator_seed_is_taken_mod_2_32", _H + "torch.manual_seed(2**32 + 3)\na = torch.rand(4)\n"
     "torch.manual_seed(3)\nb = torch.rand(4)\nprint(torch.equal(a, b), torch.initial_seed())\n"),
    ("manual_seed_takes_int_of_a_float", _H + "torch.manual_seed(7.9)\n"
     "print(torch.initial_seed(), torch.rand(2).tolist())\n"),
    ("get_rng_state_bytes",
     _seeded(21, "s = torch.get_rng_state()\nprint(s.dtype, s.shape, h(s))\n"
                 "torch.randn(3)\nprint(h(torch.get_rng_state()))\n"
                 "torch.randn(1)\nprint(h(torch.get_rng_state()))\n")),
    ("set_rng_state_replays",
     _seeded(21, "s = torch.get_rng_state()\na = torch.randn(5)\ntorch.set_rng_state(s)\n"
                 "print(torch.equal(a, torch.randn(5)))\n")),
    ("set_rng_state_keeps_the_cached_normal",
     _seeded(21, "torch.randn(1)\ns = torch.get_rng_state()\na = torch.randn(3)\n"
                 "torch.set_rng_state(s)\nprint(a.tolist(), torch.randn(3).tolist())\n")),
    ("generator_state_round_trip",
     "g = torch.Generator().manual_seed(9)\ntorch.rand(3, generator=g)\ns = g.get_state()\n"
     "a = torch.rand(4, generator=g)\ng2 = torch.Generator().set_state(s)\n"
     "print(torch.equal(a, torch.rand(4, generator=g2)), g2.initial_seed())\n"),
    ("generator_clone_state", "g = torch.Generator().manual_seed(4)\ntorch.randn(1, generator=g)\n"
     "c = g.clone_state()\nprint(torch.randn(3, generator=g).tolist())\n"
     "print(torch.randn(3, generator=c).tolist())\n"),
    ("generators_are_independent",
     _seeded(22, "g = torch.Generator().manual_seed(22)\na = torch.rand(3)\n"
                 "b = torch.rand(3, generator=g)\n"
                 "print(torch.equal(a, b), torch.rand(2).tolist())\n")),
    ("fork_rng_restores", _seeded(23, "with torch.random.fork_rng():\n    a = torch.rand(3)\n"
                                      "print(torch.equal(a, torch.rand(3)))\n")),
    ("default_generator_is_manual_seeds_return",
     "print(torch.manual_seed(1) is torch.default_generator, type(torch.default_generator))\n"),
    ("seed_everything_as_tutorials_write_it",
     "import random\n"
     "def seed_everything(seed):\n"
     "    random.seed(seed)\n"
     "    np.random.seed(seed)\n"
     "    torch.manual_seed(seed)\n"
     "    torch.cuda.manual_seed(seed)\n"
     "    torch.cuda.manual_seed_all(seed)\n"
     "seed_everything(42)\n"
     "print(torch.rand(3).tolist(), torch.randn(2).tolist(), torch.cuda.seed_all())\n"
     "torch.cuda.set_rng_state(torch.get_rng_state())\n"
     "torch.cuda.initial_seed()\n"),
    ("torch_random_module", _H + "import torch.random\ntorch.random.manual_seed(3)\n"
     "print(torch.random.initial_seed(), torch.rand(2).tolist())\n"),
    ("set_state_wrong_size", "torch.set_rng_state(torch.zeros(10, dtype=torch.uint8))\n"),
    ("set_state_wrong_dtype", "torch.set_rng_state(torch.zeros(5056))\n"),
    ("set_state_invalid", "torch.Generator().set_state(torch.zeros(5056, dtype=torch.uint8))\n"),
    ("generator_manual_seed_float_error", "torch.Generator().manual_seed(1.5)\n"),
    ("generator_seed_overflow", "torch.Generator().manual_seed(2**64)\n"),
]

# ---------------------------------------------------------------- argument errors
for _name, _src in (
    ("uniform_from_above_to", "torch.empty(3).uniform_(2, 1)"),
    ("uniform_int_dtype", "torch.empty(3, dtype=torch.int64).uniform_()"),
    ("uniform_out_of_float_range", "torch.empty(2).uniform_(-1e39, 0)"),
    ("uniform_span_too_wide", "torch.empty(2).uniform_(-3e38, 3e38)"),
    ("normal_negative_std", "torch.empty(3).normal_(0, -1)"),
    ("randn_int_dtype", "torch.randn(2, dtype=torch.int32)"),
    ("rand_negative_size", "torch.rand(-1)"),
    ("randint_empty_range", "torch.randint(5, 5, (2,))"),
    ("randint_range_past_dtype", "torch.randint(0, 2**40, (2,), dtype=torch.int32)"),
    ("randint_float_high", "torch.randint(3.5, (2,))"),
    ("randint_requires_grad", "torch.randint(10, (2,), requires_grad=True)"),
    ("random_to_below_from", "torch.empty(3).random_(5, 2)"),
    ("random_uint8_negative_from", "torch.empty(3, dtype=torch.uint8).random_(-1, 5)"),
    ("random_float16_past_max", "torch.empty(3, dtype=torch.float16).random_(0, 70000)"),
    ("random_full_range_int32", "torch.empty(3, dtype=torch.int32).random_(-2**63, None)"),
    ("random_float_from_past_mantissa", "torch.empty(3).random_(2**24 + 1, None)"),
    ("randperm_negative", "torch.randperm(-1)"),
    ("randperm_half_too_long", "torch.randperm(3000, dtype=torch.float16)"),
    ("randperm_bool", "torch.randperm(3, dtype=torch.bool)"),
    ("randperm_uint8_overflow", "torch.randperm(300, dtype=torch.uint8)"),
    ("bernoulli_p_out_of_range", "torch.empty(3).bernoulli_(1.5)"),
    ("bernoulli_tensor_p_out_of_range", "torch.bernoulli(torch.tensor([0.5, 2.]))"),
    ("bernoulli_int_p", "torch.empty(2).bernoulli_(torch.tensor([1, 0]))"),
    ("bernoulli_p_not_broadcastable", "torch.empty(3).bernoulli_(torch.tensor([0.5, 0.5]))"),
    ("exponential_zero_rate", "torch.empty(3).exponential_(0)"),
    ("exponential_int_dtype", "torch.empty(3, dtype=torch.int64).exponential_()"),
    ("geometric_p_zero", "torch.empty(3).geometric_(0)"),
    ("log_normal_zero_std", "torch.empty(3).log_normal_(0, 0)"),
    ("log_normal_int", "torch.empty(2, dtype=torch.int64).log_normal_()"),
    ("cauchy_zero_sigma", "torch.empty(3).cauchy_(0, 0)"),
    ("cauchy_int", "torch.empty(2, dtype=torch.int64).cauchy_()"),
    ("multinomial_too_many_without_replacement", "torch.multinomial(torch.tensor([.1, .9]), 3)"),
    ("multinomial_negative", "torch.multinomial(torch.tensor([0.1, -0.9]), 1)"),
    ("multinomial_3d", "torch.multinomial(torch.tensor([[[1.]]]), 1)"),
    ("multinomial_int", "torch.multinomial(torch.tensor([1, 2]), 1)"),
    ("multinomial_zero_row", "torch.multinomial(torch.tensor([[1., 1.], [0., 0.]]), 1)"),
    ("multinomial_no_samples", "torch.multinomial(torch.tensor([1., 2.]), 0)"),
    ("normal_no_size", "torch.normal(0., 1.)"),
    ("normal_tensor_negative_std", "torch.normal(0., torch.tensor([-1.]))"),
    ("normal_shapes_mismatch", "torch.normal(torch.zeros(2), torch.ones(3))"),
    ("normal_int_mean", "torch.normal(torch.tensor([1, 2]), 1.)"),
    ("in_place_on_expanded", "torch.zeros(3).expand(2, 3).normal_()"),
    ("in_place_on_leaf_requiring_grad", "torch.zeros(3, requires_grad=True).uniform_()"),
):
    CASES.append((f"error_{_name}", _src + "\n"))

# ---------------------------------------------------------------- torch.nn and torch.utils.data
_NN = "import torch.nn as nn\n"
CASES += [
    (f"linear_init_{_i}", _seeded(_seed, _NN + f"l = nn.Linear({_a}, {_b})\n"
                                  "print(l.weight.tolist(), l.bias.tolist())\n"))
    for _i, (_seed, _a, _b) in enumerate(((0, 3, 2), (1, 5, 4), (42, 2, 6)))
]
CASES += [
    ("linear_init_big", _seeded(0, _NN + "l = nn.Linear(256, 128)\n"
                                         "print(h(l.weight), h(l.bias))\n")),
    ("linear_no_bias", _seeded(0, _NN + "print(nn.Linear(4, 2, bias=False).weight.tolist())\n")),
    ("linear_float64", _seeded(0, _NN + "l = nn.Linear(3, 2, dtype=torch.float64)\n"
                                        "print(l.weight.tolist(), l.bias.tolist())\n")),
    ("sequential_init_order", _seeded(0, _NN + "m = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), "
                                               "nn.Linear(4, 1))\n"
                                               "print([p.tolist() for p in m.parameters()])\n")),
    ("init_functions", _seeded(0, _NN + "w = torch.empty(3, 5)\n"
                                        "for f in (nn.init.xavier_uniform_, "
                                        "nn.init.xavier_normal_, "
                                        "nn.init.kaiming_uniform_, nn.init.kaiming_normal_, "
                                        "nn.init.uniform_, nn.init.normal_):\n"
                                        "    print(f(w).tolist())\n")),
    ("init_with_generator", _NN + "g = torch.Generator().manual_seed(8)\nw = torch.empty(2, 3)\n"
                                  "print(nn.init.kaiming_normal_(w, mode='fan_out', "
                                  "generator=g).tolist())\n"),
    ("init_big_normal", _seeded(0, _NN + "w = nn.init.normal_(torch.empty(64, 64), 0, 0.02)\n"
                                         "print(h(w))\n")),
    ("dropout_masks", _seeded(0, _NN + "x = torch.ones(4, 6)\n"
                                       "for p in (0.1, 0.5, 0.9):\n"
                                       "    print(nn.Dropout(p)(x).tolist())\n")),
    ("dropout_functional_and_in_place",
     _seeded(1, "x = torch.arange(1., 9.).reshape(2, 4)\nprint(F.dropout(x, 0.25).tolist())\n"
                "y = x.clone()\nF.dropout(y, 0.5, inplace=True)\nprint(y.tolist())\n")),
    ("dropout_transposed_input",
     _seeded(1, "print(F.dropout(torch.ones(3, 4).t(), 0.2).tolist())\n")),
    ("dropout_big", _seeded(2, "y = F.dropout(torch.ones(1000), 0.3)\n"
                               "print(h(y), (y == 0).sum().item())\n")),
    ("dropout_eval_is_identity", _seeded(2, _NN + "d = nn.Dropout()\nd.eval()\n"
                                                  "print(d(torch.ones(3)).tolist(), "
                                                  "torch.rand(2).tolist())\n")),
]
_DATA = ("from torch.utils.data import DataLoader, TensorDataset, RandomSampler, "
         "WeightedRandomSampler, SubsetRandomSampler, random_split\n"
         "ds = TensorDataset(torch.arange(23.))\n")
CASES += [
    ("dataloader_shuffle_epochs",
     _seeded(0, _DATA + "loader = DataLoader(ds, batch_size=5, shuffle=True)\n"
                        "for epoch in range(3):\n"
                        "    print([b[0].tolist() for b in loader])\n")),
    ("dataloader_shuffle_then_global_draw",
     _seeded(0, _DATA + "print([b[0].tolist() for b in DataLoader(ds, batch_size=8, "
                        "shuffle=True)])\nprint(torch.rand(2).tolist())\n")),
    ("dataloader_with_generator",
     _DATA + "g = torch.Generator().manual_seed(3)\n"
             "print([b[0].tolist() for b in DataLoader(ds, batch_size=4, shuffle=True, "
             "generator=g)])\nprint(g.initial_seed(), torch.rand(1).tolist() != [])\n"),
    ("dataloader_drop_last_shuffle",
     _seeded(5, _DATA + "print([b[0].tolist() for b in DataLoader(ds, batch_size=6, "
                        "shuffle=True, drop_last=True)])\n")),
    ("random_split_lengths",
     _DATA + "a, b = random_split(range(10), [3, 7], generator=torch.Generator().manual_seed(42))\n"
             "print(list(a), list(b))\n"),
    ("random_split_fractions_default_generator",
     _seeded(6, _DATA + "parts = random_split(range(30), [0.3, 0.3, 0.4])\n"
                        "print([list(p) for p in parts])\n")),
    ("random_sampler_replacement",
     _seeded(7, _DATA + "print(list(RandomSampler(range(10), replacement=True, "
                        "num_samples=40)))\n")),
    ("random_sampler_num_samples",
     _seeded(7, _DATA + "print(list(RandomSampler(range(10), num_samples=25)))\n")),
    ("weighted_random_sampler",
     _seeded(8, _DATA + "print(list(WeightedRandomSampler([0.1, 0.9, 0.4, 0.7, 3.0, 0.6], 5, "
                        "replacement=True)))\n"
                        "print(list(WeightedRandomSampler([0.9, 0.4, 0.05, 0.2, 0.3, 0.1], 5, "
                        "replacement=False)))\n")),
    ("subset_random_sampler",
     _seeded(9, _DATA + "print(list(SubsetRandomSampler([3, 5, 7, 9])))\n")),
]
