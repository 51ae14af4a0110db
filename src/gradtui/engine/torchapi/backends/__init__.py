"""``torch.backends``: no accelerator backends exist here."""

from __future__ import annotations

from types import SimpleNamespace


def _unavailable() -> bool:
    return False


mps = SimpleNamespace(is_available=_unavailable, is_built=_unavailable)
cuda = SimpleNamespace(is_built=_unavailable)
cudnn = SimpleNamespace(is_available=_unavailable, enabled=False, deterministic=False,
                        benchmark=False)
