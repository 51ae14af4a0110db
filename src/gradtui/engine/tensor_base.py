"""``TensorBase``: a tensor's state, and how the modules under ``tensor.py`` make tensors.

``tensor.py`` defines the Tensor class learners use; it imports the autograd core and the op
functions (``dispatch``, ``functional``, ``indexing``, ``creation``...), so those cannot import
it back. Like ``torch._C.TensorBase`` under ``torch.Tensor``, every tensor is a ``TensorBase``:
the modules below ``tensor.py`` recognise tensors with ``isinstance(x, TensorBase)`` and make
new ones with ``new_leaf(array)``, which builds the class ``tensor.py`` registered
(``register_tensor_class``) when it was defined.

A tensor's state (its slots) is declared and initialised here, in one place:

- ``_array``: the numpy array of values (its dtype is the tensor's dtype);
- ``_requires_grad``, ``_grad_fn`` (the Node that made it, None for a leaf), ``_grad``;
- ``_vc``: the version counter, a one-item list shared with its views, bumped by every
  in-place write (saved tensors check it);
- ``_inference``: made in inference mode (``torch.inference_mode``): such a tensor refuses
  in-place writes outside the mode, being saved for backward, and reading ``_version``;
- ``_output_nr``: which output of its grad_fn this tensor is (0 but for the second, third...
  differentiable outputs of a custom ``autograd.Function``): the edges to it carry it;
- ``_retains_grad``, ``_hooks`` (register_hook on a leaf), ``_accum`` (a weak reference to the
  leaf's AccumulateGrad node);
- for views: ``_base`` (the tensor whose memory it shows), ``_view_fn`` (how to find the view
  in the base's array) and ``_fn_version`` (the version its grad_fn was made at).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from gradtui.engine.grad_mode import is_inference_mode_enabled


class TensorBase:
    """The state of a tensor (the class learners use is ``tensor.Tensor``)."""

    __slots__ = ("_array", "_requires_grad", "_grad_fn", "_grad", "_vc", "_retains_grad",
                 "_accum", "_base", "_view_fn", "_hooks", "_fn_version", "_inference",
                 "_output_nr", "__weakref__")

    def _init(self, array: np.ndarray) -> None:
        """Make this a new leaf around ``array`` (no copy): ``torch.Tensor(data)``."""
        leaf = new_leaf(array)
        for name in TensorBase.__slots__[:-1]:  # all but __weakref__
            if hasattr(leaf, name):  # _fn_version is set for views only
                setattr(self, name, getattr(leaf, name))


_new = object.__new__
tensor_class: type[TensorBase] = TensorBase  # the class of new tensors: tensor.py registers Tensor


def new_leaf(array: np.ndarray) -> Any:
    """A new leaf tensor around ``array`` (no copy): the one place a tensor's slots get their
    first values (``dispatch.apply`` writes the same out, held to this by a test)."""
    t = _new(tensor_class)
    t._array = array
    t._requires_grad = False
    t._grad_fn = None
    t._grad = None
    t._vc = [0]
    t._retains_grad = False
    t._accum = None
    t._base = None
    t._view_fn = None
    t._hooks = None
    t._inference = is_inference_mode_enabled()
    t._output_nr = 0
    return t


def register_tensor_class(cls: type[TensorBase]) -> None:
    """Make ``cls`` the class of every tensor the engine creates (``tensor.py`` calls this
    once, right after defining ``Tensor``)."""
    global tensor_class
    tensor_class = cls
