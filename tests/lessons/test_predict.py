"""The predict check: what counts as a prediction, and how one is compared."""

from __future__ import annotations

import math

import pytest

from gradtui.lessons.checks import CheckParamError, build_check
from gradtui.lessons.checks.predict import NOT_A_PREDICTION, parse_prediction


@pytest.mark.parametrize(("cell", "value"), [
    ("20", 20), ("-0.5", -0.5), ("[20., 20.]", [20.0, 20.0]), ("(1, 2)", [1, 2]),
    ("[[1], [2]]", [[1], [2]]), ("None", None), ("tensor([20., 20.])", [20.0, 20.0]),
    ("torch.tensor(4., requires_grad=True)", 4.0), ("  [1, 2]  \n", [1, 2]),
])
def test_a_value_is_a_prediction(cell: str, value: object) -> None:
    assert parse_prediction(cell) == value


def test_nan_and_inf_can_be_predicted() -> None:
    assert math.isnan(parse_prediction("nan")) and parse_prediction("-inf") == -math.inf


@pytest.mark.parametrize("cell", ["x.grad", "o.backward()", "x = 20", "[x, 1]", "-None",
                                  "[1, 2", "torch.ones(2)", "20\n30", "'20'"])
def test_code_is_not_a_prediction(cell: str) -> None:
    assert parse_prediction(cell) is NOT_A_PREDICTION


def predict(**extra: object):
    return build_check({"kind": "predict", "run": "o.backward()", "answer": "x.grad", **extra})


def test_a_right_prediction_is_said_right_and_a_wrong_one_shows_both() -> None:
    check = predict()
    right = check.compare([20, 20], [20.0, 20.0])
    assert right.passed and right.message == "Right: `x.grad` is `[20., 20.]`, as you predicted."
    wrong = check.compare([10, 10], [20.0, 20.0])
    assert not wrong.passed
    assert wrong.message == "Not quite: you predicted `[10, 10]`, and `x.grad` is `[20., 20.]`."


def test_one_number_for_a_tensor_of_that_number_is_right_but_shapes_must_not_grow() -> None:
    check = predict()
    assert check.compare(20, [20.0, 20.0]).passed
    assert not check.compare([20, 20, 20], [20.0, 20.0]).passed
    assert not check.compare([[20, 20]], [20.0, 20.0]).passed
    assert not check.compare(20, [20.0, 10.0]).passed


def test_none_is_right_only_for_none_and_tolerances_apply() -> None:
    check = predict(atol=0.1)
    assert check.compare(None, None).passed and not check.compare(None, 0).passed
    assert not check.compare(0, None).passed
    assert check.compare(0.3, 0.333).passed and not predict().compare(0.3, 0.333).passed


def test_the_question_defaults_to_asking_for_the_answer() -> None:
    assert predict().question == "What will `x.grad` be?"
    assert predict(question="And now?").question == "And now?"


@pytest.mark.parametrize(("extra", "message", "key"), [
    ({"run": "o.backward("}, "`run` is not Python code: '(' was never closed", "run"),
    ({"answer": "x.grad ="}, "`answer` is not a Python expression: invalid syntax", "answer"),
    ({"atol": -1}, "`atol` must not be negative", "atol"),
])
def test_bad_parameters_are_refused(extra: dict, message: str, key: str) -> None:
    with pytest.raises(CheckParamError) as info:
        predict(**extra)
    assert (str(info.value), info.value.key) == (message, key)
