"""Roster: salted password hashes, public keys, names, and the file round trip."""

from __future__ import annotations

import stat
from pathlib import Path

import asyncssh
import pytest

from gradtui.serve.roster import (
    Roster,
    RosterError,
    check_learner_name,
    hash_password,
    load_roster,
    save_roster,
    verify_password,
)


def test_password_hash_is_salted_and_verifies() -> None:
    first, second = hash_password("s3cret-pass"), hash_password("s3cret-pass")
    assert first != second  # different salts
    assert "s3cret-pass" not in first
    assert verify_password("s3cret-pass", first) and verify_password("s3cret-pass", second)
    assert not verify_password("s3cret-pasS", first)


@pytest.mark.parametrize("stored", ["", "plain", "scrypt$1$2$3$!!$!!", "md5$a$b$c$d$e"])
def test_malformed_hash_never_verifies(stored: str) -> None:
    assert not verify_password("anything", stored)


@pytest.mark.parametrize("name", ["", ".", "..", "../x", "a/b", "-rf", ".hidden", "a b", "x" * 65])
def test_unsafe_learner_names_are_rejected(name: str) -> None:
    with pytest.raises(RosterError):
        check_learner_name(name)


def test_roster_round_trip_keeps_keys_and_hashes_with_private_mode(tmp_path: Path) -> None:
    key = asyncssh.generate_private_key("ssh-ed25519", comment="ann@laptop")
    line = key.export_public_key().decode().strip()
    roster = Roster().with_learner("ann", key=line).with_learner("ann", key=line)
    roster = roster.with_learner("ben.k", password_hash=hash_password("password1"))
    path = tmp_path / "roster.toml"
    save_roster(roster, path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    loaded = load_roster(path)
    assert loaded.get("ann").keys == (line,)  # the same key added twice is kept once
    assert verify_password("password1", loaded.get("ben.k").password_hash)
    assert "password1" not in path.read_text()


def test_plain_password_in_roster_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "roster.toml"
    path.write_text('[learners.ann]\npassword = "hunter22"\n')
    with pytest.raises(RosterError, match="never a plain password"):
        load_roster(path)


def test_not_a_public_key_is_refused() -> None:
    with pytest.raises(RosterError, match="not an OpenSSH public key"):
        Roster().with_learner("ann", key="ssh-ed25519 not-base64")


def test_missing_roster_is_empty(tmp_path: Path) -> None:
    assert load_roster(tmp_path / "none.toml").learners == {}
