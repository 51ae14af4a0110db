"""``torch.utils``: ``torch.utils.data`` (datasets, samplers and the ``DataLoader``) and
``torch.utils.hooks`` (the handle a module hook returns)."""

from __future__ import annotations

from gradtui.engine.torchapi.utils import data, hooks  # noqa: F401
