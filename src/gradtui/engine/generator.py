"""torch's CPU random generator, bit for bit: the 32-bit Mersenne Twister and its state.

torch 2.13's ``CPUGeneratorImpl`` (aten/src/ATen/CPUGeneratorImpl.cpp) wraps ``at::mt19937``
(aten/src/ATen/core/MT19937RNGEngine.h), the reference MT19937 of Matsumoto and Nishimura:

- ``manual_seed(s)`` runs ``init_genrand(s mod 2**32)`` but remembers the whole 64-bit ``s`` for
  ``initial_seed()``, and forgets the cached normal samples;
- ``random()`` is the next tempered 32-bit word; ``random64()`` is two words, the first one high
  (``make64BitsFrom32Bits(hi, lo)``);
- the Box-Muller of the scalar ``normal`` path makes two samples and caches the second one, per
  precision (``next_double_normal_sample``, ``next_float_normal_sample``).

numpy's ``MT19937`` bit generator is the same engine, so the words come from it at C speed; this
module only seeds it the way torch does and translates its state to torch's ``get_state()``
bytes (5056 of them: the legacy ``THGeneratorState`` layout) and back.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from gradtui.engine.device import Device
from gradtui.engine.tensor_base import TensorBase, new_leaf

# torch's default_rng_seed_val: the seed of a new torch.Generator()
DEFAULT_SEED = 67280421310721
_N = 624  # MT19937 state words

# torch.get_rng_state() bytes: CPUGeneratorImplState = {CPUGeneratorImplStateLegacy, float, bool}
STATE_LAYOUT = np.dtype([
    ("the_initial_seed", "<u8"), ("left", "<i4"), ("seeded", "<i4"), ("next", "<u8"),
    ("state", "<u8", (_N,)),
    ("normal_x", "<f8"), ("normal_y", "<f8"), ("normal_rho", "<f8"), ("normal_is_valid", "<i4"),
    ("_pad0", "V4"), ("next_float_normal_sample", "<f4"),
    ("is_next_float_normal_sample_valid", "u1"), ("_pad1", "V3"),
])
STATE_SIZE = STATE_LAYOUT.itemsize  # 5056, as torch reports
_U32 = np.uint32


def _init_genrand(seed32: int) -> np.ndarray:
    """The 624 state words of ``init_genrand(seed32)`` (MT19937's seeding recurrence)."""
    key = [seed32]
    last = seed32
    for j in range(1, _N):
        last = (1812433253 * (last ^ (last >> 30)) + j) & 0xFFFFFFFF
        key.append(last)
    return np.array(key, dtype=_U32)


def _temper(words: np.ndarray) -> np.ndarray:
    """MT19937's output tempering of raw state words (uint32)."""
    y = words.astype(_U32)
    y ^= y >> _U32(11)
    y ^= (y << _U32(7)) & _U32(0x9D2C5680)
    y ^= (y << _U32(15)) & _U32(0xEFC60000)
    y ^= y >> _U32(18)
    return y


class Generator:
    """``torch.Generator``: an independent random stream with torch's numbers.
    ``torch.Generator().manual_seed(42)`` gives the same words as in torch, so
    ``torch.randperm(10, generator=g)``, ``DataLoader(..., generator=g)`` and friends reproduce
    torch's results."""

    __slots__ = ("_bits", "_seed", "_stale_next", "_head", "_head_next",
                 "next_double_normal", "next_float_normal")

    def __init__(self, device: Any = "cpu") -> None:
        _check_generator_device(device)
        self._bits = np.random.MT19937()
        self.manual_seed(DEFAULT_SEED)

    # ------------------------------------------------------------------ torch's API
    def manual_seed(self, seed: Any) -> Generator:
        """Reseed: the engine takes ``seed mod 2**32``, ``initial_seed()`` the whole seed;
        negative seeds wrap to 64 bits. Returns this generator."""
        seed = _seed_value(seed)
        self._seed = seed
        self._bits.state = {"bit_generator": "MT19937",
                            "state": {"key": _init_genrand(seed & 0xFFFFFFFF), "pos": _N}}
        self._stale_next = 0  # torch's next_ right after seeding (a twist is due)
        self._head = None
        self._head_next = 0
        self.next_double_normal: float | None = None
        self.next_float_normal: np.float32 | None = None
        return self

    def initial_seed(self) -> int:
        return self._seed

    def seed(self) -> int:
        """Reseed from the operating system's entropy; returns the new seed."""
        seed = int.from_bytes(os.urandom(8), "little")
        self.manual_seed(seed)
        return seed

    @property
    def device(self) -> Device:
        return Device("cpu")

    def get_state(self) -> Any:
        """The state as torch's ``ByteTensor`` of 5056 bytes."""
        return new_leaf(self.state_bytes())

    def set_state(self, new_state: Any) -> Generator:
        """Restore a state from ``get_state()`` (torch's or ours: the bytes are the same)."""
        if not isinstance(new_state, TensorBase):
            raise TypeError(f"expected a torch.ByteTensor, but got {type(new_state).__name__}")
        if new_state._array.dtype != np.uint8:
            raise TypeError("RNG state must be a torch.ByteTensor")
        self.load_state_bytes(np.ascontiguousarray(new_state._array).reshape(-1))
        return self

    def clone_state(self) -> Generator:
        """A new generator in this one's state."""
        twin = Generator()
        twin.load_state_bytes(self.state_bytes())
        return twin

    def graphsafe_get_state(self) -> Generator:
        return self.clone_state()

    def graphsafe_set_state(self, state: Generator) -> Generator:
        self.load_state_bytes(state.state_bytes())
        return self

    def __repr__(self) -> str:
        return f"<torch._C.Generator object at {id(self):#x}>"

    # ------------------------------------------------------------------ the words
    def words(self, n: int) -> np.ndarray:
        """The next ``n`` calls of torch's ``random()``: 32-bit words as uint32."""
        if n <= 0:
            return np.empty(0, _U32)
        self._stale_next = None
        if self._head is not None:
            return self._words_after_head(n)
        return self._bits.random_raw(n).astype(_U32)

    def words64(self, n: int) -> np.ndarray:
        """The next ``n`` calls of ``random64()``: ``(first << 32) | second`` as uint64."""
        pairs = self.words(2 * n).astype(np.uint64).reshape(n, 2)
        return (pairs[:, 0] << np.uint64(32)) | pairs[:, 1]

    def _words_after_head(self, n: int) -> np.ndarray:
        head = self._head
        taken, rest = head[:n], head[n:]
        self._head_next += len(taken)
        self._head = rest if len(rest) else None
        if n == len(taken):
            return taken
        return np.concatenate([taken, self._bits.random_raw(n - len(taken)).astype(_U32)])

    # ------------------------------------------------------------------ torch's bytes
    def state_bytes(self) -> np.ndarray:
        """``get_state()``'s 5056 bytes, laid out as torch 2.13 writes them."""
        rec = np.zeros((), dtype=STATE_LAYOUT)
        numpy_state = self._bits.state["state"]
        key, pos = numpy_state["key"], int(numpy_state["pos"])
        rec["the_initial_seed"] = self._seed
        rec["seeded"] = 1
        rec["state"] = key
        if self._head is not None:
            # a crafted state whose engine twists early: left counts the words still to read
            rec["left"], rec["next"] = len(self._head) + 1, self._head_next
        elif pos == _N:
            rec["left"] = 1
            rec["next"] = _N if self._stale_next is None else self._stale_next
        else:
            rec["left"], rec["next"] = _N + 1 - pos, pos
        if self.next_double_normal is not None:
            rec["normal_is_valid"] = 1
            rec["normal_y"] = self.next_double_normal
        if self.next_float_normal is not None:
            rec["is_next_float_normal_sample_valid"] = 1
            rec["next_float_normal_sample"] = self.next_float_normal
        return np.frombuffer(rec.tobytes(), dtype=np.uint8).copy()

    def load_state_bytes(self, data: np.ndarray) -> None:
        """Take torch's bytes (what ``set_state`` checks, with its error messages)."""
        if data.size != STATE_SIZE:
            raise RuntimeError(f"Expected a CPUGeneratorImplState of size {STATE_SIZE} but found "
                               f"the input RNG state size to be {data.size}")
        rec = np.frombuffer(data.tobytes(), dtype=STATE_LAYOUT)[0]
        left, nxt = int(rec["left"]), int(rec["next"]) & 0xFFFFFFFF
        if not (rec["seeded"] & 0xFF and 0 < left <= _N and nxt <= _N):
            raise RuntimeError("Invalid mt19937 state")
        if left > 1 and nxt + left - 1 > _N:
            # torch would read past its state array here (undefined behaviour); refuse instead
            raise RuntimeError("Invalid mt19937 state")
        key = (rec["state"] & 0xFFFFFFFF).astype(_U32)
        self._head, self._head_next, self._stale_next = None, 0, None
        if left == 1:
            pos, self._stale_next = _N, nxt
        elif nxt + left - 1 == _N:
            pos = nxt
        else:  # the engine reads left - 1 words from next, then twists the whole array
            self._head, self._head_next, pos = _temper(key[nxt:nxt + left - 1]), nxt, _N
        self._bits.state = {"bit_generator": "MT19937", "state": {"key": key, "pos": pos}}
        self._seed = int(rec["the_initial_seed"])
        self.next_double_normal = (float(rec["normal_y"]) if rec["normal_is_valid"] else None)
        self.next_float_normal = (np.float32(rec["next_float_normal_sample"])
                                  if rec["is_next_float_normal_sample_valid"] & 0xFF else None)


Generator.__module__ = "torch._C"  # type(torch.manual_seed(0)) prints torch's class name
Generator.__qualname__ = "Generator"


def _seed_value(seed: Any) -> int:
    """A seed as torch's ``Generator.manual_seed`` takes it: an int in [-2**63, 2**64)."""
    if isinstance(seed, np.integer):
        seed = int(seed)
    if not isinstance(seed, int):
        array = seed._array if isinstance(seed, TensorBase) else None
        if array is not None and array.size == 1 and array.dtype.kind in "iub":
            seed = int(array.reshape(()))
        else:
            raise RuntimeError(f"manual_seed expected a long, but got {type(seed).__name__}")
    if not -2**63 <= seed < 2**64:
        raise ValueError("Overflow when unpacking long long")
    return seed & 0xFFFFFFFFFFFFFFFF


def _check_generator_device(device: Any) -> None:
    kind = str(getattr(device, "type", device)).split(":")[0]
    if kind == "cpu":
        return
    if kind == "cuda":
        raise RuntimeError(
            "Cannot get CUDA generator without ATen_cuda library. PyTorch splits its backend "
            "into two shared libraries: a CPU library and a CUDA library; this error has "
            "occurred because you are trying to use some CUDA functionality, but the CUDA "
            "library has not been loaded by the dynamic linker for some reason.  The CUDA "
            "library MUST be loaded, EVEN IF you don't directly use any symbols from the CUDA "
            "library! One common culprit is a lack of -Wl,--no-as-needed in your link arguments"
            "; many dynamic linkers will delete dynamic library dependencies if you don't "
            "depend on any of their symbols.  You can check if this has occurred by using ldd "
            "on your binary to see if there is a dependency on *_cuda.so library.")
    raise RuntimeError(f"{kind.upper()} device type not an accelerator.")


# torch.default_generator: what every draw without ``generator=`` uses. torch seeds it from the
# operating system at start-up; a fresh gradtui session does the same.
default_generator = Generator()
default_generator.seed()


def resolve(generator: Generator | None) -> Generator:
    """The generator a draw uses: the one given, else the default one."""
    if generator is None:
        return default_generator
    if not isinstance(generator, Generator):
        raise TypeError(f"expected a torch.Generator, but got {type(generator).__name__}")
    return generator


# ---------------------------------------------------------------------- torch.random's functions
def manual_seed(seed: Any) -> Generator:
    """``torch.manual_seed``: ``int(seed)`` first (so ``1.5`` and ``"7"`` work, as in torch),
    then reseed the default generator; returns it."""
    return default_generator.manual_seed(int(seed))


def seed() -> int:
    """``torch.seed``: reseed the default generator from the operating system."""
    return default_generator.seed()


def initial_seed() -> int:
    return default_generator.initial_seed()


def get_rng_state() -> Any:
    """The default generator's state, a ByteTensor of 5056 bytes (torch's layout)."""
    return default_generator.get_state()


def set_rng_state(new_state: Any) -> None:
    default_generator.set_state(new_state)


@contextmanager
def fork_rng(devices: Any = None, enabled: bool = True, _caller: str = "fork_rng",
             _devices_kw: str = "devices", device_type: Any = None) -> Iterator[None]:
    """Run a block, then put the CPU generator back in the state it was in before it (there
    are no other devices here)."""
    if not enabled or device_type == "meta":
        yield
        return
    saved = default_generator.state_bytes()
    try:
        yield
    finally:
        default_generator.load_state_bytes(saved)
