"""What a learner's session is started with: own directories, limits, and no server secrets."""

from __future__ import annotations

import stat
import sys
from pathlib import Path

import pytest

from gradtui.serve.config import load_lab_config
from gradtui.serve.learner_launch import SESSION_TOKEN_VAR, plan_session
from gradtui.serve.roster import RosterError
from gradtui.serve.session_limits import GUARD, Rlimits

# No cgroup is made by these plans (they are never started): per-process limits only.
NO_CGROUP = Rlimits()


def config_in(tmp_path: Path, session: str = ""):
    path = tmp_path / "lab.toml"
    path.write_text(
        '[session]\nlanding = "lesson 2"\nkernel_memory_mb = 700\nkernel_cpu_s = 90\n' + session
    )
    return load_lab_config(path)


def plan(config, name="ann", term="xterm", sandbox_mode="none"):
    return plan_session(config, name, term=term, sandbox_mode=sandbox_mode, limits=NO_CGROUP)


def test_plan_gives_own_directories_limits_and_landing(tmp_path: Path) -> None:
    plan = plan_session(
        config_in(tmp_path), "ann", term="xterm-kitty", sandbox_mode="none", limits=NO_CGROUP
    )
    root = tmp_path / "learners" / "ann"
    assert plan.argv[: len(GUARD)] == GUARD  # the session guard first, then the app
    assert plan.argv[-6:] == ["--", sys.executable, "-m", "gradtui", "lesson", "2"]
    assert plan.cwd == root / "work"
    env = plan.env
    assert (env["HOME"], env["USER"], env["TERM"]) == (str(root), "ann", "xterm-kitty")
    assert env["GRADTUI_DATA_DIR"] == str(root / "data")
    assert env["GRADTUI_STATE_DIR"] == str(root / "state")
    assert (env["GRADTUI_KERNEL_MEMORY_MB"], env["GRADTUI_KERNEL_CPU_S"]) == ("700", "90")
    assert env["GRADTUI_APP_MEMORY_MB"] == "512"  # the app's own limit (issue 12 item 4)
    assert env[SESSION_TOKEN_VAR] == plan.token
    for sub in ("", "data", "state", "work"):
        assert stat.S_IMODE((root / sub).stat().st_mode) == 0o700


def test_plan_does_not_pass_the_servers_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "do-not-leak")
    made = plan(config_in(tmp_path))
    assert "AWS_SECRET_ACCESS_KEY" not in made.env
    assert "do-not-leak" not in "".join(made.env.values())


def test_each_session_gets_a_fresh_token(tmp_path: Path) -> None:
    config = config_in(tmp_path)
    first, second = plan(config), plan(config)
    assert first.token != second.token


def test_bwrap_plan_confines_the_session_to_the_learners_directory(tmp_path: Path) -> None:
    config = config_in(tmp_path, 'command = ["python3", "app.py"]\n')
    argv = plan(config, sandbox_mode="bwrap").argv
    assert argv[-2:] == ["python3", "app.py"]
    start = next(i for i, arg in enumerate(argv) if arg.endswith("bwrap"))
    assert argv[start - 1] == "--" and argv[: len(GUARD)] == GUARD  # guard, then the sandbox
    bind = argv.index("--bind")
    assert argv[bind + 1 : bind + 3] == [str(tmp_path / "learners" / "ann")] * 2


def test_invalid_learner_name_never_becomes_a_path(tmp_path: Path) -> None:
    with pytest.raises(RosterError):
        plan(config_in(tmp_path), "../../etc")


def test_bwrap_plan_keeps_the_labs_lesson_folders_visible(tmp_path: Path) -> None:
    lessons = tmp_path / "my-lessons"  # under /tmp, which bwrap replaces with a private tmpfs
    lessons.mkdir()
    config = config_in(tmp_path, f'lessons = ["{lessons}"]\n')
    made = plan(config, sandbox_mode="bwrap")
    binds = [made.argv[i + 1 : i + 3] for i, arg in enumerate(made.argv) if arg == "--ro-bind"]
    assert [str(lessons.resolve())] * 2 in binds
    assert made.env["GRADTUI_LESSONS"] == str(lessons)
