"""Reading a cell: its error or warnings explained, its text matched against anticipated
mistakes, and whether it is the step's own code typed a line at a time."""

from __future__ import annotations

from dataclasses import replace

from gradtui.kernel.protocol import CellResult, ErrorInfo, WarningInfo
from gradtui.lessons.catalog import builtin_dir, lesson_files
from gradtui.lessons.diagnosis import (
    diagnose,
    failing_line,
    matching_wrong_answer,
    on_the_way,
    same_code,
    short_message,
    suggested_name,
)
from gradtui.lessons.loader import load_lesson
from gradtui.lessons.model import ErrorNote, Step, WrongAnswer

TRACEBACK = ('Traceback (most recent call last):\n  File "<cell 7>", line 2, in <module>\n'
             '    y.backward()\nRuntimeError: grad can be implicitly created only for scalar '
             'outputs\n')
NON_SCALAR = ErrorInfo("RuntimeError", "grad can be implicitly created only for scalar outputs",
                       TRACEBACK)


def lesson(number: int):
    return load_lesson(lesson_files([builtin_dir()])[number - 1])


def step_with(**fields: object) -> Step:
    return replace(lesson(2).steps[3], **fields)  # "backward()"


def test_the_failing_line_is_the_last_line_of_the_learners_own_code() -> None:
    assert failing_line(TRACEBACK) == "y.backward()"
    nested = ('Traceback (most recent call last):\n  File "<cell 3>", line 4, in <module>\n'
              '    f()\n  File "<cell 3>", line 2, in f\n    1 / 0\n'
              'ZeroDivisionError: division by zero\n')
    assert failing_line(nested) == "1 / 0"
    assert failing_line("ZeroDivisionError: division by zero\n") == ""


def test_long_torch_messages_are_cut_to_their_first_clause() -> None:
    message = ("Trying to backward through the graph a second time (or directly access saved "
               "tensors after they have already been freed). Saved intermediate values of the "
               "graph are freed when you call .backward() or autograd.grad().")
    assert short_message(message) == "Trying to backward through the graph a second time…"
    inplace = ("one of the variables needed for gradient computation has been modified by an "
               "inplace operation: [torch.FloatTensor [2]], which is output 0 of Exp, is at "
               "version 1; expected version 0 instead. Hint: enable anomaly detection")
    assert short_message(inplace) == ("one of the variables needed for gradient computation "
                                      "has been modified by an inplace operation…")
    assert short_message("name 'x' is not defined") == "name 'x' is not defined."
    assert short_message("x" * 300).endswith("…") and len(short_message("x" * 300)) == 100


def test_an_error_is_quoted_with_its_line_explained_and_pointed_at_the_step_teaching_it() -> None:
    [note] = diagnose(CellResult(False, error=NON_SCALAR), lesson(2).steps[3], lesson(2))
    assert note.startswith("`y.backward()` raised RuntimeError: grad can be implicitly created "
                           "only for scalar outputs. `backward()` with no argument starts from "
                           "one number")
    assert note.endswith("(Step 10 of this lesson, “The gradient argument”, is about this.)")
    [elsewhere] = diagnose(CellResult(False, error=NON_SCALAR), lesson(6).steps[3], lesson(6))
    assert elsewhere.endswith("(Lesson 2, “Gradients”, step 10 is about this: "
                              "`gradtui lesson 2`.)")
    on_it = diagnose(CellResult(False, error=NON_SCALAR), lesson(2).steps[9], lesson(2))[0]
    assert "is about this" not in on_it  # the learner is on the step that teaches it


def test_a_steps_own_error_note_wins_over_the_catalogue() -> None:
    note = ErrorNote(note="Call it on `o`, the mean.", code="y.backward()", line=1,
                     type="RuntimeError", contains="scalar outputs")
    [text] = diagnose(CellResult(False, error=NON_SCALAR), step_with(error_notes=(note,)), None)
    assert "Call it on `o`, the mean." in text and "starts from one number" not in text
    other = replace(note, contains="something else")
    [text] = diagnose(CellResult(False, error=NON_SCALAR), step_with(error_notes=(other,)), None)
    assert "starts from one number" in text


def test_unknown_errors_are_quoted_and_unknown_warnings_left_alone() -> None:
    error = ErrorInfo("ZeroDivisionError", "division by zero", "ZeroDivisionError: division "
                                                                "by zero\n")
    assert diagnose(CellResult(False, error=error), None, None) == [
        "The cell raised ZeroDivisionError: division by zero."]
    quiet = CellResult(True, warnings=[WarningInfo("UserWarning", "some library chatter")])
    assert diagnose(quiet, None, None) == []


