"""torch's CPU samplers: random words turned into values exactly as torch 2.13 turns them.

Every function takes a ``Generator`` (engine/generator.py) and returns a flat numpy array of
values in the order torch's serial kernel writes them (the tensor's memory order). The
transformations are aten/src/ATen/core/TransformationHelper.h and DistributionsHelper.h:

- uniform float32/float16: ``(random() & (2^24 - 1)) * 2^-24``, float64: ``(random64() &
  (2^53 - 1)) * 2^-53``; then ``x * (to - from) + from`` (one fused multiply-add on AVX2 builds);
- normal: ``kernels.normal_fill`` for contiguous tensors of 16 values or more, else the
  scalar Box-Muller in double precision, ``r = sqrt(-2 log1p(-u2))``, ``theta = 2 pi u1``, which
  returns ``r cos(theta)`` and caches ``r sin(theta)`` in the generator for the next call;
- integers: ``random() % range + from`` (``random64()`` once the range reaches 2^28);
- bernoulli, exponential, geometric, log-normal, Cauchy: one double uniform (``random64``) per
  value, through the C library's ``log1p``/``log``/``exp``/``tan`` (Python's ``math``).

Functions that need the C library per value map ``math`` over the values: exact, and fast enough
for the sizes these rarer distributions are drawn at.
"""

from __future__ import annotations

import math

import numpy as np

from gradtui.engine.generator import Generator
from gradtui.engine.kernels import fma64, normal_fill
from gradtui.engine.kernels.normal_fill import F32, F64

U32, U64 = np.uint32, np.uint64
_MASK24, _MASK53 = U32(0xFFFFFF), U64((1 << 53) - 1)
_TWO_PI = 2.0 * math.pi
# randperm swaps with random() % (n - i) below this n, then shuffles with random64()
RANDPERM_SWAPS_BELOW = 0xFFFFFFFF // 20


def _fma64(a: np.ndarray, b: float, c: float) -> np.ndarray:
    return fma64.fma(a, np.full_like(a, b), np.full_like(a, c))


# ------------------------------------------------------------------------------ uniforms
def unit_floats(gen: Generator, n: int) -> np.ndarray:
    """``uniform_real_distribution<float>(0, 1)`` n times: 24 random bits over 2^24."""
    values = (gen.words(n) & _MASK24).astype(F32)
    values *= F32(2.0 ** -24)
    return values


def unit_doubles(gen: Generator, n: int) -> np.ndarray:
    """``uniform_real_distribution<double>(0, 1)`` n times: 53 bits of ``random64()``."""
    values = (gen.words64(n) & _MASK53).astype(F64)
    values *= 2.0 ** -53
    return values


def uniform(gen: Generator, n: int, dtype: np.dtype, low: float, high: float) -> np.ndarray:
    """``uniform_(low, high)``: float16 draws in float32 and rounds; a value that rounds up to
    ``high`` becomes ``low`` (torch's clamp for the narrower dtype)."""
    if dtype == F64:
        x = unit_doubles(gen, n)
        span = high - low
        return _fma64(x, span, low) if normal_fill.FUSED else x * span + low
    lo, hi = F32(low), F32(high)
    x = unit_floats(gen, n)
    values = normal_fill.fma32(x, hi - lo, lo) if normal_fill.FUSED else x * (hi - lo) + lo
    if dtype != F32:
        values = values.astype(dtype)
    top, bottom = cast(np.asarray(high), dtype), cast(np.asarray(low), dtype)
    return np.where(values == top, bottom, values)


