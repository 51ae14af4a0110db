"""Fixtures for the lab server tests: a learner key and a running lab with the fake app."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncssh
import pytest

from .lab_helpers import (
    RunningLab,
    fake_app_command,
    start_lab,
    stop_lab,
    write_lab,
    write_roster,
)
from .security.helpers import lab_folder_outside_tmp, remove_lab_folder


@pytest.fixture
def alice_key() -> asyncssh.SSHKey:
    return asyncssh.generate_private_key("ssh-ed25519")


@pytest.fixture
async def lab(tmp_path: Path, alice_key: asyncssh.SSHKey) -> AsyncIterator[RunningLab]:
    """A lab running the fake app, roster: alice (key), bob (password)."""
    config_path = write_lab(
        tmp_path / "lab", command=fake_app_command(), extra_server="max_sessions = 2\n"
    )
    write_roster(tmp_path / "lab", alice_key)
    running, acceptor = await start_lab(config_path, alice_key)
    yield running
    await stop_lab(running, acceptor)


@pytest.fixture
def outside_tmp_path() -> Iterator[Path]:
    """Like ``tmp_path`` but outside /tmp (the sandbox's own /tmp hides everything under it)."""
    path = lab_folder_outside_tmp()
    yield path
    remove_lab_folder(path)
