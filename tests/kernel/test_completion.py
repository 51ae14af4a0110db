"""Completion and help lookup: useful candidates, and never running learner code."""

from __future__ import annotations

from typing import Any

import pytest

from gradtui.kernel.completion import complete, inspect_name
from gradtui.kernel.evaluator import Evaluator


@pytest.fixture
def ns() -> dict[str, Any]:
    ev = Evaluator(install_torch=False)
    ev.execute(
        "import json, os\n"
        "calls = []\n"
        "class Lazy:\n"
        "    '''A value that is expensive to get.'''\n"
        "    __slots__ = ('slot_value',)\n"
        "    def __init__(self):\n"
        "        self.slot_value = [1, 2]\n"
        "    @property\n"
        "    def grad(self):\n"
        "        '''The gradient (computing it has a side effect).'''\n"
        "        calls.append('grad')\n"
        "        return self\n"
        "    def __getattr__(self, name):\n"
        "        calls.append(name)\n"
        "        raise AttributeError(name)\n"
        "    def step(self, lr=0.1, *, momentum=0.0):\n"
        "        '''Take one step.'''\n"
        "y = Lazy()\n"
        "params = [y]\n"
        "weights = {'w': y}\n"
        "def train(model, learning_rate=0.1, epochs=3):\n"
        "    '''Train the model.'''\n"
    )
    return ev.namespace


def _texts(ns: dict[str, Any], source: str, cursor: int | None = None) -> list[str]:
    return [c.text for c in complete(ns, source, len(source) if cursor is None else cursor)]


def test_names_from_the_namespace_builtins_and_keywords(ns: dict[str, Any]) -> None:
    assert _texts(ns, "tra") == ["train"]
    assert "print" in _texts(ns, "pri")
    assert "lambda" in _texts(ns, "lam")


def test_attribute_completion_lists_attributes_with_the_word_start(ns: dict[str, Any]) -> None:
    got = complete(ns, "x = y.st", 8)
    assert [(c.text, c.kind, c.start) for c in got] == [("step", "attribute", 6)]


def test_completing_a_property_never_evaluates_it(ns: dict[str, Any]) -> None:
    assert "grad" in _texts(ns, "y.")
    assert _texts(ns, "y.grad.") == []  # its value is unknown without running it
    assert _texts(ns, "params[0].grad.st") == []
    assert ns["calls"] == []


def test_slots_and_literal_indexing_are_followed_statically(ns: dict[str, Any]) -> None:
    assert "append" in _texts(ns, "y.slot_value.app")
    assert _texts(ns, "params[0].st") == ["step"]
    assert _texts(ns, "weights['w'].st") == ["step"]
    assert ns["calls"] == []


def test_private_names_only_when_asked_for(ns: dict[str, Any]) -> None:
    assert "__init__" not in _texts(ns, "y.")
    assert "__init__" in _texts(ns, "y.__")


def test_keyword_arguments_of_the_call_at_the_cursor(ns: dict[str, Any]) -> None:
    got = complete(ns, "train(y, lea", 12)
    assert (got[0].text, got[0].kind, got[0].start) == ("learning_rate=", "keyword", 9)
    assert _texts(ns, "y.step(0.1, mo")[:1] == ["momentum="]
    assert _texts(ns, "train(y, e")[:1] == ["epochs="]
    assert _texts(ns, "train(y, ") == ["epochs=", "learning_rate=", "model="]
    assert _texts(ns, "x = ") == []  # no prefix outside a call: no flood of every name


def test_module_names_after_import(ns: dict[str, Any]) -> None:
    got = complete(ns, "import jso", 10)
    assert ("json", "module") in [(c.text, c.kind) for c in got]
    assert "torch" in _texts(ns, "import tor")
    assert "path" in _texts(ns, "import os.pa")
    assert "decoder" in _texts(ns, "from json import dec")
    assert "loads" in _texts(ns, "from json import lo")


def test_cursor_in_the_middle_of_a_multi_line_cell(ns: dict[str, Any]) -> None:
    source = "a = 1\nb = tra\nc = 3"
    assert _texts(ns, source, source.index("tra") + 3) == ["train"]


def test_nothing_inside_strings_or_comments(ns: dict[str, Any]) -> None:
    assert _texts(ns, "print('tra") == []
    assert _texts(ns, "# tra") == []


def test_unknown_objects_complete_to_nothing(ns: dict[str, Any]) -> None:
    assert _texts(ns, "nothing_here.") == []
    assert _texts(ns, "train().") == []  # a call would run code


def test_inspect_gives_signature_and_docstring(ns: dict[str, Any]) -> None:
    expected = "train(model, learning_rate=0.1, epochs=3)\n\nTrain the model."
    assert inspect_name(ns, "train") == expected
    assert inspect_name(ns, "y.step") == "y.step(lr=0.1, *, momentum=0.0)\n\nTake one step."
    assert inspect_name(ns, "nothing_here") is None


def test_inspect_of_a_property_shows_its_doc_without_running_it(ns: dict[str, Any]) -> None:
    text = inspect_name(ns, "y.grad")
    assert text is not None and "The gradient (computing it has a side effect)." in text
    assert ns["calls"] == []


