"""The server's SSH host key: generated on first start, then kept so learners' clients trust it."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import asyncssh


def load_or_create_host_key(path: Path) -> tuple[asyncssh.SSHKey, bool]:
    """Return ``(key, created)``; a new ed25519 key is written with mode 0600 if none exists."""
    try:
        return asyncssh.read_private_key(str(path)), False
    except FileNotFoundError:
        pass
    key = asyncssh.generate_private_key("ssh-ed25519", comment="gradtui lab host key")
    path.parent.mkdir(parents=True, exist_ok=True)
    # O_EXCL: two servers started at once must not overwrite each other's fresh key.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key.export_private_key())
    return key, True


def host_key_too_open(path: Path) -> bool:
    """True if group or others may read the private key (sshd refuses such keys)."""
    return bool(path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO))


def fingerprint(key: asyncssh.SSHKey) -> str:
    return key.get_fingerprint("sha256")
