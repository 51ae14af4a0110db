"""torch.nn on the engine: Parameter, Module registration and traversal, Linear's init, state
and dtype handling, and the import paths learners use (the golden cases pin the printed
output; these pin the behaviour behind it)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gradtui.engine import shim
from gradtui.engine import torchapi as torch
from gradtui.engine.tensor import Tensor

nn = torch.nn


# -- Parameter --------------------------------------------------------------------------------


def test_parameter_is_a_leaf_tensor_subclass_sharing_data_and_version() -> None:
    t = torch.tensor([1.0, 2.0])
    p = nn.Parameter(t)
    assert isinstance(p, Tensor) and type(p) is nn.Parameter
    assert p.is_leaf and p.requires_grad and p.grad_fn is None
    assert p._array is t._array and p._vc is t._vc
    assert repr(type(p)) == "<class 'torch.nn.parameter.Parameter'>"


def test_gradients_flow_into_parameters_through_every_op_kind() -> None:
    p = nn.Parameter(torch.tensor([[1.0, -2.0], [3.0, 0.5]]))
    y = (p @ p.t() + p * 2 - p.sum(0) / 3).relu().sum()
    y.backward()
    assert p.grad is not None and type(p.grad) is Tensor
    q = torch.tensor([[1.0, -2.0], [3.0, 0.5]], requires_grad=True)
    (q @ q.t() + q * 2 - q.sum(0) / 3).relu().sum().backward()
    np.testing.assert_array_equal(p.grad.numpy(), q.grad.numpy())


def test_results_of_ops_on_parameters_are_plain_tensors() -> None:
    p = nn.Parameter(torch.ones(2, 2))
    for out in (p + 1, p[0], p.t(), p.view(4), p.detach(), p.data, p.clone(), p.sum()):
        assert type(out) is Tensor


# -- Module registration and traversal -------------------------------------------------------


class _Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.b = nn.Parameter(torch.zeros(1))
        self.first = nn.Linear(2, 3)
        self.a = nn.Parameter(torch.ones(1))
        self.inner = nn.Sequential(nn.ReLU(), nn.Linear(3, 1))
        self.not_registered = [nn.Linear(4, 4)]
        self.plain = torch.ones(2, requires_grad=True)

    def forward(self, x: Tensor) -> Tensor:
        return self.inner(self.first(x)) * self.a + self.b


def test_parameters_come_in_registration_order_own_first_then_children() -> None:
    names = [name for name, _ in _Net().named_parameters()]
    assert names == ["b", "a", "first.weight", "first.bias", "inner.1.weight", "inner.1.bias"]


def test_reassigning_keeps_the_position_and_a_plain_value_removes_the_registration() -> None:
    net = _Net()
    net.b = nn.Parameter(torch.ones(1))  # same slot, new object
    assert [n for n, _ in net.named_parameters()][:2] == ["b", "a"]
    del net.first
    assert "first.weight" not in dict(net.named_parameters())
    net.first = nn.Identity()
    assert [n for n, _ in net.named_children()] == ["inner", "first"]


def test_module_subclass_forward_runs_through_call() -> None:
    net = _Net()
    out = net(torch.ones(5, 2))
    assert tuple(out.shape) == (5, 1) and out.grad_fn is not None
    out.sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    assert net.plain.grad is None  # a plain tensor attribute is not a parameter


def test_shared_submodule_and_parameter_are_visited_once() -> None:
    lin = nn.Linear(2, 2)
    model = nn.Sequential(lin, nn.ReLU(), lin)
    assert len(list(model.parameters())) == 2
    assert [n for n, _ in model.named_modules()] == ["", "0", "1"]
    assert list(model.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]


def test_assigning_before_super_init_fails_like_torch() -> None:
    class Broken(nn.Module):
        def __init__(self) -> None:
            self.w = nn.Parameter(torch.ones(1))

    with pytest.raises(AttributeError, match=r"cannot assign parameters before Module.__init__"):
        Broken()


def test_train_and_eval_reach_every_submodule() -> None:
    net = _Net()
    net.eval()
    assert not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())


def test_zero_grad_defaults_to_none_and_can_zero_in_place() -> None:
    net = _Net()
    net(torch.ones(1, 2)).sum().backward()
    grad = net.a.grad
    net.zero_grad(set_to_none=False)
    assert net.a.grad is grad and float(grad.sum()) == 0.0
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


# -- Linear ----------------------------------------------------------------------------------


@pytest.mark.parametrize("in_features", [1, 3, 16, 100])
def test_linear_init_is_uniform_within_one_over_sqrt_fan_in(in_features: int) -> None:
    torch.manual_seed(in_features)
    lin = nn.Linear(in_features, 50)
    bound = 1 / math.sqrt(in_features)
    w, b = lin.weight.detach().numpy(), lin.bias.detach().numpy()
    assert np.abs(w).max() <= bound and np.abs(b).max() <= bound
    # uniform over the whole interval, not a sliver of it (5,000 draws for the largest layer)
    assert np.abs(w).max() > 0.8 * bound and abs(float(w.mean())) < 0.2 * bound
    assert lin.weight.dtype == torch.float32 and lin.weight._version == 1  # one in-place fill


def test_linear_init_repeats_with_the_same_seed() -> None:
    torch.manual_seed(7)
    a = nn.Linear(3, 2)
    torch.manual_seed(7)
    b = nn.Linear(3, 2)
    assert torch.equal(a.weight, b.weight) and torch.equal(a.bias, b.bias)


def test_linear_forward_is_x_weight_t_plus_bias() -> None:
    lin = nn.Linear(3, 2)
    x = torch.tensor([[1.0, 2.0, 3.0], [-1.0, 0.5, 0.0]])
    expected = x.numpy() @ lin.weight.detach().numpy().T + lin.bias.detach().numpy()
    np.testing.assert_allclose(lin(x).detach().numpy(), expected, rtol=1e-6)


# -- state, dtypes -----------------------------------------------------------------------------


def test_load_state_dict_copies_in_place_into_the_same_parameters() -> None:
    src, dst = _Net(), _Net()
    weight = dst.first.weight
    version = weight._version
    assert repr(dst.load_state_dict(src.state_dict())) == "<All keys matched successfully>"
    assert dst.first.weight is weight and weight._version == version + 1
    assert torch.equal(weight, src.first.weight)


def test_state_dict_values_are_detached_views_of_the_parameters() -> None:
    net = _Net()
    sd = net.state_dict()
    assert type(sd["a"]) is Tensor and not sd["a"].requires_grad
    assert sd["a"]._array is net.a._array
    assert sd._metadata[""] == {"version": 1}


def test_double_converts_in_place_so_optimizers_keep_their_parameters() -> None:
    net = _Net()
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    net.double()
    assert all(p.dtype == torch.float64 for p in opt.param_groups[0]["params"])
    assert opt.param_groups[0]["params"][0] is net.b


def test_custom_module_repr_nests_children_with_two_space_indents() -> None:
    assert repr(_Net()) == (
        "_Net(\n"
        "  (first): Linear(in_features=2, out_features=3, bias=True)\n"
        "  (inner): Sequential(\n"
        "    (0): ReLU()\n"
        "    (1): Linear(in_features=3, out_features=1, bias=True)\n"
        "  )\n"
        ")"
    )


# -- imports ---------------------------------------------------------------------------------


def test_nn_and_optim_import_styles_resolve_inside_the_shim_only() -> None:
    import sys

    with shim.shim_active():
        import torch as t
        import torch.nn as nn1
        import torch.nn.init as init1
        import torch.optim as optim1
        from torch import nn as nn2
        from torch import optim as optim2
        from torch.nn import Linear
        from torch.nn import functional as F
        from torch.nn.modules.loss import MSELoss

        assert nn1 is nn2 is torch.nn and optim1 is optim2 is torch.optim
        assert F is t.nn.functional and init1 is t.nn.init
        assert Linear is nn.Linear and MSELoss is nn.MSELoss
        assert (optim1.__name__, init1.__name__) == ("torch.optim", "torch.nn.init")
    # uninstalled: the names are gone (or back to a real torch imported before)
    assert sys.modules.get("torch.nn") is not torch.nn
    assert sys.modules.get("torch.optim") is not torch.optim
    assert torch.optim.__name__ == "gradtui.engine.torchapi.optim"


def test_a_module_pickled_before_hooks_existed_loads_and_runs() -> None:
    import pickle

    from gradtui.engine.torchapi.nn.modules.hooks import _HOOK_DICTS

    torch.manual_seed(0)
    layer = torch.nn.Linear(2, 1)
    for name in (*_HOOK_DICTS, "_is_full_backward_hook"):
        del layer.__dict__[name]  # as an older gradtui pickled it
    with shim.shim_active():  # pickle finds classes by their torch names
        loaded = pickle.loads(pickle.dumps(layer))
    assert loaded(torch.ones(1, 2)).shape == (1, 1)
    calls = []
    loaded.register_forward_hook(lambda m, args, out: calls.append(out.shape))
    loaded(torch.ones(3, 2))
    assert calls == [(3, 1)]