def test_completing_a_tensor_never_runs_its_properties_or_grows_the_graph() -> None:
    import warnings

    ev = Evaluator()
    ev.execute("import torch\nx = torch.ones(2, requires_grad=True)\ny = x * 2")
    ns = ev.namespace
    before = (ns["y"].grad_fn, ns["x"]._version)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # reading y.grad would warn: the test fails if it happens
        names = _texts(ns, "y.")
        assert {"backward", "grad", "grad_fn", "requires_grad"} <= set(names)
        assert _texts(ns, "y.grad.") == []
        assert _texts(ns, "y.T.") == []  # a property computing a new tensor (and graph node)
        assert "requires_grad=" in _texts(ns, "torch.ones(2, requ")
        assert inspect_name(ns, "y.grad") is not None
    assert (ns["y"].grad_fn, ns["x"]._version) == before


def test_torch_submodules_and_readable_signatures() -> None:
    ev = Evaluator()
    ev.execute("import torch\nimport torch.nn.functional")
    ns = ev.namespace
    # Submodules only (no functions such as `ones`); the engine may grow more (e.g. `cuda`).
    submodules = _texts(ns, "import torch.")
    assert {"autograd", "nn"} <= set(submodules) and "ones" not in submodules
    assert _texts(ns, "from torch.autograd import Var") == ["Variable"]
    assert _texts(ns, "torch.nn.functional.rel") == ["relu", "relu6"]
    text = inspect_name(ns, "torch.ones")
    assert text is not None and text.startswith("torch.ones(*size, dtype=None")
    assert "'Any'" not in text


def test_doc_of_a_torch_op_without_a_docstring_gives_its_rule_and_torchs_page() -> None:
    ev = Evaluator()
    ev.execute("import torch\nimport torch.nn as nn\nx = torch.ones(2)")
    text = inspect_name(ev.namespace, "torch.sum")
    assert text is not None and text.startswith("torch.sum(input, dim=None")
    assert "(gradtui's engine has no docstring for torch.sum)" in text
    assert "records SumBackward0" in text and "    self: d(sum a)/da_i = 1" in text
    assert text.endswith("https://docs.pytorch.org/docs/stable/generated/torch.sum.html")
    method = inspect_name(ev.namespace, "x.sum")  # a tensor's method: torch.Tensor.sum
    assert method is not None and method.endswith("generated/torch.Tensor.sum.html")
    linear = inspect_name(ev.namespace, "nn.Linear")  # an alias of torch.nn
    assert linear is not None and "y = x W^T + b" in linear and "no docstring" not in linear
    assert linear.endswith("generated/torch.nn.Linear.html")
    assert "docs.pytorch.org" not in (inspect_name(ev.namespace, "torch") or "")


def test_no_internal_module_of_the_engine_is_offered_as_part_of_torch() -> None:
    ev = Evaluator()
    ev.execute("import torch\nm = torch.nn.Linear(1, 1)\nm.zero_grad()")
    assert _texts(ev.namespace, "torch.zero") == ["zeros", "zeros_like"]  # no zero_grad
    assert "zero_grad" not in _texts(ev.namespace, "import torch.")


def test_learner_annotations_stay_in_signatures(ns: dict[str, Any]) -> None:
    source = "def scale(v: float, k: int = 2) -> float:\n    return v * k"
    exec(compile(source, "<cell>", "exec", dont_inherit=True), ns)  # no __future__ from here
    assert inspect_name(ns, "scale") == "scale(v: float, k: int = 2) -> float"


def test_module_layers_and_parameters_complete_without_running_the_model() -> None:
    # torch keeps them in _modules/_parameters/_buffers and finds them in Module.__getattr__;
    # completion reads those dicts, and never calls forward or a learner's own __getattr__.
    ev = Evaluator()
    ev.execute(
        "import torch\nfrom torch import nn\ncalls = []\n"
        "class Net(nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.fc1 = nn.Linear(2, 3)\n"
        "        self.register_buffer('running', torch.zeros(1))\n"
        "    def forward(self, x):\n"
        "        calls.append('forward')\n"
        "        return self.fc1(x)\n"
        "    def __getattr__(self, name):\n"
        "        calls.append(name)\n"
        "        return super().__getattr__(name)\n"
        "net = Net()\n"
        "seq = nn.Sequential(nn.Linear(2, 3), nn.ReLU())\n"
        "layers = nn.ModuleDict({'first': nn.Linear(1, 1)})\n"
        "calls.clear()  # building the model may look names up; completing must not\n"
    )
    ns = ev.namespace
    assert _texts(ns, "net.f") == ["fc1", "float", "forward"]
    assert _texts(ns, "net.fc1.we") == ["weight"]
    assert _texts(ns, "net.run") == ["running"]
    assert "grad_fn" in _texts(ns, "net.fc1.weight.gr")
    assert _texts(ns, "seq[0].bi") == ["bias"]
    assert _texts(ns, "seq[1].") and _texts(ns, "seq[5].") == []
    assert _texts(ns, "layers['first'].out") == ["out_features"]
    assert "0" not in _texts(ns, "seq.")  # like Module.__dir__: no numbered children
    assert inspect_name(ns, "net.fc1") is not None
    assert ns["calls"] == []
