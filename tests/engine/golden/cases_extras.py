"""Ops beyond the issue's list that the engine offers anyway: offered means exact, so their
values, grad_fn names and gradients are pinned like the rest."""

TOPIC = "extras"


def _grad_case(expr: str) -> str:
    return (
        "x = torch.tensor([[1., -2., 3.], [0.5, 0., -1.]], requires_grad=True)\n"
        f"y = {expr}\nprint(y)\nprint(y.grad_fn.name())\n"
        "(y * torch.arange(1., y.numel() + 1).reshape(y.shape)).sum().backward()\nprint(x.grad)"
    )


CASES = [
    ("cumsum", _grad_case("x.cumsum(1)")),
    ("masked_fill", _grad_case("x.masked_fill(x > 0, 0.)")),
    ("gather", _grad_case("x.gather(1, torch.tensor([[0], [2]]))")),
    ("topk_values",
     "x = torch.tensor([[1., -2., 3.], [0.5, 0., -1.]], requires_grad=True)\nr = x.topk(2)\n"
     "print(r)\nprint(r.values.grad_fn.name())\nr.values.sum().backward()\nprint(x.grad)"),
    ("argmax_argmin", "x = torch.tensor([[1., -2., 3.], [0.5, 0., -1.]])\n"
     "print(x.argmax(), x.argmax(1), x.argmin(0), torch.argmax(x, dim=1, keepdim=True))"),
    ("std_var", _grad_case("x.std(1)") + "\nprint(x.var(), x.std(unbiased=False))"),
    ("sign_floor_ceil_round",
     "x = torch.tensor([-1.5, -0.5, 0., 0.5, 1.5, 2.5])\n"
     "print(x.sign(), x.floor(), x.ceil(), x.round(), sep='\\n')"),
    ("maximum_minimum", "a = torch.tensor([1., 5.], requires_grad=True)\n"
     "b = torch.tensor([3., 2.], requires_grad=True)\n"
     "y = torch.maximum(a, b)\nz = torch.minimum(a, b)\n"
     "print(y, z)\n(y + 2 * z).sum().backward()\nprint(a.grad, b.grad)"),
    ("any_all", "v = torch.tensor([3, 1, 2])\nprint((v > 1).any(), (v > 1).all(), (v > 0).all())"),
    ("chunk_split_unbind", "x = torch.arange(6.).reshape(2, 3)\n"
     "print(x.chunk(3, 1))\nprint(x.split(1))\nprint(x.unbind(0))"),
    ("new_factories", "x = torch.ones(2, dtype=torch.float64)\n"
     "print(x.new_ones(2), x.new_zeros((1, 2)), x.new_tensor([1, 2]), sep='\\n')"),
    ("fill_", "print(torch.zeros(3).fill_(2), torch.zeros(2, dtype=torch.int64).fill_(7))"),
    ("log1p_rsqrt", _grad_case("(x.abs() + 1).log1p()") + "\nprint(torch.tensor([4.]).rsqrt())"),
    ("sort_values_indices_grad",
     "x = torch.tensor([[3., 1., 2.], [0.5, -1., 0.5]], requires_grad=True)\nr = x.sort()\n"
     "print(r)\nprint(type(r), r.values.grad_fn.name())\n"
     "(r.values * torch.arange(6.).reshape(2, 3)).sum().backward()\nprint(x.grad)"),
    ("sort_descending_dim0_grad",
     "x = torch.tensor([[3., 1., 2.], [0.5, -1., 0.5]], requires_grad=True)\n"
     "v, i = torch.sort(x, dim=0, descending=True)\nprint(v, i, sep='\\n')\n"
     "(v * torch.tensor([[1., 2., 3.], [4., 5., 6.]])).sum().backward()\nprint(x.grad)"),
    ("sort_ties_and_nan",
     "x = torch.tensor([2., float('nan'), 1., 2., -0., 0., float('-inf'), 1.])\n"
     "print(x.sort())\nprint(x.sort(descending=True))\n"
     "print(torch.argsort(x), x.argsort(descending=True), sep='\\n')"),
    ("sort_integers_bool_scalar",
     "print(torch.tensor([3, 1, 2, 1]).sort(stable=True))\n"
     "print(torch.tensor([True, False, True]).sort(descending=True))\n"
     "s = torch.tensor(5., requires_grad=True).sort()\nprint(s)\ns.values.backward()\n"
     "print(torch.tensor([[2, 1], [0, 3]]).msort())"),
    ("sort_bad_dim", "torch.ones(2, 3).sort(dim=2)"),
    ("dropout_deterministic_edges",
     "x = torch.ones(4, requires_grad=True)\ny = F.dropout(x, 1.)\nprint(y)\n"
     "print(y.grad_fn.name(), y.grad_fn.next_functions[1])\n"
     "print(F.dropout(x, 0.) is x, F.dropout(x, 0.5, training=False) is x)\n"
     "z = torch.ones(3)\nprint(F.dropout(z, 1., inplace=True), z)\n"
     "y.sum().backward()\nprint(x.grad)"),
    ("dropout_bad_probability", "F.dropout(torch.ones(2), 1.5)"),
    ("dropout_inplace_on_leaf",
     "F.dropout(torch.ones(4, requires_grad=True), 0.5, inplace=True)"),
]
