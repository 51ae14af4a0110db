"""Comparisons and logical results: bool dtype, no grad, broadcasting, Python truthiness."""

TOPIC = "compare"

CASES = [
    ("gt_scalar", "x = torch.tensor([1., 2., 3.], requires_grad=True)\nc = x > 1.5\n"
     "print(c, c.dtype, c.requires_grad, c.grad_fn)"),
    ("lt_tensor", "print(torch.tensor([1, 5]) < torch.tensor([2, 2]))"),
    ("ge_le", "t = torch.tensor([1., 2., 3.])\nprint(t >= 2, t <= 2)"),
    ("eq_ne", "t = torch.tensor([1, 2, 3])\nprint(t == 2, t != 2)"),
    ("eq_broadcast", "print(torch.tensor([[1], [2]]) == torch.tensor([1, 2]))"),
    ("compare_int_float", "print(torch.tensor([1, 2]) > 1.5)"),
    ("torch_gt_functions",
     "a = torch.tensor([1., 3.])\nb = torch.tensor([2., 2.])\n"
     "print(torch.gt(a, b), torch.lt(a, b), torch.eq(a, b))"),
    ("method_compare", "a = torch.tensor([1., 3.])\nprint(a.gt(2), a.lt(2), a.ge(3), a.le(1),"
     " a.eq(3), a.ne(3))"),
    ("compare_nan", "t = torch.tensor([float('nan'), 1.])\nprint(t == t, t != t)"),
    ("bool_of_one_element", "print(bool(torch.tensor([3.]) > 2), bool(torch.tensor(0.)))"),
    ("if_on_tensor", "t = torch.tensor(2.)\nif t > 1:\n    print('big')"),
    ("bool_ambiguous_error", "bool(torch.tensor([1., 2.]))"),
    ("if_ambiguous_error", "if torch.ones(2) > 0:\n    print('x')"),
    ("compare_shape_error", "torch.ones(3) > torch.ones(2)"),
    ("mask_sum_counts", "t = torch.tensor([1., -2., 3.])\nprint((t > 0).sum())"),
    ("bool_to_float", "print((torch.tensor([1., -2.]) > 0).float())"),
    ("float_of_tensor", "print(float(torch.tensor(2.5)), int(torch.tensor(3.9)))"),
    ("float_of_multi_error", "float(torch.ones(2))"),
    ("logical_not_bool", "print(~torch.tensor([True, False]))"),
    ("and_or_bool", "a = torch.tensor([True, False, True])\nb = torch.tensor([True, True, False])\n"
     "print(a & b, a | b)"),
    ("bool_of_empty_error", "bool(torch.tensor([]))"),
    ("python_builtins_on_tensors",
     "import math\nprint(round(torch.tensor(2.567), 2), round(torch.tensor([1.44, 2.55]), 1))\n"
     "print(abs(torch.tensor(-2.)), min(torch.tensor([3., 1.])), sorted(torch.tensor([3, 1, 2])))\n"
     "print(math.sqrt(torch.tensor(4.)), [1, 2, 3][torch.tensor(1)], divmod(7, torch.tensor(2)))"),
]
