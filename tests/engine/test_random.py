"""torch's generator and samplers: the engine's state, and programs of draws against real torch.

The property tests draw a seed and a short program of random calls (sizes around the block of
16 and not multiples of it, every float dtype, transposed tensors, a second generator
interleaved with the default one), run it once with real torch and once with the engine, and
compare every value bit for bit and the generator states' bytes at the end. Examples are bounded
and derandomized, so CI time is fixed and a failure reproduces.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import gradtui.engine.torchapi as ours
from gradtui.engine import distributions, generator
from gradtui.engine.generator import STATE_LAYOUT, Generator

BOUNDED = settings(max_examples=120, derandomize=True, database=None, deadline=None,
                   suppress_health_check=[HealthCheck.too_slow])


def _intel() -> bool:
    """On Intel CPUs torch's MKL build draws bernoulli_(p) (and so dropout) from MKL's own
    stream, which the engine does not reproduce (docs/engine.md)."""
    try:
        return "GenuineIntel" in Path("/proc/cpuinfo").read_text()
    except OSError:
        return False


INTEL = _intel()


# ------------------------------------------------------------------ the state, without torch
def test_state_bytes_have_torchs_layout_after_seeding() -> None:
    g = Generator().manual_seed(2**40 + 5)
    rec = np.frombuffer(g.state_bytes().tobytes(), STATE_LAYOUT)[0]
    assert g.state_bytes().size == 5056 == STATE_LAYOUT.itemsize
    assert (int(rec["the_initial_seed"]), int(rec["left"]), int(rec["seeded"]),
            int(rec["next"])) == (2**40 + 5, 1, 1, 0)
    key = [5]  # init_genrand(2**40 + 5 mod 2**32), MT19937's seeding recurrence
    for j in range(1, 624):
        key.append((1812433253 * (key[-1] ^ (key[-1] >> 30)) + j) & 0xFFFFFFFF)
    assert rec["state"].tolist() == key and key[1] == 472231674
    assert not rec["normal_is_valid"] and not rec["is_next_float_normal_sample_valid"]


def test_state_tracks_words_drawn_and_the_cached_normal() -> None:
    g = Generator().manual_seed(0)
    g.words(10)
    rec = np.frombuffer(g.state_bytes().tobytes(), STATE_LAYOUT)[0]
    assert (int(rec["left"]), int(rec["next"])) == (615, 10)
    ours.randn(3, generator=g)  # two Box-Muller pairs: the second sine is cached
    rec = np.frombuffer(g.state_bytes().tobytes(), STATE_LAYOUT)[0]
    assert rec["normal_is_valid"] == 1 and rec["normal_y"] == g.next_double_normal
    g.words(624 - 18)
    rec = np.frombuffer(g.state_bytes().tobytes(), STATE_LAYOUT)[0]
    assert (int(rec["left"]), int(rec["next"])) == (1, 624)


def test_set_state_replays_the_stream_and_the_cache() -> None:
    g = Generator().manual_seed(3)
    ours.randn(1, generator=g)
    saved = g.get_state()
    first = ours.randn(5, generator=g).tolist()
    g.set_state(saved)
    assert ours.randn(5, generator=g).tolist() == first
    twin = Generator().set_state(saved)
    assert ours.randn(5, generator=twin).tolist() == first
    assert twin.initial_seed() == 3


def test_manual_seed_forgets_the_cached_normal() -> None:
    g = Generator().manual_seed(1)
    ours.randn(1, generator=g)
    assert g.next_double_normal is not None
    g.manual_seed(1)
    assert g.next_double_normal is None


def test_seeds_wrap_like_torch() -> None:
    assert Generator().manual_seed(-1).initial_seed() == 2**64 - 1
    assert ours.manual_seed(7.9).initial_seed() == 7  # torch.manual_seed takes int(seed)
    a = Generator().manual_seed(2**32 + 9).words(5)
    assert a.tolist() == Generator().manual_seed(9).words(5).tolist()
    with pytest.raises(ValueError, match="Overflow when unpacking long long"):
        Generator().manual_seed(2**64)
    with pytest.raises(RuntimeError, match="manual_seed expected a long, but got float"):
        Generator().manual_seed(1.5)


def test_seed_draws_a_fresh_64_bit_seed() -> None:
    g = Generator()
    seeds = {g.seed() for _ in range(4)}
    assert len(seeds) == 4 and all(0 <= s < 2**64 for s in seeds)
    assert g.initial_seed() in seeds


def test_generator_devices() -> None:
    assert str(Generator("cpu").device) == "cpu"
    with pytest.raises(RuntimeError, match="Cannot get CUDA generator"):
        Generator("cuda")
    with pytest.raises(RuntimeError, match="META device type not an accelerator."):
        Generator("meta")


def test_a_bad_state_is_refused_and_changes_nothing() -> None:
    g = Generator().manual_seed(4)
    before = g.state_bytes()
    with pytest.raises(RuntimeError, match="Expected a CPUGeneratorImplState of size 5056"):
        g.set_state(ours.zeros(10, dtype=ours.uint8))
    with pytest.raises(TypeError, match="RNG state must be a torch.ByteTensor"):
        g.set_state(ours.zeros(5056))
    with pytest.raises(RuntimeError, match="Invalid mt19937 state"):
        g.set_state(ours.zeros(5056, dtype=ours.uint8))
    assert np.array_equal(g.state_bytes(), before)


def test_fork_rng_puts_the_default_generator_back() -> None:
    ours.manual_seed(5)
    with ours.random.fork_rng():
        inside = ours.rand(3).tolist()
    assert ours.rand(3).tolist() == inside


def test_randperm_for_huge_n_is_torchs_inside_out_shuffle(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """torch switches to ``random64() % (i + 1)`` from n = 2^32 / 20 on (too big to test
    against torch here): the same algorithm at small n gives a permutation, the one written out
    by hand."""
    monkeypatch.setattr(distributions, "RANDPERM_SWAPS_BELOW", 0)
    perm = distributions.randperm(Generator().manual_seed(6), 50)
    draws = Generator().manual_seed(6).words64(50)
    expected = [0] * 50
    for i in range(50):
        z = int(draws[i] % np.uint64(i + 1))
        expected[i] = expected[z]
        expected[z] = i
    assert perm.tolist() == expected and sorted(expected) == list(range(50))


@st.composite
def swap_targets(draw: st.DrawFn) -> tuple[int, list[int]]:
    """A size and, for every step i but the last position, a target in [i, n)."""
    n = draw(st.integers(0, 80))
    return n, [draw(st.integers(i, n - 1)) for i in range(n - 1)]


def _swapped_one_by_one(targets: list[int], n: int) -> list[int]:
    perm = list(range(n))
    for i, j in enumerate(targets):
        perm[i], perm[j] = perm[j], perm[i]
    return perm


@BOUNDED
@given(case=swap_targets())
def test_the_swaps_without_a_loop_are_the_swaps_one_by_one(case: tuple[int, list[int]]) -> None:
    """randperm's Fisher-Yates swaps from the front, computed by pointer jumping, against the
    loop they replace (self-swaps, a position swapped with many times, chains of them)."""
    n, targets = case
    got = distributions.swapped_from_the_front(np.array(targets, dtype=np.int64), n)
    assert got.dtype == np.int64 and got.tolist() == _swapped_one_by_one(targets, n)


def test_the_swaps_without_a_loop_at_randperms_sizes() -> None:
    rng = np.random.default_rng(7)
    for n in (2, 3, 1000, 65_537):
        targets = np.arange(n - 1) + rng.integers(0, np.arange(n, 1, -1))
        got = distributions.swapped_from_the_front(targets.astype(np.int64), n)
        assert got.tolist() == _swapped_one_by_one(targets.tolist(), n)


@pytest.mark.torch
@pytest.mark.parametrize("n", [0, 1, 2, 17, 1000, 1_000_000])
def test_randperm_is_torchs_permutation(n: int) -> None:
    torch = pytest.importorskip("torch", reason="real torch 2.13 (the oracle) is not installed: "
                                "randperm compared with torch's skipped")
    for seed in (0, 1, 2**40 + 3):
        expected = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
        got = ours.randperm(n, generator=ours.Generator().manual_seed(seed))
        assert np.array_equal(got.numpy(), expected.numpy()), (n, seed)


def test_a_double_reaches_float16_through_float32_as_in_torch() -> None:
    """torch's scalar normal_ computes doubles and casts them to c10::Half, which is built from a
    float: two roundings. This draw is 2.299804613752958, just past the midpoint of 2.298828125
    and 2.30078125: as a float it is the midpoint's upper neighbour, so torch 2.13 gives
    2.30078125; rounding the double straight to float16 gave 2.298828125 (found by the
    hypothesis program test below: seed 0, gen_seed 996)."""
    g = ours.Generator().manual_seed(996)
    v = ours.empty(63, 3, dtype=ours.float16).t().normal_(1.5840599749278983, 1.6300899105162212,
                                                          generator=g)
    assert v.reshape(-1)[61].item() == 2.30078125


# ------------------------------------------------------------------ programs against torch
DTYPES = ("float32", "float64", "float16")
sizes = st.one_of(st.integers(0, 40), st.sampled_from([15, 16, 17, 31, 32, 33, 47, 63, 100]))


@st.composite
def steps(draw: st.DrawFn) -> tuple:
    kind = draw(st.sampled_from([
        "rand", "randn", "normal_", "uniform_", "randint", "randint_wide", "randperm",
        "bernoulli_tensor", "bernoulli_scalar", "exponential_", "random_", "multinomial",
        "transposed_normal_", "normal_tensors", "dropout", "linear"]))
    return (kind, draw(sizes), draw(st.sampled_from(DTYPES)),
            draw(st.floats(-3, 3, allow_nan=False)), draw(st.floats(0.1, 4, allow_nan=False)),
            draw(st.booleans()))


def _run_step(T: Any, step: tuple, gen: Any) -> Any:
    """One random call written once against the torch API (``T`` is torch or the engine)."""
    kind, n, dtype_name, a, b, use_gen = step
    dtype = getattr(T, dtype_name)
    g = gen if use_gen else None
    if kind == "rand":
        return T.rand(n, dtype=dtype, generator=g)
    if kind == "randn":
        return T.randn(n, 2, dtype=dtype, generator=g) if n % 2 else T.randn(n, dtype=dtype,
                                                                             generator=g)
    if kind == "normal_":
        return T.empty(n, dtype=dtype).normal_(a, b, generator=g)
    if kind == "uniform_":
        return T.empty(n, dtype=dtype).uniform_(a, a + b, generator=g)
    if kind == "randint":
        return T.randint(int(a * 10) - 40, int(a * 10) + int(b * 50), (n,), generator=g)
    if kind == "randint_wide":
        return T.randint(-(2**30), 2**34, (n,), generator=g)
    if kind == "randperm":
        return T.randperm(n, generator=g)
    if kind == "bernoulli_tensor":
        return T.bernoulli(T.rand(n, dtype=dtype, generator=g), generator=g)
    if kind == "bernoulli_scalar":
        return T.empty(n, dtype=dtype).bernoulli_(b / 4, generator=g)
    if kind == "exponential_":
        return T.empty(n, dtype=dtype).exponential_(b, generator=g)
    if kind == "random_":
        return T.empty(n, dtype=T.int32 if use_gen else dtype).random_(generator=g)
    if kind == "multinomial":
        weights = T.rand(3, n + 1, dtype=T.float64 if use_gen else T.float32, generator=g)
        return T.multinomial(weights, min(n + 1, 3), replacement=n % 2 == 0, generator=g)
    if kind == "transposed_normal_":
        return T.empty(n, 3, dtype=dtype).t().normal_(a, b, generator=g)
    if kind == "normal_tensors":
        return T.normal(T.arange(float(n)), T.full((n,), b), generator=g)
    if kind == "dropout":
        return T.nn.functional.dropout(T.ones(n, 2), p=b / 4.5)
    return T.nn.Linear(n + 1, 3).weight


def _values(t: Any) -> tuple:
    return str(t.dtype), tuple(t.shape), t.reshape(-1).tolist()


@pytest.mark.torch
@BOUNDED
@given(seed=st.integers(-(2**63), 2**64 - 1), gen_seed=st.integers(0, 2**64 - 1),
       program=st.lists(steps(), min_size=1, max_size=6))
def test_programs_of_draws_match_torch_bit_for_bit(seed: int, gen_seed: int,
                                                   program: list[tuple]) -> None:
    torch = pytest.importorskip("torch", reason="real torch 2.13 (the oracle) is not installed: "
                                "random draws compared bit for bit skipped")
    if INTEL:
        program = [s for s in program if s[0] not in ("bernoulli_scalar", "dropout")]
    results = []
    for T in (torch, ours):
        T.manual_seed(seed)
        g = T.Generator().manual_seed(gen_seed)
        values = [_values(_run_step(T, step, g)) for step in program]
        results.append((values, bytes(T.get_rng_state().numpy()),
                        bytes(g.get_state().numpy())))
    (want, want_state, want_gen), (got, got_state, got_gen) = results
    for step, w, o in zip(program, want, got, strict=True):
        assert w == o, f"{step} differs"
    assert want_state == got_state and want_gen == got_gen


@pytest.mark.torch
@BOUNDED
@given(seed=st.integers(0, 2**32 - 1), drawn=st.integers(0, 700), left=st.integers(1, 624),
       nxt=st.integers(0, 624))
def test_any_valid_state_torch_accepts_draws_the_same(seed: int, drawn: int, left: int,
                                                      nxt: int) -> None:
    """States torch can produce, and crafted ones it accepts (the engine twists early when
    ``next + left - 1 < 624``, as torch's engine does)."""
    torch = pytest.importorskip("torch", reason="real torch 2.13 (the oracle) is not installed: "
                                "random draws compared bit for bit skipped")
    if left > 1 and nxt + left - 1 > 624:
        return  # torch would read past its state array: the engine refuses these instead
    torch.manual_seed(seed)
    torch.rand(drawn)
    raw = np.frombuffer(bytes(torch.get_rng_state().numpy()), STATE_LAYOUT).copy()
    raw["left"], raw["next"] = left, nxt
    state = np.frombuffer(raw.tobytes(), np.uint8).copy()
    torch.set_rng_state(torch.from_numpy(state.copy()))
    ours.set_rng_state(ours.from_numpy(state.copy()))
    for _ in range(3):
        assert torch.randint(0, 2**20, (250,)).tolist() == ours.randint(0, 2**20,
                                                                       (250,)).tolist()
        assert bytes(torch.get_rng_state().numpy()) == bytes(ours.get_rng_state().numpy())


@pytest.mark.torch
def test_the_default_generator_is_torchs_object_in_every_spelling() -> None:
    assert ours.default_generator is generator.default_generator
    assert ours.manual_seed(0) is ours.default_generator
    assert type(ours.default_generator).__module__ == "torch._C"
    assert ours.random.get_rng_state().shape == (5056,)
