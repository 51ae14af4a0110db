"""Views and shape ops: reshape/view, t/T/transpose/permute, squeeze/unsqueeze, expand, flatten."""

TOPIC = "views"

_M = "m = torch.tensor([[1., 2., 3.], [4., 5., 6.]], requires_grad=True)"


def _grad_case(setup: str, expr: str, leaves: tuple[str, ...] = ("m",), weight: str = "") -> str:
    # A non-uniform upstream gradient proves the gradient is routed back to the right elements.
    lines = [setup, f"y = {expr}", "print(y)", "print(y.shape)", "print(y.grad_fn.name())"]
    if weight:
        lines.append(f"(y * {weight}).sum().backward()")
    else:
        lines.append("(y * torch.arange(1., y.numel() + 1).reshape(y.shape)).sum().backward()")
    lines += [f"print({leaf}.grad)" for leaf in leaves]
    return "\n".join(lines)


CASES = [
    ("view_flat", _grad_case(_M, "m.view(6)")),
    ("view_minus_one", _grad_case(_M, "m.view(-1)")),
    ("view_3_2", _grad_case(_M, "m.view(3, 2)")),
    ("view_tuple", _grad_case(_M, "m.view((3, -1))")),
    ("reshape_contiguous", _grad_case(_M, "m.reshape(3, 2)")),
    ("reshape_tuple", _grad_case(_M, "m.reshape((1, 6))")),
    ("torch_reshape", _grad_case(_M, "torch.reshape(m, (6,))")),
    ("reshape_non_contiguous", _grad_case(_M, "m.t().reshape(6)")),
    ("flatten", _grad_case(_M, "m.flatten()")),
    ("torch_flatten_3d",
     _grad_case("m = torch.ones(2, 2, 2, requires_grad=True)", "torch.flatten(m, 1)")),
    ("t_method", _grad_case(_M, "m.t()")),
    ("T_property", _grad_case(_M, "m.T")),
    ("torch_t", _grad_case(_M, "torch.t(m)")),
    ("transpose", _grad_case(_M, "m.transpose(0, 1)")),
    ("torch_transpose_3d",
     _grad_case("m = torch.arange(8.).reshape(2, 2, 2).requires_grad_()",
                "torch.transpose(m, 0, 2)")),
    ("permute", _grad_case(_M, "m.permute(1, 0)")),
    ("permute_3d",
     _grad_case("m = torch.arange(24.).reshape(2, 3, 4).requires_grad_()",
                "m.permute(2, 0, 1)")),
    ("permute_tuple", _grad_case(_M, "torch.permute(m, (1, 0))")),
    ("unsqueeze0", _grad_case(_M, "m.unsqueeze(0)")),
    ("unsqueeze_last", _grad_case(_M, "m.unsqueeze(-1)")),
    ("torch_unsqueeze", _grad_case(_M, "torch.unsqueeze(m, 1)")),
    ("squeeze_all",
     _grad_case("m = torch.ones(1, 3, 1, requires_grad=True)", "m.squeeze()")),
    ("squeeze_dim",
     _grad_case("m = torch.ones(1, 3, 1, requires_grad=True)", "m.squeeze(0)")),
    ("squeeze_dim_not_one",
     _grad_case("m = torch.ones(2, 3, requires_grad=True)", "m.squeeze(0)")),
    ("expand",
     _grad_case("m = torch.tensor([[1.], [2.]], requires_grad=True)", "m.expand(2, 3)")),
    ("expand_minus_one",
     _grad_case("m = torch.tensor([[1.], [2.]], requires_grad=True)", "m.expand(-1, 4)")),
    ("expand_new_dim",
     _grad_case("m = torch.tensor([1., 2.], requires_grad=True)", "m.expand(3, 2)")),
    ("expand_as",
     _grad_case("m = torch.tensor([[1.], [2.]], requires_grad=True)",
                "m.expand_as(torch.ones(2, 2))")),
    ("view_invalid_shape", "torch.ones(2, 3).view(4, 2)"),
    ("reshape_invalid_shape", "torch.ones(6).reshape(4, -1)"),
    ("view_non_contiguous_error", "torch.ones(2, 3).t().view(6)"),
    ("expand_invalid",
     "torch.ones(2, 3).expand(3, 3)"),
    ("size_and_shape_after_views",
     "t = torch.ones(2, 3, 4)\nprint(t.permute(2, 0, 1).shape, t.transpose(0, 2).size())\n"
     "print(t.view(-1, 4).shape, t.unsqueeze(1).shape, t[None].shape)"),
    ("view_shares_storage",
     "t = torch.zeros(2, 2)\nv = t.view(4)\nv[0] = 1.\nprint(t)"),
    ("t_of_1d", "print(torch.tensor([1., 2.]).t())"),
    ("is_contiguous",
     "t = torch.ones(2, 3)\nprint(t.is_contiguous(), t.t().is_contiguous(),"
     " t.t().contiguous().is_contiguous())"),
    ("contiguous_returns_self_when_contiguous",
     "x = torch.ones(2, requires_grad=True)\nprint(x.contiguous() is x)"),
]
