"""``torch.utils.data._utils``: the default collate and convert functions."""

from __future__ import annotations

from gradtui.engine.torchapi.utils.data._utils import collate  # noqa: F401
