"""Issue 12 item 1: what a sandboxed session can reach on disk (files, not the network).

A learner's cell must not reach another learner's folder, the roster (even after the teacher
replaced it with ``lab add-learner``), the host key, or anything else in the lab folder or the
server user's home; it still has its own folder, the installed gradtui and the lessons.
"""

from __future__ import annotations

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
