"""Issue 12 item 1: what a sandboxed session can reach on disk (files, not the network).

A learner's cell must not reach another learner's folder, the roster (even after the teacher
replaced it with ``lab add-learner``), the host key, or anything else in the lab folder or the
server user's home; it still has its own folder, the installed gradtui and the lessons.
"""

from __future__ import annotations

import argparse
import io
from pathlib import Path

import pytest

from gradtui.serve import learner_launch
from gradtui.serve.lab import main as lab_main

from .helpers import needs_bwrap

pytestmark = needs_bwrap


async def test_another_learners_folder_is_unreachable(security_lab) -> None:
    lab = await security_lab(sandbox="bwrap")
    secret = lab.learner_dir("bob") / "work" / "notes.txt"
    secret.parent.mkdir(parents=True)
    secret.write_text("bob's answers")
    async with lab.session("alice") as alice:
        read = await alice.run(f"print(open({str(secret)!r}).read())")
        listing = await alice.run(
            f"import os; print(sorted(os.listdir({str(lab.config.learners_root)!r})))"
        )
    assert not read.ok and "FileNotFoundError" in read.error, read
    assert listing.out.strip() == "['alice']", listing


async def test_the_roster_stays_hidden_after_the_teacher_adds_a_learner(security_lab) -> None:
    """Issue 12 item 1: `lab add-learner` renames a new roster into place mid-session."""
    lab = await security_lab(sandbox="bwrap")
    roster = lab.config.roster
    async with lab.session("alice") as alice:
        before = await alice.run(f"print(open({str(roster)!r}).read())")
        assert add_learner(lab, "dave") == 0
        assert "dave" in roster.read_text()  # the teacher's roster really changed
        after = await alice.run(f"print(open({str(roster)!r}).read())")
        listing = await alice.run(f"import os; print(os.listdir({str(lab.lab_dir)!r}))")
    for result in (before, after):
        assert not result.ok and "FileNotFoundError" in result.error, result
    assert listing.out.strip() == "['learners']", listing  # only the way to alice's own folder


async def test_lab_folder_home_and_log_are_hidden_and_read_only(
    security_lab, lab_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = lab_dir / "teacher-home"
    (home / ".ssh").mkdir(parents=True)
    (home / ".ssh" / "id_ed25519").write_text("PRIVATE KEY")
    log_dir = lab_dir / "logs"
    log_dir.mkdir()
    (log_dir / "lab.log").write_text("auth user=bob result=ok")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setattr(learner_launch, "server_log_folders", lambda: [log_dir])
    lab = await security_lab(sandbox="bwrap")
    secrets = [
        lab.config.host_key, lab.lab_dir / "lab.toml", home / ".ssh" / "id_ed25519",
        log_dir / "lab.log",
    ]  # fmt: skip
    lab.config.host_key.write_text("HOST KEY")
    async with lab.session("alice") as alice:
        for secret in secrets:
            result = await alice.run(f"print(open({str(secret)!r}).read())")
            assert not result.ok and "FileNotFoundError" in result.error, (secret, result)
        planted = await alice.run(f"open({str(lab.lab_dir / 'planted')!r}, 'w')")
        own = await alice.run(
            f"open({str(lab.learner_dir('alice') / 'work' / 'mine')!r}, 'w').write('x')"
        )
    assert not planted.ok and "Read-only file system" in planted.error, planted
    assert own.ok, own
    assert not (lab.lab_dir / "planted").exists()


async def test_the_labs_own_lessons_in_the_lab_folder_stay_visible(security_lab) -> None:
    lab = await security_lab(sandbox="bwrap", session='lessons = ["my-lessons"]\n')
    lessons = lab.lab_dir / "my-lessons"
    lessons.mkdir()
    (lessons / "01-mine.toml").write_text("# a lesson\n")
    async with lab.session("alice") as alice:
        listing = await alice.run(f"import os; print(os.listdir({str(lessons)!r}))")
        write = await alice.run(f"open({str(lessons / 'x.toml')!r}, 'w')")
    assert listing.out.strip() == "['01-mine.toml']", listing
    assert not write.ok and "Read-only file system" in write.error, write


def add_learner(lab, name: str) -> int:
    args = argparse.Namespace(
        lab_command="add-learner",
        config=str(lab.lab_dir / "lab.toml"),
        name=name,
        key=None,
        password=True,
    )
    return lab_main(args, stdin=io.StringIO("a long enough password\n"))
