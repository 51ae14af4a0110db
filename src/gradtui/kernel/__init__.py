"""Running learner code in its own process: the kernel, its protocol and its client.

Front ends use only :class:`~gradtui.kernel.client.KernelClient` (see ``docs/contracts.md``);
``gradtui.kernel.evaluator.Evaluator`` runs cells in-process for tests.
"""

from __future__ import annotations

from gradtui.kernel.errors import KernelDied, KernelError

__all__ = ["KernelDied", "KernelError"]