def cast(values: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """``values`` as ``dtype`` the way C++'s ``static_cast<scalar_t>`` makes them: c10::Half is
    built from a float, so a double (or an integer) reaches float16 through float32, two
    roundings (a double just past a half's midpoint can land on the other side of it)."""
    if np.dtype(dtype) == np.float16 and values.dtype != F32:
        values = values.astype(F32)
    return values.astype(dtype)


# ------------------------------------------------------------------------------ normals
def normal(gen: Generator, n: int, dtype: np.dtype, mean: float, std: float,
           contiguous: bool = True) -> np.ndarray:
    """``normal_(mean, std)`` of n values of ``dtype`` (float16, float32, float64)."""
    if n >= 16 and contiguous:
        return _normal_fill(gen, n, dtype, mean, std)
    return cast(scalar_normals(gen, n, mean, std), dtype)


def _normal_fill(gen: Generator, n: int, dtype: np.dtype, mean: float, std: float) -> np.ndarray:
    """torch's ``normal_fill``: n uniforms, then 16 more for a ragged tail, Box-Muller in the
    dtype's compute precision (float for float16), rounded to the dtype last."""
    if dtype == F64:
        values = unit_doubles(gen, n)
        tail = unit_doubles(gen, 16) if n % 16 else None
    elif dtype == F32:
        values = unit_floats(gen, n)
        tail = unit_floats(gen, 16) if n % 16 else None
    else:  # float16: uniforms only for the full blocks (torch's stack buffer), then the tail
        full = n // 16 * 16
        values = np.empty(n, F32)
        values[:full] = unit_floats(gen, full)
        tail = unit_floats(gen, 16) if n % 16 else None
    normal_fill.normal_fill(values, tail, mean, std)
    return values if values.dtype == dtype else values.astype(dtype)


def scalar_normals(gen: Generator, n: int, mean: float, std: float) -> np.ndarray:
    """``normal_distribution<double>(mean, std)`` called n times (float64): a cached sample
    first, then Box-Muller pairs (cosine now, sine cached for the next call)."""
    out = np.empty(n, F64)
    start = 0
    if n and gen.next_double_normal is not None:
        out[0] = gen.next_double_normal
        gen.next_double_normal = None
        start = 1
    pairs = (n - start + 1) // 2
    if pairs:
        u = unit_doubles(gen, 2 * pairs).reshape(pairs, 2)
        radius = np.sqrt(-2.0 * np.array(list(map(math.log1p, (-u[:, 1]).tolist()))))
        theta = (_TWO_PI * u[:, 0]).tolist()
        both = np.empty((pairs, 2), F64)
        both[:, 0] = radius * np.array(list(map(math.cos, theta)))
        both[:, 1] = radius * np.array(list(map(math.sin, theta)))
        flat = both.reshape(-1)
        out[start:] = flat[:n - start]
        if (n - start) % 2:
            gen.next_double_normal = float(flat[-1])
    if std == 1 and mean == 0:
        return out
    return _fma64(out, std, mean) if normal_fill.FUSED else out * std + mean


def log_normal(gen: Generator, n: int, dtype: np.dtype, mean: float, std: float) -> np.ndarray:
    """``log_normal_(mean, std)``: exp of the scalar normal path (cache included)."""
    values = scalar_normals(gen, n, mean, std)
    return cast(np.array(list(map(math.exp, values.tolist())), F64), dtype)


# ------------------------------------------------------------------------------ integers
def random_from_to(gen: Generator, n: int, dtype: np.dtype, span: int, base: int) -> np.ndarray:
    """``random_(from, to)``: ``random() % span + from`` as int64, cast to ``dtype``; spans of
    2^28 or more take ``random64()`` (torch's ``uniform_int_from_to_distribution``)."""
    if span >= 1 << 28:
        raw = gen.words64(n) % U64(span)
    else:
        raw = (gen.words(n) % U32(span)).astype(U64)
    values = (raw + U64(base & 0xFFFFFFFFFFFFFFFF)).view(np.int64)
    return _int64_to(values, dtype)


def random_full_range(gen: Generator, n: int, dtype: np.dtype) -> np.ndarray:
    """``random_(-2**63, None)``: every int64, ``random64()`` reinterpreted."""
    return _int64_to(gen.words64(n).view(np.int64), dtype)


def random_default(gen: Generator, n: int, dtype: np.dtype) -> np.ndarray:
    """``random_()``: [0, max] of the dtype, [0, 2^mantissa] for floats, 0/1 for bool
    (torch's ``uniform_int_distribution``; int64 and float64 take ``random64()``)."""
    if dtype == np.bool_:
        return (gen.words(n) & U32(1)).astype(np.bool_)
    if dtype in (np.int64, F64):
        modulus = 1 << 63 if dtype == np.int64 else (1 << 53) + 1
        return (gen.words64(n) % U64(modulus)).astype(dtype)
    digits = {np.dtype(F32): 24, np.dtype(np.float16): 11}.get(np.dtype(dtype))
    modulus = (1 << digits) + 1 if digits else int(np.iinfo(dtype).max) + 1
    return (gen.words(n).astype(U64) % U64(modulus)).astype(dtype)


def _int64_to(values: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """C++'s ``static_cast<T>(int64_t)``: wraps for narrower integers, rounds for floats."""
    if dtype == np.bool_:
        return values != 0
    return cast(values, dtype)


# ------------------------------------------------------------------------------ others
def bernoulli_scalar(gen: Generator, n: int, p: float, dtype: np.dtype) -> np.ndarray:
    """``bernoulli_(p)``: a double uniform below p (torch's kernel on CPUs without MKL's
    stream: every non-Intel CPU)."""
    return (unit_doubles(gen, n) < p).astype(dtype)


def bernoulli_tensor(gen: Generator, p: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """``bernoulli_(p_tensor)`` with p already in iteration order: float64 p against double
    uniforms, other float p against float uniforms. An invalid p stops the loop there, after
    the draws for the values before it, with torch's message."""
    bad = ~((p >= 0) & (p <= 1))
    if bad.any():
        first = int(np.argmax(bad))
        (unit_doubles if p.dtype == F64 else unit_floats)(gen, first)
        raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could "
                           "this error message be improved?  If so, please report an enhancement "
                           "request to PyTorch.)")
    if p.dtype == F64:
        return (unit_doubles(gen, p.size) < p).astype(dtype)
    return (unit_floats(gen, p.size) < p.astype(F32)).astype(dtype)


def exponential(gen: Generator, n: int, dtype: np.dtype, lambd: float) -> np.ndarray:
    """``exponential_(lambd)``: ``-1/lambd * log1p(-u)`` in double precision."""
    u = unit_doubles(gen, n)
    scale = -1.0 / lambd
    logs = np.array(list(map(math.log1p, (-u).tolist())), F64)
    return cast(scale * logs, dtype)


def geometric(gen: Generator, n: int, dtype: np.dtype, p: float) -> np.ndarray:
    """``geometric_(p)``: ``ceil(log(u) / log1p(-p))`` (trials up to the first success)."""
    u = unit_doubles(gen, n).tolist()
    denominator = math.log1p(-p)
    values = [math.ceil(math.log(x) / denominator) if x > 0 else math.inf for x in u]
    return cast(np.array(values, F64), dtype)


def cauchy(gen: Generator, n: int, dtype: np.dtype, median: float, sigma: float) -> np.ndarray:
    """``cauchy_(median, sigma)``: ``median + sigma * tan(pi (u - 0.5))`` in double (fused on
    AVX2 builds)."""
    u = unit_doubles(gen, n)
    tans = np.array(list(map(math.tan, (math.pi * (u - 0.5)).tolist())), F64)
    if normal_fill.FUSED:
        values = fma64.fma(np.full_like(tans, sigma), tans, np.full_like(tans, median))
    else:
        values = median + sigma * tans
    return cast(values, dtype)


def randperm(gen: Generator, n: int) -> np.ndarray:
    """``randperm(n)`` as int64: torch's swaps, ``i <-> i + random() % (n - i)`` from the
    front; from n = 2^32 / 20 on, its inside-out shuffle with ``random64()``."""
    if n < RANDPERM_SWAPS_BELOW:
        offsets = gen.words(max(n - 1, 0)).astype(np.int64) % np.arange(n, 1, -1, dtype=np.int64)
        return swapped_from_the_front(np.arange(n - 1, dtype=np.int64) + offsets, n)
    draws = (gen.words64(n) % np.arange(1, n + 1, dtype=U64)).tolist()
    perm = [0] * n
    for i, z in enumerate(draws):
        perm[i] = perm[z]
        perm[z] = i
    return np.array(perm, dtype=np.int64)


def swapped_from_the_front(targets: np.ndarray, n: int) -> np.ndarray:
    """``range(n)`` after ``perm[i], perm[targets[i]] = perm[targets[i]], perm[i]`` for i = 0,
    1, ... in turn (every ``targets[i] >= i``), without a Python loop over the swaps.

    Step i freezes position i, so what it takes from ``targets[i]`` is what the last earlier
    step that swapped with that position left there: what *that* step's own position held when
    it began; or, if no earlier step did, ``targets[i]`` itself. What position m held when step
    m began is, in turn, what the last step before m that swapped with m left there, and so on
    back to a position no step touched before its own, which still holds its index. These "who
    wrote here last" links form a forest whose roots are the answers; pointer jumping
    (``holder = holder[holder]``) reaches every root in about log2(longest chain) gathers.
    """
    steps = n - 1
    if steps <= 0:
        return np.arange(max(n, 0), dtype=np.int64)
    small = np.int32 if n < 2**31 else np.int64  # half the memory traffic of int64 indices
    # the steps grouped by target, earlier first (a unique key: quicksort, not a stable sort)
    order = np.argsort(targets * n + np.arange(steps, dtype=np.int64)).astype(small)
    target = targets.astype(small)
    by_target = target[order]
    repeat = by_target[1:] == by_target[:-1]
    previous = np.empty(steps, small)  # the step before i that swapped with targets[i], or -1
    previous[order[0]] = -1
    previous[order[1:]] = np.where(repeat, order[:-1], -1)
    # holder[p]: who wrote position p last before step p (p itself: nobody), then, after the
    # jumping, the value position p held when step p began
    holder = np.arange(n, dtype=small)
    last = np.append(~repeat, True)
    holder[by_target[last]] = order[last]
    stays = np.flatnonzero(target == np.arange(steps, dtype=small))  # swaps with themselves
    before = previous[stays]
    holder[stays] = np.where(before >= 0, before, stays)
    active = np.flatnonzero(holder != np.arange(n, dtype=small))
    while active.size:
        up = holder[active]
        upper = holder[up]
        holder[active] = upper
        active = active[upper != up]  # a root's children are done
    perm = np.empty(n, np.int64)
    perm[:steps] = target
    taken = np.flatnonzero(previous >= 0)
    perm[taken] = holder[previous[taken]]
    perm[stays] = holder[stays]
    perm[steps] = holder[steps]
    return perm


def multinomial(gen: Generator, probs: np.ndarray, n_sample: int,
                replacement: bool) -> np.ndarray:
    """``multinomial`` on rows of probabilities (2-d, float dtype): with replacement, a binary
    search of a double uniform in the normalised running sums; without, torch's Gumbel trick,
    the largest ``p / q`` with q ~ Exp(1) (in the probabilities' dtype)."""
    if not replacement:
        q = exponential(gen, probs.size, probs.dtype, 1.0).reshape(probs.shape)
        with np.errstate(divide="ignore", invalid="ignore"):
            keys = probs / q
        if n_sample == 1:
            return np.argmax(keys, axis=-1).reshape(-1, 1).astype(np.int64)
        order = np.argsort(-keys, axis=-1, kind="stable")
        return order[:, :n_sample].astype(np.int64)
    acc = F32 if probs.dtype == np.float16 else probs.dtype  # half sums in float, like torch
    out = np.empty((probs.shape[0], n_sample), np.int64)
    for row, p in enumerate(probs):
        cumulative = np.add.accumulate(p.astype(acc))
        cumulative /= cumulative[-1]
        cumulative[-1] = 1
        u = unit_doubles(gen, n_sample)
        out[row] = np.searchsorted(cumulative.astype(F64), u, side="left")
    return out
