from __future__ import annotations

from pathlib import Path

import pytest

from gradtui.lessons.catalog import builtin_dir, lesson_files, load_catalog
from gradtui.lessons.loader import load_lesson

FIXTURES = Path(__file__).parent / "fixtures"


def test_every_shipped_lesson_loads_in_order() -> None:
    lessons = [load_lesson(p) for p in lesson_files([builtin_dir()])]
    assert [lesson.id for lesson in lessons] == [
        "variables", "gradients", "accumulation", "reading-the-graph", "gradient-descent",
        "linear-regression", "nn-and-optim", "second-derivatives"]
    assert all(step.solution and step.checks for lesson in lessons for step in lesson.steps)


def test_catalog_numbers_teacher_lessons_after_builtins_and_reports_broken_ones(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "09-tiny.toml").write_text((FIXTURES / "good.toml").read_text())
    (tmp_path / "10-broken.toml").write_text((FIXTURES / "bad_toml.toml").read_text())
    monkeypatch.delenv("GRADTUI_LESSONS", raising=False)
    catalog = load_catalog([tmp_path])
    builtins = len(lesson_files([builtin_dir()]))
    first_own = str(builtins + 1)
    assert catalog.find(first_own) is not None and catalog.find(first_own).id == "tiny"
    assert catalog.find("tiny") is catalog.find(first_own)
    assert catalog.find(str(builtins + 2)) is None and catalog.find("nope") is None
    assert [p.line for p in catalog.problems] == [3]


def test_catalog_reads_gradtui_lessons_variable(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "tiny.toml").write_text((FIXTURES / "good.toml").read_text())
    monkeypatch.setenv("GRADTUI_LESSONS", str(tmp_path))
    assert load_catalog().find("tiny") is not None
