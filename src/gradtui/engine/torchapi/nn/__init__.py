"""``torch.nn``: the functional API."""

from __future__ import annotations

from gradtui.engine.torchapi.nn import functional  # noqa: F401
