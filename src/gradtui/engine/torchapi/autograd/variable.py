"""``torch.autograd.variable``: home of ``Variable``."""

from __future__ import annotations

from gradtui.engine.variable import Variable  # noqa: F401
