"""``torch.utils``: only ``torch.utils.data`` (datasets, samplers and the ``DataLoader``)."""

from __future__ import annotations

from gradtui.engine.torchapi.utils import data  # noqa: F401
