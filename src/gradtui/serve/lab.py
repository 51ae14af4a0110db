"""``gradtui lab progress`` and ``gradtui lab add-learner``: the teacher's commands."""

from __future__ import annotations

import argparse
import getpass
import shutil
import sys
from pathlib import Path
from typing import TextIO

from gradtui.pipes import quiet_broken_pipe
from gradtui.serve.config import LabConfig, LabConfigError, load_lab_config
from gradtui.serve.progress_report import (
    FORMATTERS,
    TABLE_WIDTH,
    collect_progress,
    format_table,
)
from gradtui.serve.roster import RosterError, hash_password, load_roster, save_roster

MIN_PASSWORD_LENGTH = 8


class LabCommandError(Exception):
    """A teacher's command cannot proceed; the message says why and what to do."""


def read_password(stdin: TextIO) -> str:
    """Prompt twice on a terminal; read one line from a pipe (for scripts that add a class)."""
    if stdin.isatty():
        first = getpass.getpass("Password for the learner: ")
        if getpass.getpass("Same password again: ") != first:
            raise LabCommandError("the two passwords differ; nothing was changed")
        password = first
    else:
        password = stdin.readline().rstrip("\r\n")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise LabCommandError(
            f"the password must have at least {MIN_PASSWORD_LENGTH} characters; nothing was changed"
        )
    return password


def add_learner(
    config: LabConfig, name: str, *, key_file: Path | None, password: str | None
) -> str:
    """Add or update ``name`` in the roster; returns a one-line summary of what changed."""
    if key_file is None and password is None:
        raise LabCommandError("give --key PUBKEY_FILE and/or --password")
    key_line = None
    if key_file is not None:
        try:
            lines = [ln for ln in key_file.read_text().splitlines() if ln.strip()]
        except OSError as error:
            raise LabCommandError(f"cannot read {key_file}: {error.strerror}") from None
        if lines and "PRIVATE KEY" in lines[0]:
            # An easy slip (`--key id_ed25519` for `id_ed25519.pub`): say so, store nothing.
            raise LabCommandError(
                f"{key_file} is a private key: give the learner's public key "
                f"({key_file}.pub), and ask them to keep the private one to themselves"
            )
        if len(lines) != 1:
            raise LabCommandError(f"{key_file} must hold exactly one public key line")
        key_line = lines[0]
    roster = load_roster(config.roster)
    is_new = roster.get(name) is None
    hashed = hash_password(password) if password is not None else None
    updated = roster.with_learner(name, key=key_line, password_hash=hashed)
    save_roster(updated, config.roster)
    what = [w for w, given in (("a key", key_line), ("a password", password)) if given]
    verb = "added" if is_new else "updated"
    return f"{verb} {name} with {' and '.join(what)} in {config.roster}"


def progress_report(config: LabConfig, fmt: str, *, by_step: bool) -> str:
    """``gradtui lab progress`` in ``fmt``; tables fit the terminal (100 columns in a pipe)."""
    from gradtui.serve.step_report import STEP_FORMATTERS, format_steps_table

    progress = collect_progress(config)
    if fmt != "table":
        return (STEP_FORMATTERS if by_step else FORMATTERS)[fmt](progress)
    width = TABLE_WIDTH
    if sys.stdout.isatty():
        width = max(60, shutil.get_terminal_size((TABLE_WIDTH, 24)).columns)
    return (format_steps_table if by_step else format_table)(progress, width=width)


def main(args: argparse.Namespace, stdin: TextIO | None = None) -> int:
    stdin = stdin or sys.stdin
    try:
        config_path = getattr(args, "config", None)
        config = load_lab_config(Path(config_path) if config_path else None)
        if args.lab_command == "progress":
            report = progress_report(config, getattr(args, "format", "table"),
                                     by_step=bool(getattr(args, "by_step", False)))
            try:
                sys.stdout.write(report)
                sys.stdout.flush()  # here, not at exit: `| head` leaving is not an error
            except BrokenPipeError:
                return quiet_broken_pipe()
            return 0
        if args.lab_command == "add-learner":
            password = read_password(stdin) if getattr(args, "password", False) else None
            key = getattr(args, "key", None)
            print(
                add_learner(
                    config, args.name, key_file=Path(key) if key else None, password=password
                )
            )
            return 0
    except (LabConfigError, RosterError, LabCommandError) as error:
        print(f"gradtui lab: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("gradtui lab: interrupted; nothing was changed", file=sys.stderr)
        return 130
    print(f"gradtui lab: unknown action {args.lab_command!r}", file=sys.stderr)
    return 2
