"""Reading and writing by index: index_select, masked_select, take, nonzero/argwhere, unique,
scatter (and its reductions), index_add/copy/fill, in and out of place, with gradients and
torch's errors."""

TOPIC = "select_scatter"

_X = "x = torch.arange(12.).reshape(3, 4).requires_grad_()"


def _grad(setup: str, expr: str, weight: str = "torch.arange(1., 1. + y.numel()).reshape(y.shape)"
          ) -> str:
    return "\n".join([setup, f"y = {expr}", "print(y)", "print(y.grad_fn.name())",
                      f"(y * {weight}).sum().backward()", "print(x.grad)"])


CASES = [
    # ---------------------------------------------------------------- index_select
    ("index_select_rows", _grad(_X, "torch.index_select(x, 0, torch.tensor([2, 0, 2]))")),
    ("index_select_cols", _grad(_X, "x.index_select(1, torch.tensor([3, 1]))")),
    ("index_select_0d_index", _grad(_X, "x.index_select(-1, torch.tensor(1))")),
    ("index_select_int32_index", "x = torch.arange(6).reshape(2, 3)\n"
     "print(x.index_select(1, torch.tensor([0, 0], dtype=torch.int32)))"),
    ("index_select_scalar_input", "x = torch.tensor(5.)\n"
     "print(x.index_select(0, torch.tensor([0])), x.index_select(0, torch.tensor(0)))"),
    ("index_select_empty", "print(torch.ones(2, 0).index_select(0, torch.tensor([], "
     "dtype=torch.long)))"),
    ("index_select_saved", _X + "\ny = x.index_select(0, torch.tensor([2, 0]))\n"
     "print(y.grad_fn._saved_dim, y.grad_fn._saved_index)"),
    ("index_select_out_of_range", "torch.arange(12.).reshape(3, 4).index_select(0, "
     "torch.tensor([5]))"),
    ("index_select_negative_index", "torch.ones(3).index_select(0, torch.tensor([-1]))"),
    ("index_select_matrix_index", "torch.ones(3).index_select(0, torch.tensor([[0]]))"),
    ("index_select_float_index", "torch.ones(3).index_select(0, torch.tensor([0.]))"),
    ("index_select_bool_index", "torch.ones(3).index_select(0, torch.tensor([True]))"),
    ("index_select_bad_dim", "torch.ones(3, 4).index_select(2, torch.tensor([0]))"),
    ("index_select_list_index", "torch.index_select(torch.ones(3), 0, [0])"),
    ("index_select_scalar_two_indices", "torch.tensor(5.).index_select(0, torch.tensor([0, 0]))"),
    # ---------------------------------------------------------------- masked_select, take
    ("masked_select_grad", _grad(_X, "torch.masked_select(x, x > 4)")),
    ("masked_select_broadcast_mask", _grad(_X, "x.masked_select(torch.tensor([True, False, "
                                               "False, True]))")),
    ("masked_select_broadcast_input", "print(torch.tensor(3.).masked_select(torch.tensor("
     "[True, True])), torch.ones(2, 3).masked_select(torch.tensor([[True], [False]])))"),
    ("masked_select_int_mask", "torch.ones(3).masked_select(torch.tensor([1, 0, 1]))"),
    ("masked_select_float_mask", "torch.ones(3).masked_select(torch.tensor([1., 0, 1]))"),
    ("masked_select_wrong_shape", "torch.masked_select(torch.ones(3), torch.tensor([True, "
     "False]))"),
    ("take_grad", "x = torch.tensor([[4., 3, 5], [6, 7, 8]], requires_grad=True)\n"
     "y = x.take(torch.tensor([[0, 0], [-1, 2]]))\nprint(y, y.grad_fn.name())\n"
     "y.sum().backward()\nprint(x.grad)\n"
     "print(torch.take(torch.tensor([[4., 3, 5], [6, 7, 8]]), torch.tensor([0, 2, 5])))"),
    ("take_out_of_range", "torch.take(torch.ones(3), torch.tensor([3]))"),
    # ---------------------------------------------------------------- nonzero, argwhere
    ("nonzero_forms", "x = torch.tensor([[0, 1.], [2, 0]], requires_grad=True)\n"
     "print(torch.nonzero(x), x.nonzero(as_tuple=True), torch.argwhere(x))\n"
     "print(torch.tensor([1, 0, 3]).nonzero(), torch.tensor([True, False]).argwhere())"),
    ("nonzero_scalars", "print(torch.nonzero(torch.tensor(3)), torch.nonzero(torch.tensor(0), "
     "as_tuple=True), torch.argwhere(torch.tensor(1.)))"),
    ("nonzero_none", "print(torch.zeros(2, 3).nonzero(), torch.zeros(2, 3).nonzero("
     "as_tuple=True))"),
    # ---------------------------------------------------------------- unique
    ("unique_sorted", "x = torch.tensor([3, 1, 2, 3, 1, 1])\nprint(torch.unique(x))\n"
     "print(x.unique(return_counts=True))\nprint(torch.unique(x, return_inverse=True))\n"
     "print(torch.unique(x, sorted=True, return_inverse=True, return_counts=True))"),
    ("unique_floats_2d", "x = torch.tensor([[1.5, 0.], [0., 1.5]])\n"
     "print(x.unique(), x.unique(return_inverse=True)[1])"),
    ("unique_dim", "x = torch.tensor([[1, 2], [3, 4], [1, 2]])\n"
     "print(torch.unique(x, dim=0))\nprint(torch.unique(x, dim=0, return_inverse=True, "
     "return_counts=True))\nprint(torch.unique(x, dim=1))"),
    ("unique_bool", "print(torch.tensor([True, False, True]).unique())"),
    ("unique_consecutive", "x = torch.tensor([1, 1, 2, 2, 3, 1, 1, 2])\n"
     "print(torch.unique_consecutive(x))\n"
     "print(torch.unique_consecutive(x, return_inverse=True, return_counts=True))\n"
     "print(torch.tensor([[1, 1], [1, 1], [2, 3]]).unique_consecutive(dim=0))"),
    # ---------------------------------------------------------------- scatter
    ("scatter_src_grad", "src = torch.arange(1., 11.).reshape(2, 5).requires_grad_()\n"
     "x = torch.zeros(3, 5, requires_grad=True)\n"
     "index = torch.tensor([[0, 1, 2, 0, 0], [2, 0, 0, 1, 2]])\n"
     "y = x.scatter(0, index, src)\nprint(y, y.grad_fn.name())\n"
     "(y * torch.arange(15.).reshape(3, 5)).sum().backward()\nprint(x.grad, src.grad)"),
    ("scatter_src_smaller_index_backward_fails",
     "src = torch.arange(1., 11.).reshape(2, 5).requires_grad_()\n"
     "y = torch.zeros(3, 5).scatter(0, torch.tensor([[0, 1, 2, 0]]), src)\nprint(y)\n"
     "y.sum().backward()"),
    ("scatter_value_grad", _grad("x = torch.zeros(3, 5, requires_grad=True)",
                                 "x.scatter(1, torch.tensor([[0], [4], [2]]), 2.5)")),
    ("scatter_dim1_docstring", "print(torch.full((2, 4), 2.).scatter_(1, torch.tensor("
     "[[2], [3]]), 1.23, reduce='multiply'))\nprint(torch.full((2, 4), 2.).scatter_(1, "
     "torch.tensor([[2], [3]]), 1.23, reduce='add'))"),
    ("scatter_reduce_add_warns", "x = torch.zeros(3, 5)\n"
     "print(x.scatter_(0, torch.tensor([[0, 1, 2, 0]]), torch.ones(2, 5), reduce='add'))"),
    ("scatter_reduce_bad_name", "torch.zeros(3).scatter(0, torch.tensor([0]), 1., "
     "reduce='max')"),
    ("scatter_scalar_self", "print(torch.zeros(3).scatter(0, torch.tensor(0), 5.), "
     "torch.tensor(0.).scatter(0, torch.tensor([0]), 5.))"),
    ("scatter_empty_index", "print(torch.zeros(3).scatter(0, torch.tensor([], "
     "dtype=torch.long), 5.))"),
    ("scatter_int_self", "print(torch.zeros(3, dtype=torch.long).scatter(0, torch.tensor([0]), "
     "1.5), torch.zeros(2).scatter(0, torch.tensor([0]), True))"),
    ("scatter_out_of_bounds", "torch.zeros(3).scatter(0, torch.tensor([3]), 1.)"),
    ("scatter_negative_index", "torch.zeros(3).scatter(0, torch.tensor([-1]), 1.)"),
    ("scatter_float_index", "torch.zeros(3).scatter(0, torch.tensor([1.]), 1.)"),
    ("scatter_index_dims", "torch.zeros(3, 4).scatter(0, torch.tensor([1]), 1.)"),
    ("scatter_index_larger_than_src", "torch.zeros(3).scatter(0, torch.tensor([0, 1]), "
     "torch.ones(1))"),
    ("scatter_index_larger_than_self", "torch.zeros(3, 2).scatter(0, torch.tensor("
     "[[0, 0, 0]]), torch.ones(3, 3))"),
    ("scatter_src_fewer_dims", "torch.zeros(3, 2).scatter(0, torch.tensor([[0]]), "
     "torch.ones(1))"),
    ("scatter_dtype_mismatch", "torch.zeros(3).scatter(0, torch.tensor([0, 1]), torch.ones(2, "
     "dtype=torch.float64))"),
    ("scatter_inplace_leaf", "x = torch.zeros(3, requires_grad=True)\n"
     "x.scatter_(0, torch.tensor([0]), 1.)"),
    ("scatter_add_grad", "x = torch.zeros(3, 5, requires_grad=True)\n"
     "src = torch.ones(2, 5, requires_grad=True)\n"
     "index = torch.tensor([[0, 1, 2, 0, 0], [0, 0, 0, 0, 1]])\n"
     "y = x.scatter_add(0, index, src)\nprint(y, y.grad_fn.name())\n"
     "(y * torch.arange(15.).reshape(3, 5)).sum().backward()\nprint(x.grad, src.grad)"),
    ("scatter_add_dtype", "torch.zeros(3).scatter_add(0, torch.tensor([0, 1]), "
     "torch.ones(2, dtype=torch.long))"),
    ("scatter_add_int32_index", "print(torch.zeros(3).scatter_add(0, torch.tensor([0, 0], "
     "dtype=torch.int32), torch.ones(2)))"),
    ("scatter_add_inplace_chain", "x = torch.zeros(3, requires_grad=True).clone()\n"
     "x.scatter_(0, torch.tensor([0]), 1.)\nprint(x)\n"
     "x.scatter_add_(0, torch.tensor([1, 1]), torch.ones(2))\nprint(x)"),
    # ---------------------------------------------------------------- scatter_reduce
    ("scatter_reduce_forward", "src = torch.tensor([1., 2., 3., 4., 5., 6.])\n"
     "index = torch.tensor([0, 1, 0, 1, 2, 1])\ninput = torch.tensor([1., 2., 3., 4.])\n"
     "for r in ['sum', 'prod', 'mean', 'amax', 'amin']:\n"
     "    print(r, input.scatter_reduce(0, index, src, reduce=r))\n"
     "    print(r, input.scatter_reduce(0, index, src, reduce=r, include_self=False))"),
    ("scatter_reduce_max_alias", "print(torch.zeros(3).scatter_reduce(0, torch.tensor([0, 0]), "
     "torch.tensor([2., 5]), reduce='max'), torch.zeros(3).scatter_reduce(0, torch.tensor([0]), "
     "torch.tensor([-2.]), reduce='min'))"),
    ("scatter_reduce_int_mean", "print(torch.tensor([3, 5, 7]).scatter_reduce(0, torch.tensor("
     "[0, 0]), torch.tensor([2, 5]), reduce='mean', include_self=False))\n"
     "print(torch.tensor([-3, 5, 7]).scatter_reduce(0, torch.tensor([0, 0]), "
     "torch.tensor([-2, -6]), reduce='mean'))"),
    ("scatter_reduce_grads", "index = torch.tensor([0, 1, 0, 1, 2, 1])\n"
     "for r in ['sum', 'prod', 'mean', 'amax', 'amin']:\n"
     "    for include_self in (True, False):\n"
     "        src = torch.tensor([1., 2., 3., 4., 5., 6.], requires_grad=True)\n"
     "        x = torch.tensor([1., 2., 3., 4.], requires_grad=True)\n"
     "        y = x.scatter_reduce(0, index, src, r, include_self=include_self)\n"
     "        (y * torch.tensor([1., 2., 3., 4.])).sum().backward()\n"
     "        print(r, include_self, y.grad_fn.name(), x.grad, src.grad)"),
    ("scatter_reduce_ties_and_zeros", "index = torch.tensor([0, 0, 1, 1, 2])\n"
     "for r in ['prod', 'amax', 'amin']:\n"
     "    src = torch.tensor([2., 2., 0., 3., 0.], requires_grad=True)\n"
     "    x = torch.tensor([2., 0., 0.], requires_grad=True)\n"
     "    y = x.scatter_reduce(0, index, src, r)\n"
     "    y.sum().backward()\n"
     "    print(r, y, x.grad, src.grad)"),
    ("scatter_reduce_saved", "x = torch.ones(3, requires_grad=True)\n"
     "y = x.scatter_reduce(0, torch.tensor([0, 0]), torch.tensor([2., 3.], requires_grad=True),"
     " 'sum')\nprint(y.grad_fn._saved_reduce, y.grad_fn._saved_include_self, "
     "y.grad_fn._saved_dim)"),
    ("scatter_reduce_bad_reduction", "torch.zeros(3).scatter_reduce(0, torch.tensor([0, 0]), "
     "torch.tensor([2., 5]), reduce='add')"),
    ("scatter_reduce_dtype", "torch.zeros(3).scatter_reduce(0, torch.tensor([0]), "
     "torch.ones(1, dtype=torch.float64), 'sum')"),
    # ---------------------------------------------------------------- index_add/copy/fill
    ("index_add_grad", "x = torch.ones(5, 3, requires_grad=True)\n"
     "t = torch.tensor([[1, 2, 3], [4, 5, 6], [7, 8, 9]], dtype=torch.float, "
     "requires_grad=True)\ny = x.index_add(0, torch.tensor([0, 4, 2]), t, alpha=2)\n"
     "print(y, y.grad_fn.name())\n(y * y).sum().backward()\nprint(x.grad, t.grad)"),
    ("index_add_repeats", "x = torch.ones(5, 3)\n"
     "print(x.index_add_(0, torch.tensor([0, 0]), torch.ones(2, 3)))\n"
     "print(torch.zeros(3, dtype=torch.long).index_add(0, torch.tensor([0]), "
     "torch.ones(1, dtype=torch.long), alpha=2))"),
    ("index_add_errors", "for f in [lambda: torch.ones(5, 3).index_add_(0, torch.tensor([0, 7]),"
     " torch.ones(2, 3)),\n"
     "          lambda: torch.ones(5, 3).index_add_(0, torch.tensor([0, 1]), "
     "torch.ones(3, 3)),\n"
     "          lambda: torch.zeros(3).index_add(0, torch.tensor([0, 1]), torch.ones(2, "
     "dtype=torch.long)),\n"
     "          lambda: torch.zeros(3).index_add(0, torch.tensor([0., 1]), torch.ones(2)),\n"
     "          lambda: torch.zeros(3).index_add(0, torch.tensor([[0, 1]]), torch.ones(2)),\n"
     "          lambda: torch.zeros(3, 2).index_add(0, torch.tensor([0, 1]), "
     "torch.ones(2, 3)),\n"
     "          lambda: torch.zeros(3, 2).index_add(0, torch.tensor([0, 1]), torch.ones(2)),\n"
     "          lambda: torch.zeros(5, 3).index_add(0, torch.tensor([0, -1]), "
     "torch.ones(2, 3))]:\n"
     "    try:\n        f()\n    except Exception as e:\n        print(type(e).__name__, e)"),
    ("index_copy_fill_grad", "x = torch.ones(5, 3, requires_grad=True)\n"
     "y = x.index_fill(1, torch.tensor([0, 2]), -1.)\nprint(y, y.grad_fn.name())\n"
     "s = torch.arange(6.).reshape(2, 3).requires_grad_()\n"
     "z = x.index_copy(0, torch.tensor([4, 0]), s)\nprint(z, z.grad_fn.name())\n"
     "(y.sum() + (z * z).sum()).backward()\nprint(x.grad, s.grad)"),
    ("index_fill_tensor_value", "x = torch.ones(2, 3, requires_grad=True)\n"
     "v = torch.tensor(4., requires_grad=True)\n"
     "y = x.index_fill(1, torch.tensor([1, -1]), v)\nprint(y, y.grad_fn.name())\n"
     "y.sum().backward()\nprint(x.grad, v.grad)"),
    ("index_inplace_chain", "x = torch.ones(5, 3)\n"
     "x.index_add_(0, torch.tensor([0, 0]), torch.ones(2, 3))\n"
     "x.index_fill_(1, torch.tensor([0, 2]), -1)\n"
     "x.index_copy_(0, torch.tensor([4, 0]), torch.arange(6.).reshape(2, 3))\nprint(x)\n"
     "y = torch.zeros(3, requires_grad=True).clone()\n"
     "y.index_fill_(0, torch.tensor([2]), 5.)\nprint(y)\n"
     "y.index_add_(0, torch.tensor([2]), torch.ones(1))\nprint(y)"),
    ("index_copy_fill_errors", "for f in [\n"
     "        lambda: torch.zeros(5, 3).index_copy(0, torch.tensor([0, 1]), torch.ones(3, 3)),\n"
     "        lambda: torch.zeros(5, 3).index_copy(0, torch.tensor([0, 7]), torch.ones(2, 3)),\n"
     "        lambda: torch.zeros(5, 3).index_copy(0, torch.tensor([[0, 1]]), "
     "torch.ones(2, 3)),\n"
     "        lambda: torch.ones(5, 3).index_copy_(0, torch.tensor([0, 1]), torch.ones(2, 2)),\n"
     "        lambda: torch.zeros(3).index_copy(0, torch.tensor([0, 1]), torch.ones(2, "
     "dtype=torch.float64)),\n"
     "        lambda: torch.zeros(3).index_copy(0, torch.tensor([0, 1], dtype=torch.int32), "
     "torch.ones(2)),\n"
     "        lambda: torch.zeros(3).index_fill(0, torch.tensor([0, 1], dtype=torch.int32), "
     "2),\n"
     "        lambda: torch.zeros(3).index_fill(0, torch.tensor([0, 1]), torch.tensor([2.])),\n"
     "        lambda: torch.zeros(3).index_fill(0, torch.tensor([[0, 1]]), 2.),\n"
     "        lambda: torch.ones(5, 3).index_fill_(0, torch.tensor([0, 9]), 2),\n"
     "        lambda: torch.zeros(3).index_fill(0, torch.tensor([0]), 1+2j)]:\n"
     "    try:\n        f()\n    except Exception as e:\n        print(type(e).__name__, e)"),
    ("index_fill_negative", "print(torch.zeros(5, 3).index_fill(0, torch.tensor([0, -1]), "
     "1.))"),
]
