from __future__ import annotations

from pathlib import Path

import pytest

from gradtui.lessons.errors import LessonFileError
from gradtui.lessons.loader import load_lesson

FIXTURES = Path(__file__).parent / "fixtures"


def problems_of(name: str) -> list[str]:
    path = FIXTURES / name
    with pytest.raises(LessonFileError) as info:
        load_lesson(path)
    return [str(p).removeprefix(f"{path}:") for p in info.value.problems]


def test_good_file_loads_every_part() -> None:
    lesson = load_lesson(FIXTURES / "good.toml")
    assert (lesson.id, lesson.title, len(lesson.steps)) == ("tiny", "Tiny", 2)
    assert lesson.settings.allow_skip is False and lesson.settings.allow_solution is True
    first = lesson.steps[0]
    assert first.starter == "x = " and first.hints == ("first hint", "second hint")
    assert first.checks[0].kind == "expr" and first.checks[0].line == 14
    assert first.wrong_answers[0].code == "x = 2" and first.wrong_answers[0].line == 19
    assert first.line == 8 and first.solution_line == 12


def test_bad_toml_reports_tomllib_line() -> None:
    assert problems_of("bad_toml.toml") == ["3: bad TOML: Illegal character '\\n' (column 31)"]


def test_unknown_check_kind_points_at_its_kind_line() -> None:
    assert problems_of("unknown_kind.toml") == [
        "13: unknown check kind 'tensr' (known kinds: expr, grad, grad_fn, graph_has, predict, "
        "printed, raised, tensor, values) in step 1 check 2"]


def test_missing_field_points_at_the_step_header() -> None:
    assert problems_of("missing_field.toml") == ["12: missing field `solution` in step 2"]


def test_wrong_types_are_all_reported_at_their_keys() -> None:
    assert problems_of("wrong_type.toml") == [
        "7: `hints` must be an array, not str 'a hint must be in an array'",
        "12: field `expected` of check kind 'values' must be a number or an array, not str "
        "'one' in step 1 check 1",
    ]


def test_unknown_fields_and_bad_ids_are_reported(tmp_path: Path) -> None:
    path = tmp_path / "x.toml"
    path.write_text('id = "Bad Id"\ntitle = "t"\ncolour = "red"\n\n[[steps]]\nprose = "p"\n'
                    'solution = "s"\ncheks = []\n', encoding="utf-8")
    with pytest.raises(LessonFileError) as info:
        load_lesson(path)
    messages = [f"{p.line}: {p.message}" for p in info.value.problems]
    assert messages[0] == "1: `id` 'Bad Id' must be lower-case letters, digits, - or _"
    assert messages[1].startswith("3: unknown field `colour` (known:")
    assert "5: missing field `checks` in step 1" in messages
    assert any(m.startswith("8: unknown field `cheks` in step 1") for m in messages)


def test_check_parameters_are_validated_at_load_time(tmp_path: Path) -> None:
    path = tmp_path / "x.toml"
    path.write_text('id = "x"\ntitle = "t"\n[[steps]]\nprose = "p"\nsolution = "s"\n'
                    '[[steps.checks]]\nkind = "grad"\nname = "x"\n'
                    '[[steps.checks]]\nkind = "expr"\nexpr = "x ="\n'
                    '[[steps.checks]]\nkind = "tensor"\nname = "x"\nshape = [2, "a"]\n',
                    encoding="utf-8")
    with pytest.raises(LessonFileError) as info:
        load_lesson(path)
    assert [f"{p.line}: {p.message}" for p in info.value.problems] == [
        "6: check kind 'grad' needs exactly one of `expected` (an array) or `none = true` "
        "in step 1 check 1",
        "11: `expr` is not a Python expression: invalid syntax in step 1 check 2",
        "15: `shape` must be an array of non-negative integers in step 1 check 3",
    ]


def test_unreadable_file_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    with pytest.raises(LessonFileError) as info:
        load_lesson(tmp_path / "absent.toml")
    assert info.value.problems[0].line == 0
    assert "cannot read the file" in info.value.problems[0].message


def test_plot_and_graph_fields_are_validated(tmp_path: Path) -> None:
    path = tmp_path / "x.toml"
    path.write_text('id = "x"\ntitle = "t"\n[[steps]]\nprose = "p"\nsolution = "s"\n'
                    'plot = "losses["\ngraph = "o.grad"\n'
                    '[[steps.checks]]\nkind = "printed"\ncontains = "x"\n', encoding="utf-8")
    with pytest.raises(LessonFileError) as info:
        load_lesson(path)
    assert [f"{p.line}: {p.message}" for p in info.value.problems] == [
        "6: `plot` is not a Python expression: '[' was never closed",
        "7: `graph` must be a variable name, not 'o.grad'",
    ]


