"""The in-process evaluator: REPL echo rules, output order, errors, warnings, persistence."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from gradtui.kernel.evaluator import Evaluator


@pytest.fixture
def ev() -> Evaluator:
    return Evaluator(install_torch=False)


def test_trailing_expression_is_echoed_after_the_body_runs(ev: Evaluator) -> None:
    result = ev.execute("x = 1\nx + 1")
    assert result.ok
    assert result.value_repr == "2"


def test_statement_only_cell_echoes_nothing(ev: Evaluator) -> None:
    result = ev.execute("x = 1\ny = x * 3")
    assert result.ok and result.value_repr is None
    assert ev.namespace["y"] == 3


def test_none_is_not_echoed_and_does_not_replace_underscore(ev: Evaluator) -> None:
    ev.execute("41 + 1")
    result = ev.execute("None")
    assert result.value_repr is None
    assert ev.execute("_").value_repr == "42"


def test_underscore_holds_the_last_echoed_value(ev: Evaluator) -> None:
    ev.execute("'abc'")
    assert ev.execute("_ * 2").value_repr == "'abcabc'"


def test_echo_uses_repr(ev: Evaluator) -> None:
    assert ev.execute("'a\\nb'").value_repr == "'a\\nb'"


def test_namespace_persists_between_cells(ev: Evaluator) -> None:
    ev.execute("def double(v):\n    return 2 * v")
    ev.execute("z = double(21)")
    assert ev.execute("z").value_repr == "42"


def test_stdout_and_stderr_are_kept_in_write_order(ev: Evaluator) -> None:
    result = ev.execute(
        "import sys\nprint('one')\nprint('two', file=sys.stderr)\nprint('three')\n'end'"
    )
    assert [(c.stream, c.text) for c in result.output] == [
        ("stdout", "one\n"),
        ("stderr", "two\n"),
        ("stdout", "three\n"),
    ]
    assert result.stdout == "one\nthree\n"
    assert result.value_repr == "'end'"


def test_output_before_an_error_is_kept(ev: Evaluator) -> None:
    result = ev.execute("print('before')\n1/0")
    assert not result.ok
    assert result.stdout == "before\n"


def test_traceback_shows_only_the_learners_frames_and_lines(ev: Evaluator) -> None:
    ev.execute("def f(v):\n    return v / 0")
    result = ev.execute("y = 1\nf(y)")
    assert result.error is not None
    assert result.error.type == "ZeroDivisionError"
    assert result.error.message == "division by zero"
    text = result.error.traceback
    assert text.startswith("Traceback (most recent call last):\n")
    assert 'File "<cell 2>", line 2, in <module>\n    f(y)' in text
    assert 'File "<cell 1>", line 2, in f\n    return v / 0' in text
    assert "evaluator.py" not in text and "gradtui" not in text
    assert text.endswith("ZeroDivisionError: division by zero\n")


def test_syntax_error_shows_the_line_and_caret_without_a_traceback_header(ev: Evaluator) -> None:
    result = ev.execute("x = = 1")
    assert result.error is not None and result.error.type == "SyntaxError"
    assert result.error.traceback == (
        '  File "<cell 1>", line 1\n    x = = 1\n        ^\nSyntaxError: invalid syntax\n'
    )


def test_a_failed_cell_keeps_earlier_variables(ev: Evaluator) -> None:
    ev.execute("kept = 5")
    ev.execute("kept = 6\nraise ValueError('boom')")
    assert ev.namespace["kept"] == 6  # statements before the error ran, like Python
    assert ev.execute("kept").value_repr == "6"


def test_warnings_look_like_pythons_and_repeat_in_later_cells(ev: Evaluator) -> None:
    source = "import warnings\nwarnings.warn('careful')"
    first = ev.execute(source)
    second = ev.execute(source)
    assert first.stderr == "<cell 1>:2: UserWarning: careful\n  warnings.warn('careful')\n"
    assert second.stderr == "<cell 2>:2: UserWarning: careful\n  warnings.warn('careful')\n"


def test_the_warnings_a_cell_showed_are_in_its_result_by_type_and_message(
        ev: Evaluator) -> None:
    result = ev.execute("import warnings\nwarnings.warn('careful')\n"
                        "warnings.warn('old', DeprecationWarning)\n"
                        "class Mine(UserWarning): pass\nwarnings.warn('own', Mine)")
    assert [(w.type, w.message) for w in result.warnings] == [
        ("UserWarning", "careful"), ("DeprecationWarning", "old"), ("Mine", "own")]
    assert ev.execute("x = 1").warnings == []  # each cell its own


@contextmanager
def no_collection_of_earlier_garbage() -> Iterator[None]:
    """Garbage other tests left is collected first, and no collection runs in between.

    The warnings filters are the process's: under ``simplefilter('always')`` a collection that
    lands inside the cell finalizes what earlier tests in this worker left (an unclosed
    socket's ``ResourceWarning``) and the cell shows it as its own. Where a collection lands
    depends on what ran before in the worker, which xdist decides by timing.
    """
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def test_a_cell_warning_in_a_loop_keeps_only_the_first_twenty(ev: Evaluator) -> None:
    ev.execute("import warnings")
    try:
        with no_collection_of_earlier_garbage():
            result = ev.execute("warnings.simplefilter('always')\n"
                                "for i in range(100):\n    warnings.warn(f'w{i}')")
            long = ev.execute("warnings.warn('x' * 10**5)")
        assert [w.message for w in result.warnings] == [f"w{i}" for i in range(20)]
        assert result.stderr.count("UserWarning") == 100  # what is shown is not cut
        assert len(long.warnings[0].message) == 2000 and "x" * 10**5 in long.stderr
    finally:
        ev.execute("warnings.resetwarnings()\nwarnings.simplefilter('default')")


def test_checks_evaluating_expressions_record_no_warnings(ev: Evaluator) -> None:
    ev.execute("import warnings\ndef noisy():\n    warnings.warn('from a check')\n    return 1")
    assert ev.evaluate("noisy()") == (True, "1")
    assert ev.execute("0").warnings == []


def test_a_learners_warning_filter_persists(ev: Evaluator) -> None:
    ev.execute("import warnings\nwarnings.filterwarnings('ignore', message='hush')")
    try:
        result = ev.execute("warnings.warn('hush')")
        assert result.stderr == "" and result.warnings == []  # an ignored warning is not shown
    finally:
        ev.execute("warnings.resetwarnings()\nwarnings.simplefilter('default')")


def test_system_exit_is_reported_not_raised(ev: Evaluator) -> None:
    result = ev.execute("import sys\nsys.exit(3)")
    assert result.error is not None and result.error.type == "SystemExit"
    assert result.error.message == "3"


def test_keyboard_interrupt_is_reported_as_the_cells_error(ev: Evaluator) -> None:
    result = ev.execute("raise KeyboardInterrupt")
    assert result.error is not None and result.error.type == "KeyboardInterrupt"


def test_broken_repr_becomes_the_cells_error(ev: Evaluator) -> None:
    result = ev.execute(
        "class Bad:\n    def __repr__(self):\n        raise ValueError('no repr')\nBad()"
    )
    assert result.error is not None and result.error.type == "ValueError"
    assert result.value_repr is None


def test_execution_count_names_the_cells(ev: Evaluator) -> None:
    assert ev.execute("1").execution_count == 1
    result = ev.execute("undefined_name")
    assert result.execution_count == 2
    assert 'File "<cell 2>", line 1' in result.error.traceback  # type: ignore[union-attr]
    assert result.error.message == "name 'undefined_name' is not defined"  # type: ignore[union-attr]


def test_last_value_name_records_a_bare_name(ev: Evaluator) -> None:
    ev.execute("t = [1]\nt")
    assert ev.last_value_name == "t"
    ev.execute("t + [2]")
    assert ev.last_value_name == "_"


def test_input_does_not_read_the_kernels_stdin_in_process(ev: Evaluator) -> None:
    # In the kernel process fd 0 is /dev/null; here we only prove a cell cannot define __future__
    # behaviour for us: annotations in a cell are evaluated eagerly, as in plain Python.
    result = ev.execute("def f(a: int) -> int:\n    return a\nf.__annotations__['a']")
    assert result.value_repr == "<class 'int'>"


def test_evaluate_returns_truthiness_and_repr_without_touching_underscore(ev: Evaluator) -> None:
    ev.execute("x = 3")
    ev.execute("'keep'")
    assert ev.evaluate("x > 2") == (True, "True")
    assert ev.evaluate("x - 3") == (False, "0")
    assert ev.evaluate("1/0") == (False, "ZeroDivisionError: division by zero")
    assert ev.evaluate("x = 1")[0] is False
    assert ev.namespace["_"] == "keep"
    assert ev.execution_count == 2


def test_empty_and_comment_only_cells_are_fine(ev: Evaluator) -> None:
    assert ev.execute("").ok
    result = ev.execute("# just a note\n")
    assert result.ok and result.value_repr is None


def test_runaway_output_is_capped_and_says_so(ev: Evaluator) -> None:
    result = ev.execute("for i in range(300_000):\n    print('xxxxxxxxxx')")
    assert result.ok
    assert len(result.stdout) <= 1_000_000
    assert "output cut after" in result.stderr


# -- with the engine's torch shim (what the kernel process runs) -----------------------------

SEED_CELLS = [
    ("import torch\nfrom torch.autograd import Variable", None),
    (
        "a = Variable(torch.ones((3, 2)), requires_grad=True)\na",
        "tensor([[1., 1.],\n        [1., 1.],\n        [1., 1.]], requires_grad=True)",
    ),
    ("type(a)", "<class 'torch.Tensor'>"),
    (
        "x = Variable(torch.ones((2)), requires_grad=True)\nx",
        "tensor([1., 1.], requires_grad=True)",
    ),
    ("y = 5 * (x + 1) ** 2\ny", "tensor([20., 20.], grad_fn=<MulBackward0>)"),
    ("o = (1/2) * torch.sum(y)\no", "tensor(20., grad_fn=<MulBackward0>)"),
    ("o.backward()\nx.grad", "tensor([10., 10.])"),
]


def test_seed_notebook_cells_echo_what_torch_prints() -> None:
    ev = Evaluator()
    for source, expected in SEED_CELLS:
        result = ev.execute(source)
        assert result.ok, result.error
        assert result.value_repr == expected


def test_seed_notebooks_last_cell_fails_like_torch_213() -> None:
    ev = Evaluator()
    for source, _ in SEED_CELLS:
        ev.execute(source)
    result = ev.execute("o.backward(torch.FloatTensor([1.0, 1.0]))\nx.grad")
    assert result.error is not None and result.error.type == "RuntimeError"
    assert result.error.message == (
        "Mismatch in shape: grad_output[0] has a shape of torch.Size([2]) and output[0] has a "
        "shape of torch.Size([])."
    )
    text = result.error.traceback
    assert 'File "<cell 8>", line 1, in <module>' in text
    assert "gradtui" not in text and "numpy" not in text


def test_engine_errors_show_only_the_learners_frames() -> None:
    ev = Evaluator()
    result = ev.execute("import torch\ntorch.ones(2) + torch.ones(3)")
    assert result.error is not None
    assert result.error.traceback == (
        "Traceback (most recent call last):\n"
        '  File "<cell 1>", line 2, in <module>\n'
        "    torch.ones(2) + torch.ones(3)\n"
        "    ~~~~~~~~~~~~~~^~~~~~~~~~~~~~~\n"
        "RuntimeError: The size of tensor a (2) must match the size of tensor b (3) at "
        "non-singleton dimension 0\n"
    )


def test_non_leaf_grad_warning_points_at_the_learners_line() -> None:
    ev = Evaluator()
    ev.execute("import torch\nx = torch.ones(2, requires_grad=True)\ny = x * 2")
    result = ev.execute("y.grad")
    assert result.ok and result.value_repr is None
    assert result.stderr.startswith(
        "<cell 2>:1: UserWarning: The .grad attribute of a Tensor that is not a leaf Tensor"
    )
    assert result.stderr.endswith("\n  y.grad\n")
    assert [w.type for w in result.warnings] == ["UserWarning"]
    assert result.warnings[0].message.startswith("The .grad attribute of a Tensor that is not")
