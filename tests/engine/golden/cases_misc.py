"""The everyday API tutorials touch next: cat, stack, where, clone, torch.Size, conversions."""

TOPIC = "misc"

_AB = ("a = torch.tensor([[1., 2.], [3., 4.]], requires_grad=True)\n"
       "b = torch.tensor([[5., 6.]], requires_grad=True)")


def _grad_case(setup: str, expr: str, leaves: tuple[str, ...]) -> str:
    lines = [setup, f"y = {expr}", "print(y)", "print(y.grad_fn.name())",
             "(y * torch.arange(1., y.numel() + 1).reshape(y.shape)).sum().backward()"]
    lines += [f"print({leaf}.grad)" for leaf in leaves]
    return "\n".join(lines)


CASES = [
    ("cat_dim0", _grad_case(_AB, "torch.cat([a, b])", ("a", "b"))),
    ("cat_dim1", _grad_case(
        "a = torch.ones(2, 1, requires_grad=True)\nb = torch.zeros(2, 2, requires_grad=True)",
        "torch.cat((a, b), dim=1)", ("a", "b"))),
    ("cat_with_constant", _grad_case(
        "a = torch.ones(2, requires_grad=True)", "torch.cat([a, torch.tensor([7.])])", ("a",))),
    ("cat_int", "print(torch.cat([torch.tensor([1, 2]), torch.tensor([3])]))"),
    ("cat_shape_error", "torch.cat([torch.ones(2, 2), torch.ones(2, 3)])"),
    ("stack_dim0", _grad_case(
        "a = torch.tensor([1., 2.], requires_grad=True)\n"
        "b = torch.tensor([3., 4.], requires_grad=True)", "torch.stack([a, b])", ("a", "b"))),
    ("stack_dim1", _grad_case(
        "a = torch.tensor([1., 2.], requires_grad=True)\n"
        "b = torch.tensor([3., 4.], requires_grad=True)", "torch.stack((a, b), dim=1)",
        ("a", "b"))),
    ("stack_shape_error", "torch.stack([torch.ones(2), torch.ones(3)])"),
    ("where_tensors", _grad_case(
        "a = torch.tensor([1., -2., 3.], requires_grad=True)\n"
        "b = torch.tensor([10., 20., 30.], requires_grad=True)", "torch.where(a > 0, a, b)",
        ("a", "b"))),
    ("where_scalar_other", _grad_case(
        "a = torch.tensor([1., -2., 3.], requires_grad=True)", "torch.where(a > 0, a, 0.)",
        ("a",))),
    ("where_broadcast", _grad_case(
        "a = torch.tensor([[1.], [-1.]], requires_grad=True)\n"
        "b = torch.tensor([5., 6., 7.], requires_grad=True)", "torch.where(a > 0, a, b)",
        ("a", "b"))),
    ("where_method", "t = torch.tensor([1., -1.])\nprint(t.where(t > 0, torch.tensor(0.)))"),
    ("where_int", "t = torch.tensor([1, -1, 2])\nprint(torch.where(t > 0, t, -t))"),
    ("clone", _grad_case("a = torch.tensor([1., 2.], requires_grad=True)", "a.clone()", ("a",))),
    ("torch_clone", _grad_case("a = torch.tensor([[1., 2.]], requires_grad=True)",
                               "torch.clone(a)", ("a",))),
    ("clone_independent_storage",
     "t = torch.zeros(2)\nc = t.clone()\nc[0] = 1.\nprint(t, c)"),
    ("clone_no_grad_tensor", "c = torch.ones(2).clone()\nprint(c, c.is_leaf, c.grad_fn)"),
    ("double_grad_fn", _grad_case("a = torch.tensor([1., 2.], requires_grad=True)",
                                  "a.double()", ("a",))),
    ("to_float64_grad_fn", _grad_case("a = torch.tensor([1., 2.], requires_grad=True)",
                                      "a.to(torch.float64)", ("a",))),
    ("float_from_double_grad",
     _grad_case("a = torch.tensor([1., 2.], dtype=torch.float64, requires_grad=True)",
                "a.float()", ("a",))),
    ("type_method_grad_fn", _grad_case("a = torch.tensor([1., 2.], requires_grad=True)",
                                       "a.type(torch.float64)", ("a",))),
    ("size_print", "print(torch.Size([3, 2]))\nprint(torch.ones(3, 2).shape)"),
    ("size_0d", "print(torch.tensor(1.).shape, torch.tensor(1.).size())"),
    ("size_tuple_semantics",
     "s = torch.ones(3, 2).shape\nprint(s == (3, 2), tuple(s), list(s), s[0], s[-1], len(s))\n"
     "print(isinstance(s, tuple), type(s))"),
    ("size_slice", "s = torch.ones(4, 3, 2).shape\nprint(s[1:], s[:1])"),
    ("size_numel", "print(torch.Size([3, 4]).numel())"),
    ("size_unpack", "r, c = torch.zeros(5, 7).shape\nprint(r * c)"),
    ("size_method_dim", "t = torch.ones(3, 2)\nprint(t.size(0), t.size(1), t.size(-1))"),
    ("size_construct_from_tensor_shape",
     "print(torch.zeros(torch.Size([2, 1])))\nprint(torch.ones(torch.ones(1, 2).shape))"),
    ("size_concat", "print(torch.Size([1]) + torch.Size([2]))"),
    ("device", "t = torch.ones(1)\nprint(t.device, str(t.device))"),
    ("repeat", _grad_case("a = torch.tensor([1., 2.], requires_grad=True)", "a.repeat(2, 2)",
                          ("a",))),
    ("prod", _grad_case("a = torch.tensor([1., 2., 3.], requires_grad=True)", "a.prod()",
                        ("a",))),
    ("reciprocal", _grad_case("a = torch.tensor([1., 2., 4.], requires_grad=True)",
                              "a.reciprocal()", ("a",))),
]
