"""Reductions (sum, mean, max, min with and without dim/keepdim) and matmul variants."""

TOPIC = "reduce"

_M = "m = torch.tensor([[1., 5., 3.], [4., 2., 6.]], requires_grad=True)"


def _grad_case(setup: str, expr: str, leaves: tuple[str, ...] = ("m",)) -> str:
    lines = [setup, f"y = {expr}", "print(y)", "print(y.grad_fn.name())", "y.sum().backward()"]
    lines += [f"print({leaf}.grad)" for leaf in leaves]
    return "\n".join(lines)


CASES = [
    ("sum_all", _grad_case(_M, "m.sum()")),
    ("torch_sum_all", _grad_case(_M, "torch.sum(m)")),
    ("sum_dim0", _grad_case(_M, "m.sum(0)")),
    ("sum_dim1", _grad_case(_M, "m.sum(dim=1)")),
    ("sum_dim_neg", _grad_case(_M, "m.sum(-1)")),
    ("sum_keepdim", _grad_case(_M, "m.sum(dim=1, keepdim=True)")),
    ("sum_keepdim_dim0", _grad_case(_M, "torch.sum(m, 0, keepdim=True)")),
    ("sum_tuple_dims", _grad_case(_M, "m.sum((0, 1))")),
    ("sum_3d_middle",
     _grad_case("m = torch.arange(24.).reshape(2, 3, 4).requires_grad_()", "m.sum(1)")),
    ("mean_all", _grad_case(_M, "m.mean()")),
    ("torch_mean_all", _grad_case(_M, "torch.mean(m)")),
    ("mean_dim0", _grad_case(_M, "m.mean(0)")),
    ("mean_dim1_keepdim", _grad_case(_M, "m.mean(dim=1, keepdim=True)")),
    ("mean_dim_neg", _grad_case(_M, "m.mean(-2)")),
    ("max_all", _grad_case(_M, "m.max()")),
    ("torch_max_all", _grad_case(_M, "torch.max(m)")),
    ("min_all", _grad_case(_M, "m.min()")),
    ("max_all_ties_grad",
     _grad_case("m = torch.tensor([3., 1., 3.], requires_grad=True)", "m.max()")),
    ("min_all_ties_grad",
     _grad_case("m = torch.tensor([1., 1., 3.], requires_grad=True)", "m.min()")),
    ("max_dim_values_indices",
     _M + "\nr = m.max(dim=1)\nprint(r)\nprint(r.values)\nprint(r.indices)\n"
     "print(r[0].grad_fn.name())\nr.values.sum().backward()\nprint(m.grad)"),
    ("max_dim0_tuple_unpack",
     _M + "\nv, i = m.max(0)\nprint(v)\nprint(i)\nprint(v.grad_fn.name())\n"
     "v.sum().backward()\nprint(m.grad)"),
    ("min_dim_keepdim",
     _M + "\nv, i = torch.min(m, dim=1, keepdim=True)\nprint(v)\nprint(i)\n"
     "print(v.grad_fn.name())\nv.sum().backward()\nprint(m.grad)"),
    ("max_dim_ties_first_index",
     "t = torch.tensor([[2., 2., 1.], [0., 5., 5.]])\nprint(t.max(1))\nprint(t.min(1))"),
    ("max_dim_result_type", "r = torch.ones(2, 2).max(0)\nprint(type(r).__name__, len(r))"),
    ("max_int_tensor", "print(torch.tensor([3, 7, 1]).max(), torch.tensor([3, 7, 1]).min())"),
    ("max_binary", _grad_case(
        "a = torch.tensor([1., 5.], requires_grad=True)\n"
        "b = torch.tensor([3., 2.], requires_grad=True)", "torch.max(a, b)", ("a", "b"))),
    ("sum_int_keepdim", "print(torch.tensor([[1, 2], [3, 4]]).sum(1, keepdim=True))"),
    ("mean_int_error", "torch.tensor([1, 2, 3]).mean()"),
    ("mean_int_dtype_arg", "print(torch.tensor([1, 2]).mean(dtype=torch.float32))"),
    ("sum_0d", _grad_case("m = torch.tensor(3., requires_grad=True)", "m.sum()")),
    ("sum_empty", "print(torch.ones(0).sum(), torch.ones(0, 3).sum(0))"),
    ("mean_empty_nan", "print(torch.ones(0).mean())"),
    ("sum_dim_out_of_range",
     "torch.ones(2, 3).sum(2)"),
    ("mm_2d", _grad_case(
        "a = torch.tensor([[1., 2.], [3., 4.]], requires_grad=True)\n"
        "b = torch.tensor([[0.5, -1.], [2., 1.]], requires_grad=True)", "a.mm(b)", ("a", "b"))),
    ("torch_mm", _grad_case(
        "a = torch.ones(2, 3, requires_grad=True)\n"
        "b = torch.arange(6.).reshape(3, 2).requires_grad_()", "torch.mm(a, b)", ("a", "b"))),
    ("matmul_operator", _grad_case(
        "a = torch.tensor([[1., 2., 3.]], requires_grad=True)\n"
        "b = torch.tensor([[1.], [0.], [-1.]], requires_grad=True)", "a @ b", ("a", "b"))),
    ("torch_matmul_2d", _grad_case(
        "a = torch.eye(2, requires_grad=True)\n"
        "b = torch.tensor([[1., 2.], [3., 4.]], requires_grad=True)", "torch.matmul(a, b)",
        ("a", "b"))),
    ("matmul_1d_1d_dot", _grad_case(
        "a = torch.tensor([1., 2., 3.], requires_grad=True)\n"
        "b = torch.tensor([4., 5., 6.], requires_grad=True)", "a @ b", ("a", "b"))),
    ("matmul_2d_1d_mv", _grad_case(
        "a = torch.tensor([[1., 2.], [3., 4.], [5., 6.]], requires_grad=True)\n"
        "b = torch.tensor([1., -1.], requires_grad=True)", "a @ b", ("a", "b"))),
    ("matmul_1d_2d", _grad_case(
        "a = torch.tensor([1., -1.], requires_grad=True)\n"
        "b = torch.tensor([[1., 2., 3.], [4., 5., 6.]], requires_grad=True)", "a @ b",
        ("a", "b"))),
    ("matmul_batched", _grad_case(
        "a = torch.ones(2, 2, 3, requires_grad=True)\n"
        "b = torch.ones(3, 2, requires_grad=True)", "torch.matmul(a, b)", ("a", "b"))),
    ("matmul_int", "print(torch.tensor([[1, 2], [3, 4]]) @ torch.tensor([[1], [1]]))"),
    ("dot_method", _grad_case(
        "a = torch.tensor([1., 2.], requires_grad=True)\n"
        "b = torch.tensor([3., 4.], requires_grad=True)", "a.dot(b)", ("a", "b"))),
    ("mm_shape_error", "torch.ones(2, 3) @ torch.ones(2, 3)"),
    ("mm_method_shape_error", "torch.ones(2, 3).mm(torch.ones(4, 1))"),
    ("matmul_1d_mismatch", "torch.ones(3) @ torch.ones(2)"),
    ("matmul_mv_mismatch", "torch.ones(2, 3) @ torch.ones(2)"),
    ("matmul_dtype_mismatch_error",
     "torch.ones(2, 2) @ torch.ones(2, 2, dtype=torch.float64)"),
    ("linear_layer_by_hand", _grad_case(
        "X = torch.tensor([[1., 2.], [3., 4.], [5., 6.]])\n"
        "W = torch.tensor([[0.1, 0.2], [0.3, 0.4]], requires_grad=True)\n"
        "b = torch.tensor([0.5, -0.5], requires_grad=True)", "X @ W.t() + b", ("W", "b"))),
    # Summation order shows when a sum should cancel to zero (torch prints 0., not -9.3e-10).
    ("sum_dim0_cancels_to_zero",
     "t = torch.tensor([[0.026, -0.012, 0.001], [0.01, -0.008, 0.01], [-0.013, -0.021, 0.013],\n"
     "                  [-0.006, 0.033, -0.035], [0.036, 0.008, -0.017]])\n"
     "print(t.sum(0))\nprint(t.mean(0))\nprint(t.t().sum(1))"),
    # float16 sums accumulate in float32 in torch, so they neither overflow nor drift.
    ("float16_sum_no_overflow",
     "t = torch.tensor([[30000., -20000.], [30000., -30000.], [-28672., 10000.]],"
     " dtype=torch.float16)\nprint(t.sum(0))\nprint(t.sum())\nprint(t.mean(1))"),
    ("float16_sum_precision",
     "t = torch.full((1000,), 0.1, dtype=torch.float16)\nprint(t.sum(), t.mean())"),
    ("sum_order_large_matrix_item_values",
     "t = (torch.arange(100000.).reshape(10000, 10) % 97) / 7\n"
     "print(t.sum(0).tolist())\ns = t.sum(1)\nprint(s[:4].tolist(), s[-4:].tolist())\n"
     "print(t.mean(0)[:3].tolist(), t.sum().item(), t.mean().item())"),
    ("sum_order_medium_matrix_item_values",
     "t = (torch.arange(600.).reshape(40, 15) % 13) / 3\n"
     "print(t.sum(0).tolist())\nprint(t.sum(1)[:5].tolist())\nprint(t.sum().item())"),
    # numpy habits torch accepts: axis= for dim= (a keyword sweep found these).
    ("axis_keyword_reductions",
     "x = torch.tensor([[1., 5., 3.], [4., 2., 6.]], requires_grad=True)\n"
     "print(x.sum(axis=0))\nprint(x.mean(axis=1))\nprint(torch.sum(x, axis=1))\n"
     "print(x.max(axis=0))\nprint(x.argmax(axis=0))"),
    ("axis_keyword_cat_stack",
     "x = torch.tensor([[1., 2.]])\nprint(torch.cat((x, x), axis=1))\n"
     "print(torch.stack([x, x], axis=0).shape)"),
    ("shape_keywords",
     "x = torch.arange(6.).reshape(2, 3)\nprint(x.reshape(shape=(3, 2)))\n"
     "print(x.view(size=(3, 2)).shape, x.permute(dims=(1, 0)).shape, "
     "x[:1].expand(size=(2, 2, 3)).shape)"),
    ("clamp_with_tensor_bound",
     "x = torch.tensor([[1., 5.], [4., 2.]], requires_grad=True)\n"
     "y = x.clamp(max=torch.tensor(3.))\n"
     "print(y)\ny.sum().backward()\nprint(x.grad)"),
    # Batched matmul (a shapes sweep found these).
    ("matmul_batched_graph",
     "a = torch.ones(2, 2, 3, requires_grad=True)\nb = torch.ones(2, 3, 2, requires_grad=True)\n"
     "y = a @ b\nprint(y.grad_fn.name(), [f.name() for f, _ in y.grad_fn.next_functions],"
     " y.grad_fn.next_functions[0][0].next_functions[0][0].name())"),
    ("matmul_batched_inner_mismatch_error", "torch.ones(2, 3, 2) @ torch.ones(1, 3, 2)"),
    ("matmul_broadcast_batch_inner_mismatch_error", "torch.ones(1, 3, 2) @ torch.ones(2, 1, 3)"),
    # Empty tensors (an empty-shapes x ops sweep found these).
    ("empty_max_dim_error", "torch.ones(0, 3).max(0)"),
    ("empty_argmax_error", "torch.ones(0).argmax()"),
    ("empty_softmax", "x = torch.ones(0, 3, requires_grad=True)\nprint(x.softmax(0))"),
    ("empty_view_minus_one_error", "torch.ones(0, 3).view(0, -1)"),
    # Small matmuls: torch accumulates over k in order, in float32, without fused multiply-add.
    ("small_matmul_item_values",
     "a = torch.tensor([[0.1, 0.7, -0.3], [1.9, -0.45, 0.33]])\n"
     "b = torch.tensor([[0.6, -1.1], [0.25, 0.8], [-0.9, 0.15]])\nprint((a @ b).tolist())\n"
     "print((a[0] @ b[:, 0]).item(), (a @ b[:, 1]).tolist())"),
    ("small_linear_layer_loss_item",
     "X = torch.tensor([[0.5, -1.2, 0.3], [1.1, 0.4, -0.7], [0.2, 0.9, 1.3], [-0.6, 0.1, 0.8]])\n"
     "W = torch.tensor([[0.1, -0.2, 0.3], [0.05, 0.4, -0.1]], requires_grad=True)\n"
     "y = X @ W.t()\nloss = (y ** 2).mean()\nprint(loss.item())\nloss.backward()\n"
     "print(W.grad.tolist())"),
]
