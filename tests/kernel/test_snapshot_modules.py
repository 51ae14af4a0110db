"""Snapshots of ``nn.Module`` objects: their parameters are listed under dotted names, capped,
and found without running any of the learner's model code."""

from __future__ import annotations

from typing import Any

from gradtui.kernel import backward_trace
from gradtui.kernel.snapshot import MAX_CONTAINER_ITEMS, build_snapshot, namespace_tensors


def _run(source: str) -> dict[str, Any]:
    from gradtui.kernel.evaluator import Evaluator

    ev = Evaluator()
    reply = ev.execute("import torch\nimport torch.nn as nn\n" + source)
    assert reply.error is None, reply.error
    return ev.namespace


def _names(ns: dict[str, Any]) -> list[str]:
    return [name for name, _ in namespace_tensors(ns)]


def test_sequential_parameters_are_listed_by_position_like_named_parameters() -> None:
    ns = _run("model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))")
    expected = ["model." + name for name, _ in ns["model"].named_parameters()]
    assert _names(ns) == expected == ["model.0.weight", "model.0.bias", "model.2.weight",
                                      "model.2.bias"]


def test_custom_module_parameters_follow_registration_order_and_nesting() -> None:
    ns = _run(
        "class Net(nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.fc1 = nn.Linear(4, 8)\n"
        "        self.block = nn.Sequential(nn.Tanh(), nn.Linear(8, 8))\n"
        "        self.scale = nn.Parameter(torch.ones(1))\n"
        "        self.fc2 = self.fc1  # shared: listed once, like named_parameters\n"
        "    def forward(self, x):\n"
        "        return self.fc2(self.block(self.fc1(x))) * self.scale\n"
        "net = Net()\n"
    )
    assert _names(ns) == ["net.scale", "net.fc1.weight", "net.fc1.bias", "net.block.1.weight",
                          "net.block.1.bias"]
    assert _names(ns) == ["net." + name for name, _ in ns["net"].named_parameters()]


def test_parameters_show_as_leaf_tensors_with_their_gradients() -> None:
    ns = _run(
        "model = nn.Linear(2, 1)\n"
        "w = nn.Parameter(torch.tensor([1., 2.]))\n"
        "loss = model(torch.ones(1, 2)).sum() + (w * w).sum()\n"
        "loss.backward()\n"
    )
    snap = build_snapshot(ns)
    assert [t.name for t in snap.tensors] == ["model.weight", "model.bias", "w", "loss"]
    weight = snap.tensor("model.weight")
    assert weight is not None
    assert weight.shape == [1, 2] and weight.requires_grad and weight.is_leaf
    assert weight.grad_values == [[1.0, 1.0]]
    w = snap.tensor("w")
    assert w is not None and w.grad_values == [2.0, 4.0]
    leaf_names = {snap.nodes[n].variable for n in snap.last_backward}
    assert {"model.weight", "model.bias", "w"} <= leaf_names


def test_an_echoed_model_is_not_listed_again_under_underscore() -> None:
    ns = _run("model = nn.Linear(2, 1)\nx = torch.ones(1)")
    ns["_"] = ns["model"]
    assert _names(ns) == ["model.weight", "model.bias", "x"]
    ns["_"] = ns["x"]  # an echoed tensor still is, as before
    assert _names(ns) == ["model.weight", "model.bias", "x", "_"]


def test_a_module_contributes_at_most_the_container_cap() -> None:
    ns = _run("layers = nn.ModuleList([nn.Linear(1, 1) for _ in range(200)])")
    names = _names(ns)
    assert len(names) == MAX_CONTAINER_ITEMS
    assert names[:3] == ["layers.0.weight", "layers.0.bias", "layers.1.weight"]


def test_model_code_is_never_run_to_find_parameters() -> None:
    ns = _run(
        "class Sneaky(nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.fc = nn.Linear(1, 1)\n"
        "    def named_parameters(self, *a, **k):\n"
        "        raise RuntimeError('ran named_parameters')\n"
        "    def parameters(self, *a, **k):\n"
        "        raise RuntimeError('ran parameters')\n"
        "    @property\n"
        "    def boom(self):\n"
        "        raise RuntimeError('ran a property')\n"
        "    def __getattr__(self, name):\n"
        "        raise RuntimeError('ran __getattr__')\n"
        "m = Sneaky()\n"
    )
    assert _names(ns) == ["m.fc.weight", "m.fc.bias"]
    build_snapshot(ns)


def test_a_module_made_without_super_init_lists_nothing_and_does_not_fail() -> None:
    ns = _run(
        "class Plain(nn.Module):\n"
        "    def __init__(self):\n"
        "        self.k = 3\n"
        "p = Plain()\n"
    )
    assert _names(ns) == []


def test_step_by_step_backward_resolves_a_listed_parameter_name() -> None:
    ns = _run("model = nn.Sequential(nn.Linear(2, 3))\nscale = nn.Linear(1, 1)")
    trace = backward_trace.trace_backward(ns, "model.0.weight")
    assert trace.error is not None and not trace.error.startswith("NameError")
    assert "scalar outputs" in trace.error  # what model[0].weight.backward() raises
    missing = backward_trace.trace_backward(ns, "model.3.weight")
    assert missing.error is not None and missing.error.startswith("NameError")