def test_error_notes_load_with_their_line_and_are_validated(tmp_path: Path) -> None:
    path = tmp_path / "x.toml"
    path.write_text('id = "x"\ntitle = "t"\n[[steps]]\nprose = "p"\nsolution = "s = 1"\n'
                    '[[steps.checks]]\nkind = "expr"\nexpr = "s == 1"\n'
                    '[[steps.error_notes]]\ntype = "RuntimeError"\ncontains = "second time"\n'
                    'note = "Build it again."\ncode = "o.backward()"\n', encoding="utf-8")
    [note] = load_lesson(path).steps[0].error_notes
    assert (note.type, note.contains, note.note, note.code, note.line) == (
        "RuntimeError", "second time", "Build it again.", "o.backward()", 9)
    assert note.matches("torch.RuntimeError", "through the graph a second time")
    assert not note.matches("ValueError", "a second time")
    path.write_text('id = "x"\ntitle = "t"\n[[steps]]\nprose = "p"\nsolution = "s = 1"\n'
                    '[[steps.checks]]\nkind = "expr"\nexpr = "s == 1"\n'
                    '[[steps.error_notes]]\nnote = "n"\ncode = "c"\n'
                    '[[steps.error_notes]]\ntype = "E"\nnote = "n"\ncolour = 1\n',
                    encoding="utf-8")
    with pytest.raises(LessonFileError) as info:
        load_lesson(path)
    assert [f"{p.line}: {p.message}" for p in info.value.problems] == [
        "9: an error note needs `type`, `contains`, or both in step 1 error note 1",
        "12: missing field `code` in step 1 error note 2",
        "15: unknown field `colour` in step 1 error note 2 (known: code, contains, note, type)",
    ]


def test_a_predict_step_has_one_check_and_values_for_answers(tmp_path: Path) -> None:
    path = tmp_path / "x.toml"
    path.write_text('id = "x"\ntitle = "t"\n[[steps]]\nprose = "p"\nsolution = "[2.0, 4.0]"\n'
                    '[[steps.checks]]\nkind = "predict"\nrun = "g = [2.0, 4.0]"\n'
                    'answer = "g"\n[[steps.wrong_answers]]\ncode = "[1, 2]"\n', encoding="utf-8")
    step = load_lesson(path).steps[0]
    assert step.predict is step.checks[0] and step.code_it_runs == "g = [2.0, 4.0]"
    path.write_text('id = "x"\ntitle = "t"\n[[steps]]\nprose = "p"\nsolution = "g = 1"\n'
                    '[[steps.checks]]\nkind = "predict"\nrun = "g = 1"\nanswer = "g"\n'
                    '[[steps.checks]]\nkind = "expr"\nexpr = "g"\n'
                    '[[steps.wrong_answers]]\ncode = "g = 2"\n', encoding="utf-8")
    with pytest.raises(LessonFileError) as info:
        load_lesson(path)
    assert [f"{p.line}: {p.message}" for p in info.value.problems] == [
        "5: the `solution` of a predict step is the right prediction: a number, a list of "
        "numbers or None",
        "10: a step with a `predict` check can have no other check in step 1",
        "14: a wrong answer of a predict step is a wrong prediction: a number, a list of "
        "numbers or None",
    ]


def test_nesting_past_the_limit_is_this_files_problem_at_its_line(tmp_path: Path) -> None:
    from gradtui.lessons.loader import MAX_NESTING

    good = (FIXTURES / "good.toml").read_text()
    deep = tmp_path / "deep.toml"
    deep.write_text(good + "\nx = " + "[" * 50_000 + "]" * 50_000 + "\n")
    with pytest.raises(LessonFileError) as info:
        load_lesson(deep)
    (problem,) = info.value.problems
    assert problem.line == good.count("\n") + 2
    assert f"nested more than {MAX_NESTING} deep" in problem.message


def test_brackets_in_strings_and_comments_do_not_count_as_nesting(tmp_path: Path) -> None:
    from gradtui.lessons.loader import _too_deep

    brackets = "[" * 200
    source = (
        f'a = "{brackets}"\nb = \'{brackets}\'\nc = """\n{brackets}\n"""\n# {brackets}\n'
        f'd = "\\"{brackets}"\ne = [[1], {{x = [2]}}]\nf = ' + "[" * 70 + "]" * 70 + "\n"
    )
    assert _too_deep(source, 64) == 9  # the line of f
    assert _too_deep(source.rsplit("f =", 1)[0], 64) is None


def test_a_fifo_or_a_huge_file_is_refused_unread(tmp_path: Path, monkeypatch) -> None:
    import os

    from gradtui.lessons import loader

    fifo = tmp_path / "fifo.toml"
    os.mkfifo(fifo)
    with pytest.raises(LessonFileError, match="not a regular file"):
        load_lesson(fifo)  # used to wait for a writer for ever
    monkeypatch.setattr(loader, "MAX_LESSON_BYTES", 100)
    with pytest.raises(LessonFileError, match="too big for a lesson"):
        load_lesson(FIXTURES / "good.toml")
