"""The seam between the workspace and its lesson pane is typed: Protocols and messages, no
method names in strings, no private Textual API (docs/contracts.md "Lessons")."""

from __future__ import annotations

import re
from pathlib import Path

from gradtui.tui.app import GradtuiApp, create_app
from gradtui.tui.lesson_pane import LessonPane
from gradtui.tui.lesson_seam import LessonHost, LessonPaneHooks
from gradtui.tui.screens.workspace import WorkspaceScreen

from .conftest import resize, settle
from .fake_kernel import FakeKernel

TUI = Path(__file__).resolve().parents[2] / "src" / "gradtui" / "tui"


def test_the_lesson_pane_and_the_app_are_what_the_seam_says(tmp_path):
    from gradtui.lessons.catalog import builtin_dir, lesson_files
    from gradtui.lessons.loader import load_lesson
    from gradtui.lessons.progress import ProgressStore
    from gradtui.lessons.session import LessonSession

    session = LessonSession(load_lesson(lesson_files([builtin_dir()])[0]), ProgressStore(tmp_path))
    assert isinstance(LessonPane(session), LessonPaneHooks)
    assert isinstance(create_app(FakeKernel(), ascii_only=True), LessonHost)
    assert isinstance(GradtuiApp(FakeKernel()), LessonHost)


# What the seam replaced: calls by name, and Textual internals.
FORBIDDEN = {
    "a method called by its name": re.compile(
        r"\b(getattr|hasattr)\((self\.)?(app|screen|lesson_pane|focused|pane)\b"),
    "a callback named in a string": re.compile(r"call_(later|after_refresh|next)\(\s*['\"]"),
    "Textual's private bindings": re.compile(r"\._bindings\b"),
    "Textual's private DOM or compositor": re.compile(r"\._(nodes|compositor|driver)\b"),
    "the app's private screen lookup outside the app": re.compile(r"\._workspace_screen\("),
}


def test_the_tui_uses_no_names_in_strings_nor_private_textual_api():
    found = []
    for path in sorted(TUI.rglob("*.py")):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            for what, pattern in FORBIDDEN.items():
                if pattern.search(line) and not (path.name == "app.py" and
                                                 "_workspace_screen" in pattern.pattern):
                    found.append(f"{path.relative_to(TUI)}:{number}: {what}: {line.strip()}")
    assert found == []


async def test_the_screens_layout_is_a_reactive_that_sets_its_classes(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        screen = app.screen
        assert isinstance(screen, WorkspaceScreen)
        assert not screen.wide and screen.has_class("-narrow") and not screen.has_class("-wide")
        await resize(pilot, app, 130, 40)
        assert screen.wide and screen.has_class("-wide") and not screen.has_class("-narrow")
