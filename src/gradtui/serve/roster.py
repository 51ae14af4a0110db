"""The roster: who may log in to a lab, with their SSH public keys and/or a password hash.

File format (TOML), one table per learner::

    [learners.alice]
    keys = ["ssh-ed25519 AAAAC3Nz... alice@laptop"]
    password = "scrypt$16384$8$1$<salt>$<hash>"

Passwords are never stored: only a salted scrypt hash, compared in constant time. The file is
written atomically with mode 0600 because the hashes are still worth protecting.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
import secrets
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path

# A learner name becomes a directory name and an SSH user name: keep it to a safe alphabet.
_NAME_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$")

# scrypt cost: ~16 MiB and a few tens of milliseconds per check, so guessing is slow but a class
# of 30 logging in at once is not.
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1


class RosterError(ValueError):
    """The roster file or a learner entry is invalid; the message says what and where."""


def check_learner_name(name: str) -> str:
    """Return ``name`` if it is a valid learner name, else raise ``RosterError``."""
    if not _NAME_RE.match(name) or name in {".", ".."}:
        raise RosterError(
            f"invalid learner name {name!r}: use 1-64 letters, digits, '_', '.' or '-', "
            "not starting with '.' or '-'"
        )
    return name


def hash_password(password: str) -> str:
    """A salted scrypt hash: ``scrypt$N$r$p$<salt b64>$<hash b64>``."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P, dklen=32
    )
    return "$".join(
        ["scrypt", str(_SCRYPT_N), str(_SCRYPT_R), str(_SCRYPT_P), _b64(salt), _b64(digest)]
    )


def verify_password(password: str, stored: str) -> bool:
    """True if ``password`` matches ``stored`` (constant-time compare); False if malformed."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest, validate=True)
        actual = hashlib.scrypt(
            password.encode("utf-8"),
            salt=base64.b64decode(salt, validate=True),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(expected),
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


@dataclass(frozen=True)
class Learner:
    """One roster entry: OpenSSH public key lines and an optional password hash."""

    name: str
    keys: tuple[str, ...] = ()
    password_hash: str | None = None


@dataclass
class Roster:
    """All learners of a lab, by name."""

    learners: dict[str, Learner] = field(default_factory=dict)

    def get(self, name: str) -> Learner | None:
        return self.learners.get(name)

    def with_learner(
        self, name: str, *, key: str | None = None, password_hash: str | None = None
    ) -> Roster:
        """A roster with ``name`` added or updated: a new key is appended, a password replaced."""
        check_learner_name(name)
        current = self.learners.get(name, Learner(name))
        keys = current.keys
        if key is not None:
            key = check_public_key_line(key)
            if key not in keys:
                keys = (*keys, key)
        updated = replace(current, keys=keys, password_hash=password_hash or current.password_hash)
        return Roster({**self.learners, name: updated})


def check_public_key_line(line: str) -> str:
    """Validate one OpenSSH public key line (``type base64 [comment]``) and return it stripped."""
    import asyncssh  # only needed when keys are handled; keeps ``gradtui lab progress`` light

    line = line.strip()
    try:
        asyncssh.import_public_key(line)
    except (asyncssh.KeyImportError, ValueError) as error:
        raise RosterError(f"not an OpenSSH public key: {error}") from None
    return line


def load_roster(path: Path) -> Roster:
    """Read ``path``; a missing file is an empty roster (nobody may log in yet)."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Roster()
    except tomllib.TOMLDecodeError as error:
        raise RosterError(f"{path}: not valid TOML: {error}") from None
    unknown = set(raw) - {"learners"}
    if unknown:
        raise RosterError(f"{path}: unknown table(s) {sorted(unknown)}; expected [learners.NAME]")
    learners: dict[str, Learner] = {}
    for name, entry in raw.get("learners", {}).items():
        where = f"{path}: [learners.{name}]"
        try:
            check_learner_name(name)
        except RosterError as error:
            raise RosterError(f"{where}: {error}") from None
        if not isinstance(entry, dict) or set(entry) - {"keys", "password"}:
            raise RosterError(f"{where}: only 'keys' and 'password' are allowed")
        keys = entry.get("keys", [])
        if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
            raise RosterError(f"{where}: keys must be a list of public key lines")
        password = entry.get("password")
        if password is not None and (
            not isinstance(password, str) or not password.startswith("scrypt$")
        ):
            raise RosterError(
                f"{where}: password must be a hash written by `gradtui lab add-learner`, "
                "never a plain password"
            )
        learners[name] = Learner(name, tuple(k.strip() for k in keys), password)
    return Roster(learners)


def save_roster(roster: Roster, path: Path) -> None:
    """Write atomically (temp file + rename) with mode 0600."""
    lines = [
        "# gradtui lab roster: written by `gradtui lab add-learner`.",
        "# Passwords are salted scrypt hashes; keys are OpenSSH public key lines.",
        "",
    ]
    for name in sorted(roster.learners):
        learner = roster.learners[name]
        # json.dumps produces valid TOML basic strings (same escapes) for these values.
        lines.append(f"[learners.{json.dumps(name)}]")
        lines.append("keys = [" + ", ".join(json.dumps(k) for k in learner.keys) + "]")
        if learner.password_hash:
            lines.append(f"password = {json.dumps(learner.password_hash)}")
        lines.append("")
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write("\n".join(lines))
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
