"""The Tensor API learners touch: attributes, conversions, creation, errors with torch's text."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest

import gradtui.engine.torchapi as torch
from gradtui.engine import errors
from gradtui.engine.variable import Variable


def test_tensor_identity_and_attributes() -> None:
    a = Variable(torch.ones((3, 2)), requires_grad=True)
    assert str(type(a)) == "<class 'torch.Tensor'>"
    assert type(a).__module__ == "torch" and type(a).__qualname__ == "Tensor"
    assert a.shape == (3, 2) and repr(a.shape) == "torch.Size([3, 2])"
    assert a.size(1) == 2 and a.dim() == 2 and a.numel() == 6 and a.ndim == 2
    assert str(a.dtype) == "torch.float32" and a.dtype.name == "float32"
    assert a.is_leaf and a.requires_grad and a._version == 0
    assert str(a.device) == "cpu"


def test_variable_is_a_new_tensor_sharing_memory() -> None:
    t = torch.ones(2)
    v = Variable(t, requires_grad=True)
    assert v is not t and isinstance(t, Variable)
    t[0] = 5.0
    assert v.tolist() == [5.0, 1.0]


def test_item_tolist_and_numpy() -> None:
    assert torch.tensor(0.1).item() == pytest.approx(0.10000000149011612, abs=0)
    assert isinstance(torch.tensor(3).item(), int)
    assert torch.tensor(True).item() is True
    with pytest.raises(RuntimeError, match=re.escape(errors.ITEM_NOT_SCALAR.format(n=2))):
        torch.ones(2).item()
    with pytest.raises(RuntimeError, match="Can't call numpy"):
        torch.ones(2, requires_grad=True).numpy()
    arr = torch.ones(2).numpy()
    assert arr.dtype == np.float32


def test_factories_follow_torch_shapes_and_dtypes() -> None:
    assert torch.ones((2)).shape == (2,)  # noqa: UP034 - the notebook spells it so
    assert torch.ones(()).shape == ()
    assert torch.zeros(2, 3).shape == torch.zeros((2, 3)).shape == (2, 3)
    assert torch.arange(5).dtype == torch.int64
    assert torch.arange(0.0, 1.0, 0.1).shape == (10,)
    assert torch.tensor([1, 2]).dtype == torch.int64
    assert torch.tensor([1, 2.0]).dtype == torch.float32
    assert torch.from_numpy(np.ones(2)).dtype == torch.float64
    assert torch.full((2,), 7).dtype == torch.int64
    assert torch.eye(2).tolist() == [[1.0, 0.0], [0.0, 1.0]]
    assert torch.linspace(0, 1, 5).tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert torch.LongTensor([1, 2]).dtype == torch.int64
    assert torch.ones_like(torch.ones(2, dtype=torch.float64)).dtype == torch.float64


def test_random_factories_are_reproducible_after_manual_seed() -> None:
    torch.manual_seed(0)
    first = (torch.rand(3), torch.randn(2, 2), torch.randint(0, 10, (4,)))
    torch.manual_seed(0)
    second = (torch.rand(3), torch.randn(2, 2), torch.randint(0, 10, (4,)))
    for a, b in zip(first, second, strict=True):
        assert a.tolist() == b.tolist()
    assert first[2].dtype == torch.int64 and 0 <= first[0].min().item() < 1
    assert str(type(torch.manual_seed(0))) == "<class 'torch._C.Generator'>"  # torch 2.13


def test_ragged_list_error() -> None:
    with pytest.raises(ValueError, match=r"expected sequence of length 2 at dim 1 \(got 1\)"):
        torch.tensor([[1, 2], [3]])


def test_shape_errors_use_torchs_messages() -> None:
    with pytest.raises(RuntimeError, match=re.escape(errors.BROADCAST.format(a=3, b=2, dim=1))):
        torch.ones(2, 3) + torch.ones(3, 2)
    with pytest.raises(RuntimeError, match=r"mat1 and mat2 shapes cannot be multiplied "
                                           r"\(2x3 and 2x3\)"):
        torch.ones(2, 3) @ torch.ones(2, 3)
    with pytest.raises(RuntimeError, match=r"shape '\[4, 2\]' is invalid for input of size 6"):
        torch.ones(2, 3).view(4, 2)
    with pytest.raises(IndexError, match=r"Dimension out of range \(expected to be in range of "
                                         r"\[-2, 1\], but got 2\)"):
        torch.ones(2, 3).sum(2)


def test_unsupported_operand_is_pythons_type_error() -> None:
    with pytest.raises(TypeError, match="unsupported operand type.*'Tensor' and 'str'"):
        torch.ones(2) + "a"


def test_views_share_memory_and_the_version_counter() -> None:
    x = torch.zeros(2, 3)
    row = x[0]
    row.add_(1)
    assert x.tolist() == [[1.0, 1.0, 1.0], [0.0, 0.0, 0.0]]
    assert x._version == 1 == row._version
    with pytest.raises(RuntimeError, match="view size is not compatible"):
        x.t().view(6)


def test_indexing_decomposes_like_torch() -> None:
    x = torch.arange(12.0).reshape(3, 4).requires_grad_()
    y = x[0, 1:]
    assert y.grad_fn.name() == "SliceBackward0"
    assert y.grad_fn.next_functions[0][0].name() == "SelectBackward0"
    assert x[x > 5].tolist() == [6.0, 7.0, 8.0, 9.0, 10.0, 11.0]
    assert x[torch.tensor([2, 0])][:, 0].tolist() == [8.0, 0.0]
    assert x[None].shape == (1, 3, 4)
    with pytest.raises(IndexError, match="index 5 is out of bounds for dimension 1 with size 4"):
        x[0, 5]


def test_setitem_on_a_non_leaf_records_copy_slices() -> None:
    x = torch.ones(3, requires_grad=True)
    y = x * 2
    y[0] = 0.0
    assert type(y.grad_fn).__name__ == "CopySlices"
    y.sum().backward()
    assert x.grad.tolist() == [0.0, 2.0, 2.0]


def _names_down_the_value_path(node) -> list[str]:
    names = []
    while node is not None:
        names.append(node.name())
        below = [n for n, _ in node.next_functions if n is not None]
        node = below[-1] if below else None
    return names


@pytest.mark.parametrize("index", [slice(None), Ellipsis, (slice(None), slice(0, 3)),
                                   slice(0, 2)])
def test_setitem_of_a_whole_tensor_with_a_0d_value_is_fill_backward3(index) -> None:
    t = torch.zeros(2, 3)
    w = torch.tensor(5.0, requires_grad=True)
    t[index] = w
    assert t.grad_fn.name() == "FillBackward3"
    t.sum().backward()
    assert w.grad.item() == 6.0


def test_setitem_of_a_whole_tensor_with_a_shaped_value_copies_an_expanded_view() -> None:
    t = torch.zeros(2, 3)
    w = torch.full((1, 3), 5.0, requires_grad=True)
    t[:] = w
    assert _names_down_the_value_path(t.grad_fn) == [
        "torch::autograd::CopyBackwards", "ExpandBackward0", "ViewBackward0",
        "torch::autograd::AccumulateGrad"]
    t.sum().backward()
    assert w.grad.tolist() == [[2.0, 2.0, 2.0]]


def test_setitem_of_part_of_a_tensor_stays_copy_slices_with_the_value_expanded() -> None:
    t = torch.zeros(2, 3)
    w = torch.tensor([5.0], requires_grad=True)
    t[1:] = w
    assert _names_down_the_value_path(t.grad_fn)[:2] == [
        "torch::autograd::CopySlices", "ExpandBackward0"]
    t.sum().backward()
    assert w.grad.tolist() == [3.0]


def test_fill_with_a_tensor_value_sends_the_summed_gradient_to_it() -> None:
    t = torch.zeros(2, 2)
    w = torch.tensor(2.0, requires_grad=True)
    t.fill_(w)
    assert t.grad_fn.name() == "FillBackward3" and t.tolist() == [[2.0, 2.0], [2.0, 2.0]]
    (t * 3).sum().backward()
    assert w.grad.item() == 12.0
    with pytest.raises(RuntimeError, match="fill_ only supports 0-dimension value tensor but got "
                                           "tensor with 1 dimensions."):
        t.fill_(torch.ones(2))


def test_max_with_dim_returns_named_values_and_indices() -> None:
    x = torch.tensor([[1.0, 5.0], [7.0, 2.0]])
    result = x.max(1)
    assert type(result).__name__ == "max"
    assert result.values.tolist() == [5.0, 7.0] and result.indices.tolist() == [1, 0]


def test_conversions_between_dtypes() -> None:
    x = torch.ones(2, requires_grad=True)
    assert x.float() is x
    d = x.double()
    assert d.dtype == torch.float64 and d.grad_fn.name() == "ToCopyBackward0"
    assert x.to(torch.float64).dtype == torch.float64
    assert torch.tensor([1.7]).int().dtype == torch.int32
    assert torch.tensor([1, 0]).bool().tolist() == [True, False]


def test_arange_with_a_fractional_step_has_torchs_fused_multiply_add_values() -> None:
    # torch: fma(step, i, start) in double per chunk of vectors; a plain start + i*step gives
    # 0.7000000000000001 here and misses 2.6000001430511475 for float32
    assert torch.arange(0.1, 1, 0.1, dtype=torch.float64).tolist()[6] == 0.7
    assert torch.arange(0, 3.3, 0.1).tolist()[-8:] == [
        2.5, 2.6000001430511475, 2.700000047683716, 2.8000001907348633, 2.9000000953674316,
        3.0, 3.1000001430511475, 3.200000047683716]


def test_dot_t_warnings_show_once_per_process_like_torchs_warn_once() -> None:
    errors.forget_warnings_once()
    v, s = torch.ones(3), torch.tensor(1.0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")  # even so: torch's TORCH_WARN_ONCE is not a filter
        seen = [v.T]
        seen.append(v.T)  # another line
        seen.append(s.T)
        for _ in range(2):
            seen += [s.T, v.T]
    messages = [str(w.message)[:24] for w in caught]
    assert messages == ["The use of `x.T` on tens", "Tensor.T is deprecated o"]


def test_dot_t_of_a_0d_tensor_is_the_identity_with_torchs_deprecation_warning() -> None:
    x = torch.tensor(3.5, requires_grad=True)
    errors.forget_warnings_once()
    # torch 2.13's text (TensorShape.cpp:4321)
    with pytest.warns(UserWarning, match=r"^Tensor\.T is deprecated on 0-D tensors\. This "
                      r"function is the identity in these cases\. \(Triggered internally"):
        y = x.T
    assert y.item() == 3.5 and y.grad_fn.name() == "PermuteBackward0"
