"""Suite-wide hygiene shared by every test folder."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from gradtui.engine import shim


@pytest.fixture(autouse=True)
def _no_torch_shim_leaks_between_tests() -> Iterator[None]:
    """An in-process ``Evaluator`` installs the ``import torch`` shim, as the kernel does.

    In the kernel process that is the point; in a pytest worker it would make every later test's
    ``import torch`` (the differential tests against real torch) silently get our engine.
    """
    was_installed = shim.is_installed()
    yield
    if shim.is_installed() and not was_installed:
        shim.uninstall()


def pytest_report_header(config: pytest.Config) -> str:
    """Say up front whether real torch, the oracle, runs live in this session."""
    import importlib.util
    import platform

    if importlib.util.find_spec("torch") is not None:
        return "oracle: real torch is installed: differential tests run against it live"
    return (f"oracle: real torch is not installed for Python {platform.python_version()} (its "
            "2.13 wheel is on this machine for 3.11 only): golden cases compare with the "
            "fixtures recorded from it; tests that need it live skip")
