"""Indexing and slicing (int, slice, None, bool mask, int tensor, lists) and item assignment."""

TOPIC = "indexing"

_M = "m = torch.tensor([[1., 2., 3.], [4., 5., 6.]], requires_grad=True)"
_V = "m = torch.tensor([10., 20., 30., 40.], requires_grad=True)"


def _grad_case(setup: str, expr: str) -> str:
    return "\n".join([
        setup, f"y = {expr}", "print(y)", "print(y.grad_fn.name())",
        "(y * 2).sum().backward()", "print(m.grad)",
    ])


CASES = [
    ("int_row", _grad_case(_M, "m[0]")),
    ("int_negative", _grad_case(_V, "m[-1]")),
    ("int_pair_0d", _grad_case(_M, "m[1, 2]")),
    ("column", _grad_case(_M, "m[:, 0]")),
    ("slice_rows", _grad_case(_M, "m[0:1]")),
    ("slice_cols", _grad_case(_M, "m[:, 1:]")),
    ("slice_1d", _grad_case(_V, "m[1:]")),
    ("slice_step", _grad_case(_V, "m[::2]")),
    ("slice_negative", _grad_case(_V, "m[-3:-1]")),
    ("slice_empty", "m = torch.tensor([1., 2.])\nprint(m[2:], m[5:9])"),
    ("full_slices_alias_or_slice",
     "x = torch.ones(2, 3, requires_grad=True)\nv = torch.ones(3, requires_grad=True)\n"
     "for y in [x[:], x[:, 0:], x[:, :3], x[:, :], x[...], x[0:2], v[:], v[0:], v[::1]]:\n"
     "    print(y.grad_fn.name(), tuple(y.shape))"),
    ("none_front", _grad_case(_M, "m[None]")),
    ("none_middle", "m = torch.ones(2, 3)\nprint(m[:, None].shape, m[None, :, None].shape)"),
    ("ellipsis", "m = torch.arange(24).reshape(2, 3, 4)\nprint(m[..., 0])\nprint(m[0, ...].shape)"),
    ("bool_mask", _grad_case(_M, "m[m > 2]")),
    ("bool_mask_1d", _grad_case(_V, "m[torch.tensor([True, False, True, False])]")),
    ("bool_mask_none_true", "m = torch.ones(3)\nprint(m[m > 5])"),
    ("int_tensor_index", _grad_case(_V, "m[torch.tensor([3, 0, 0])]")),
    ("list_index", _grad_case(_M, "m[[0, 1]]")),
    ("int_tensor_index_2d", _grad_case(_M, "m[torch.tensor([1, 1])]")),
    ("mixed_int_slice", _grad_case(_M, "m[1, :2]")),
    ("index_result_values_int", "t = torch.arange(10)\nprint(t[t % 2 == 0])\nprint(t[[1, 3]])"),
    ("index_out_of_range", "torch.ones(3)[3]"),
    ("index_2d_out_of_range", "torch.ones(2, 3)[0, 5]"),
    ("too_many_indices", "torch.ones(3)[0, 0]"),
    ("setitem_int", "t = torch.zeros(3)\nt[1] = 5.\nprint(t)"),
    ("setitem_slice", "t = torch.zeros(2, 3)\nt[:, 1:] = 2\nprint(t)"),
    ("setitem_mask", "t = torch.tensor([1., -2., 3., -4.])\nt[t < 0] = 0\nprint(t)"),
    ("setitem_tensor_value", "t = torch.zeros(2, 2)\nt[0] = torch.tensor([1., 2.])\nprint(t)"),
    ("setitem_int_tensor_float_value_truncates",
     "t = torch.zeros(3, dtype=torch.int64)\nt[0] = 2.7\nprint(t)"),
    ("setitem_leaf_requires_grad_error",
     "x = torch.ones(3, requires_grad=True)\nx[0] = 5."),
    ("setitem_leaf_under_no_grad",
     "x = torch.ones(3, requires_grad=True)\nwith torch.no_grad():\n    x[0] = 5.\nprint(x)"),
    ("setitem_nonleaf_tracks_grad",
     "x = torch.ones(3, requires_grad=True)\ny = x * 2\ny[0] = 0.\nprint(y)\n"
     "y.sum().backward()\nprint(x.grad)"),
    ("setitem_nonleaf_copyslices",
     "x = torch.ones(2, 3, requires_grad=True)\ny = x * 2\ny[0] = 5.\nprint(y)\n"
     "print(y.grad_fn.name())\nprint([f.name() if f else None for f, _ in "
     "y.grad_fn.next_functions])\ny.sum().backward()\nprint(x.grad)"),
    ("setitem_augmented_on_column",
     "x = torch.ones(2, 3, requires_grad=True)\ny = x * 2\ny[:, 0] += 1\nprint(y)\n"
     "(y * y).sum().backward()\nprint(x.grad)"),
    ("inplace_on_row_view",
     "x = torch.ones(2, 3, requires_grad=True)\ny = x * 2\ny[0].mul_(3)\nprint(y)\n"
     "y.sum().backward()\nprint(x.grad)"),
    ("setitem_with_tensor_requiring_grad",
     "x = torch.zeros(3)\nw = torch.tensor(2., requires_grad=True)\nx[1] = w * 3\nprint(x)\n"
     "x.sum().backward()\nprint(w.grad)"),
    ("inplace_on_view_of_leaf_error",
     "x = torch.ones(2, 3, requires_grad=True)\nx[0].mul_(2)"),
    ("inplace_on_reshaped_nonleaf",
     "x = torch.ones(2, 2, requires_grad=True)\ny = x * 1\nv = y.view(4)\nv.add_(1)\n"
     "print(y)\n(y * y).sum().backward()\nprint(x.grad)"),
    ("setitem_through_data_of_leaf",
     "x = torch.ones(3, requires_grad=True)\nx.data[0] = 7.\nprint(x)"),
    ("setitem_bumps_version",
     "t = torch.zeros(2)\nprint(t._version)\nt[0] = 1.\nprint(t._version)"),
    ("iterate_rows", "for row in torch.tensor([[1, 2], [3, 4]]):\n    print(row)"),
    ("len_of_tensor", "print(len(torch.ones(4, 2)))"),
    ("len_of_0d_error", "len(torch.tensor(1.))"),
    ("index_0d_error", "torch.tensor(1.)[0]"),
    # Found by an exhaustive index sweep (shapes x index kinds).
    ("nested_list_index_is_a_tuple",
     "x = torch.arange(6.).reshape(2, 3)\nprint(x[[[0, 1]]])\nprint(torch.arange(3.)[[[0, 1]]])"),
    ("float_index_error", "torch.ones(3)[1.0]"),
    ("float_tensor_index_error", "torch.ones(3)[torch.tensor(0.)]"),
    ("mask_shape_mismatch_error", "torch.ones(1, 3)[torch.tensor([True, False])]"),
    ("zero_d_index_one_error", "torch.tensor(5.)[1]"),
    ("zero_d_index_minus_one_error", "torch.tensor(5.)[-1]"),
    ("zero_d_list_index_error", "torch.tensor(5.)[[0, 1]]"),
    ("zero_d_none_then_int_error", "torch.tensor(5.)[None, 0]"),
    ("zero_d_mask",
     "x = torch.tensor(1., requires_grad=True)\ny = x[x > 2]\nprint(y, y.shape)\n"
     "(y * 2).sum().backward()\nprint(x.grad)\nprint(x[x > 0])"),
    # Item assignment mistakes (an exhaustive setitem sweep found these).
    ("setitem_out_of_range_error", "t = torch.zeros(3)\nt[5] = 1."),
    ("setitem_2d_out_of_range_error", "t = torch.zeros(2, 3)\nt[0, 5] = 1."),
    ("setitem_too_many_indices_error", "t = torch.zeros(3)\nt[:, 0] = 1."),
    ("setitem_list_value_error", "t = torch.zeros(3)\nt[:] = [1., 2., 3.]"),
    ("setitem_vector_into_element_error", "t = torch.zeros(3)\nt[0] = torch.tensor([1., 2.])"),
    ("setitem_index_list_shape_error",
     "t = torch.zeros(3)\nt[[0, 1]] = torch.tensor([1., 2., 3.])"),
    ("setitem_index_list_dtype_error",
     "t = torch.zeros(2, 3)\nt[[0, 1]] = torch.tensor([1, 2, 3])"),
    ("setitem_scalar_tensor_requiring_grad",
     "t = torch.zeros(2, 3)\nw = torch.tensor(5., requires_grad=True)\nt[:] = w\nprint(t)\n"
     "t.sum().backward()\nprint(w.grad)"),
]
