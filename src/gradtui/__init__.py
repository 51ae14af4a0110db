"""gradtui: learn how autograd works, in a terminal.

Importing gradtui never shadows a real ``torch``: the ``import torch`` shim is installed only by
gradtui's own runners (the kernel process and ``gradtui run``).
"""

from __future__ import annotations

__version__ = "0.1.0"
