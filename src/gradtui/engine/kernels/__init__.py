"""Kernels: the numpy code that makes the op table's math come out as torch's numbers, and fast.

The op table (``gradtui.engine.ops``) states each op's math in a line; when numpy's own
arithmetic would round differently from torch's CPU kernels (or be needlessly slow), the row
names a function here, which holds that detail:

- ``elementwise``: transcendentals in float64 then rounded, torch's powers and fused formulas.
- ``sleef``: SLEEF's float32 exp/log/log1p and the last-dim softmax kernels, to the bit.
- ``unary``: torch's float32 sigmoid and log_sigmoid loops, to the bit.
- ``sums``: float sums in torch's order (SumKernel.cpp's cascade).
- ``reductions``: means, max/min with indices, logsumexp, and their gradients.
- ``softmax``: softmax/log_softmax along any dim, and their gradients.
- ``matmul``: small matrix products in MKL's order of additions.
- ``moments``: var, std and the vector norm, rounded like torch's kernels.
- ``fma64``: a float64 fused multiply-add (numpy has none).
- ``normal_fill``: torch's Box-Muller on blocks of 16 for ``randn``/``normal_`` (avx_mathfun's
  float32 log and sincos, or the C library's), to the bit.
- ``losses``: binary cross-entropy, nll (torch's cascade sum) and mse.
- ``shapes``: the backward of views, indexing and copies.
- ``spread``: speed kernels for a gradient that is one value spread over a big array.

(Not to be confused with ``gradtui.kernel``, the process that runs learner code.)
"""
