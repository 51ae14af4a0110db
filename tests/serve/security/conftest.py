"""Fixtures for the attack tests: a lab folder outside /tmp, and running labs in it.

    async def test_x(security_lab):
        lab = await security_lab(sandbox="bwrap", session="max_processes = 32\\n")
        async with lab.session("alice") as alice:
            result = await alice.run("print(open('/etc/hostname').read())")

Every lab a test starts is stopped after it (its sessions ended), and the folder removed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from .helpers import SecurityLab, lab_folder_outside_tmp, remove_lab_folder, start_security_lab


@pytest.fixture
def lab_dir() -> Iterator[Path]:
    """A fresh lab folder outside /tmp (``/var/tmp/gradtui-security-*``), removed afterwards."""
    path = lab_folder_outside_tmp()
    yield path
    remove_lab_folder(path)


@pytest.fixture
async def security_lab(lab_dir: Path) -> AsyncIterator[Callable[..., Awaitable[SecurityLab]]]:
    """A factory: ``await security_lab(sandbox=..., session=..., server=..., command=...)``."""
    started: list[SecurityLab] = []

    async def start(**options: Any) -> SecurityLab:
        folder = lab_dir / f"lab{len(started)}" if started else lab_dir
        folder.mkdir(exist_ok=True)
        lab = await start_security_lab(folder, **options)
        started.append(lab)
        return lab

    yield start
    for lab in started:
        await lab.stop()