def test_a_known_warning_is_explained_once_however_often_it_was_shown() -> None:
    text = ("Using a target size (torch.Size([20])) that is different to the input size "
            "(torch.Size([20, 20])). This will likely lead to incorrect results due to "
            "broadcasting. Please ensure they have the same size.")
    result = CellResult(True, warnings=[WarningInfo("UserWarning", text)] * 3)
    [note] = diagnose(result, None, None)
    assert note.startswith("PyTorch warned (UserWarning): Using a target size "
                           "(torch.Size([20])) that is different to the input size "
                           "(torch.Size([20, 20])). The prediction and the target have "
                           "different shapes")
    assert "Lesson 6, “Linear regression from scratch”, step 3" in note


def test_the_same_code_ignores_spacing_quotes_imports_and_lines_that_only_look() -> None:
    assert same_code("y.backward( )\nx.grad", "y.backward()")
    assert same_code("import torch\nx = torch.ones( 2 )", "import torch\nx=torch.ones(2)")
    assert same_code("d['w'] = 1", 'd["w"] = 1')
    assert not same_code("o.backward()", "y.backward()")
    assert not same_code("y.backward()\ny.backward()", "y.backward()")
    assert same_code("a", "a") and not same_code("b", "a")  # a look-only answer is compared
    assert not same_code("import torch", "import torch")  # an import alone is never a mistake
    assert not same_code("x = (", "x = (")


def test_a_wrong_answer_with_a_note_is_recognised_by_its_statements() -> None:
    wrong = WrongAnswer(code="y.backward()", line=1, note="Call it on `o`.")
    silent = WrongAnswer(code="x.grad", line=2)
    step = step_with(wrong_answers=(silent, wrong))
    assert matching_wrong_answer(step, "y.backward()  # try") is wrong
    assert matching_wrong_answer(step, "x.grad") is None  # no note: nothing to say
    assert matching_wrong_answer(step, "o.backward()") is None


def test_typing_the_steps_code_a_line_at_a_time_is_on_the_way_until_its_last_line() -> None:
    step = lesson(2).steps[7]  # retain_graph: y = ..., o = ..., o.backward(retain_graph=True)
    assert on_the_way(step, "y = 5 * (x + 1) ** 2")
    assert on_the_way(step, "y = 5 * (x + 1) ** 2\no = (1/2) * torch.sum(y)")
    assert not on_the_way(step, "o.backward(retain_graph=True)")  # the last line: judge it
    assert not on_the_way(step, "y = 5 * (x + 1) ** 2\no.backward(retain_graph=True)")
    assert not on_the_way(step, "z = 3")
    assert not on_the_way(step, "import torch")  # nothing of the step's code at all


def test_lines_of_the_steps_own_code_around_a_mistake_do_not_hide_it() -> None:
    solution = "a = [1, 2]\ntotal = sum(a)"
    assert same_code("a = [1, 2]\ntotal = len(a)", "total = len(a)", solution)
    assert not same_code("a = [1, 2]\ntotal = len(a)", "total = len(a)")
    assert not same_code("b = 3\ntotal = len(a)", "total = len(a)", solution)


def _raised(type_name: str, message: str, line: str, last_line: str) -> CellResult:
    traceback = ('Traceback (most recent call last):\n  File "<cell 4>", line 1, in <module>\n'
                 f"    {line}\n{last_line}\n")
    return CellResult(False, error=ErrorInfo(type_name, message, traceback))


def test_a_misspelt_name_gets_pythons_guess_instead_of_run_the_code_that_makes_it() -> None:
    typo = _raised("NameError", "name 'A' is not defined", "type(A)",
                   "NameError: name 'A' is not defined. Did you mean: 'a'?")
    [note] = diagnose(typo, lesson(1).steps[2], lesson(1))
    assert note == ("`type(A)` raised NameError: name 'A' is not defined. Did you mean `a`? "
                    "Python compares names letter for letter, capitals included.")
    never = _raised("NameError", "name 'zz' is not defined", "zz",
                    "NameError: name 'zz' is not defined")
    [note] = diagnose(never, lesson(1).steps[2], lesson(1))
    assert "Run the code that creates it" in note and "Did you mean" not in note


def test_a_misspelt_attribute_gets_pythons_guess_before_the_explanation() -> None:
    typo = _raised("AttributeError", "'Tensor' object has no attribute 'grad_Fn'", "a.grad_Fn",
                   "AttributeError: 'Tensor' object has no attribute 'grad_Fn'. "
                   "Did you mean: 'grad_fn'?")
    [note] = diagnose(typo, lesson(1).steps[2], lesson(1))
    assert note.startswith("`a.grad_Fn` raised AttributeError: 'Tensor' object has no "
                           "attribute 'grad_Fn'. Did you mean `grad_fn`?")
    assert suggested_name("NameError: name 'x' is not defined\n") == ""
