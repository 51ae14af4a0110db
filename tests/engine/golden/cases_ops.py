"""Element-wise ops: values, grad_fn names, gradients; operand orders, scalars, broadcasting.

Each case builds leaves that require grad, prints the result, its ``grad_fn.name()``, then runs a
backward of ``.sum()`` and prints every leaf's gradient (broadcast gradients summed back).
"""

TOPIC = "ops"


def _grad_case(setup: str, expr: str, leaves: tuple[str, ...]) -> str:
    lines = [setup, f"y = {expr}", "print(y)", "print(y.grad_fn.name())", "y.sum().backward()"]
    lines += [f"print({leaf}.grad)" for leaf in leaves]
    return "\n".join(lines)


_X = "x = torch.tensor([0.5, 1.0, 2.0], requires_grad=True)"
_XW = _X + "\nw = torch.tensor([2.0, -1.0, 4.0], requires_grad=True)"
_POS = "x = torch.tensor([0.25, 1.0, 4.0], requires_grad=True)"
_MIXED = "x = torch.tensor([-2.0, -0.5, 0.5, 3.0], requires_grad=True)"

_BINARY = {"add": "+", "sub": "-", "mul": "*", "div": "/", "pow": "**"}

CASES: list[tuple[str, str]] = []

for _name, _op in _BINARY.items():
    CASES += [
        (f"{_name}_tensor_tensor", _grad_case(_XW, f"x {_op} w", ("x", "w"))),
        (f"{_name}_tensor_tensor_swapped", _grad_case(_XW, f"w {_op} x", ("x", "w"))),
        (f"{_name}_tensor_int", _grad_case(_X, f"x {_op} 2", ("x",))),
        (f"{_name}_int_tensor", _grad_case(_X, f"2 {_op} x", ("x",))),
        (f"{_name}_tensor_float", _grad_case(_X, f"x {_op} 0.5", ("x",))),
        (f"{_name}_float_tensor", _grad_case(_X, f"1.5 {_op} x", ("x",))),
        (
            f"{_name}_broadcast_col_row",
            _grad_case(
                "a = torch.tensor([[1.], [2.], [3.]], requires_grad=True)\n"
                "b = torch.tensor([[0.5, 2.]], requires_grad=True)",
                f"a {_op} b",
                ("a", "b"),
            ),
        ),
        (
            f"{_name}_broadcast_matrix_vector",
            _grad_case(
                "a = torch.tensor([[1., 2., 3.], [4., 5., 6.]], requires_grad=True)\n"
                "b = torch.tensor([1., 2., 0.5], requires_grad=True)",
                f"a {_op} b",
                ("a", "b"),
            ),
        ),
        (
            f"{_name}_broadcast_0d",
            _grad_case(
                "a = torch.tensor([1., 2., 3.], requires_grad=True)\n"
                "b = torch.tensor(2., requires_grad=True)",
                f"b {_op} a",
                ("a", "b"),
            ),
        ),
        (
            f"{_name}_one_side_no_grad",
            _grad_case(_X + "\nc = torch.tensor([3., 3., 3.])", f"c {_op} x", ("x",)),
        ),
    ]

CASES += [
    ("torch_add", _grad_case(_XW, "torch.add(x, w)", ("x", "w"))),
    ("torch_add_alpha", _grad_case(_XW, "torch.add(x, w, alpha=2)", ("x", "w"))),
    ("method_add_scalar", _grad_case(_X, "x.add(1)", ("x",))),
    ("torch_sub", _grad_case(_XW, "torch.sub(x, w)", ("x", "w"))),
    ("torch_rsub", _grad_case(_XW, "torch.rsub(x, w)", ("x", "w"))),
    ("torch_mul", _grad_case(_XW, "torch.mul(x, w)", ("x", "w"))),
    ("method_mul", _grad_case(_XW, "x.mul(w)", ("x", "w"))),
    ("torch_div", _grad_case(_XW, "torch.div(x, w)", ("x", "w"))),
    ("method_div_scalar", _grad_case(_X, "x.div(4)", ("x",))),
    ("reciprocal_via_one_over", _grad_case(_X, "1 / x", ("x",))),
    ("method_pow", _grad_case(_X, "x.pow(3)", ("x",))),
    ("torch_pow", _grad_case(_X, "torch.pow(x, 2)", ("x",))),
    ("pow_half", _grad_case(_POS, "x ** 0.5", ("x",))),
    ("pow_negative", _grad_case(_POS, "x ** -1", ("x",))),
    ("pow_zero", _grad_case(_X, "x ** 0", ("x",))),
    ("square", _grad_case(_X, "x.square()", ("x",))),
    ("neg_operator", _grad_case(_X, "-x", ("x",))),
    ("neg_method", _grad_case(_X, "x.neg()", ("x",))),
    ("torch_neg", _grad_case(_X, "torch.neg(x)", ("x",))),
    ("abs", _grad_case(_MIXED, "x.abs()", ("x",))),
    ("torch_abs", _grad_case(_MIXED, "torch.abs(x)", ("x",))),
    ("exp", _grad_case(_X, "x.exp()", ("x",))),
    ("torch_exp", _grad_case(_MIXED, "torch.exp(x)", ("x",))),
    ("log", _grad_case(_POS, "x.log()", ("x",))),
    ("torch_log", _grad_case(_X, "torch.log(x)", ("x",))),
    ("sqrt", _grad_case(_POS, "x.sqrt()", ("x",))),
    ("torch_sqrt", _grad_case(_POS, "torch.sqrt(x)", ("x",))),
    ("sin", _grad_case(_X, "x.sin()", ("x",))),
    ("torch_sin", _grad_case(_MIXED, "torch.sin(x)", ("x",))),
    ("cos", _grad_case(_X, "x.cos()", ("x",))),
    ("torch_cos", _grad_case(_MIXED, "torch.cos(x)", ("x",))),
    ("tanh", _grad_case(_MIXED, "x.tanh()", ("x",))),
    ("torch_tanh", _grad_case(_X, "torch.tanh(x)", ("x",))),
    ("sigmoid", _grad_case(_MIXED, "x.sigmoid()", ("x",))),
    ("torch_sigmoid", _grad_case(_X, "torch.sigmoid(x)", ("x",))),
    ("relu_method", _grad_case(_MIXED, "x.relu()", ("x",))),
    ("torch_relu", _grad_case(_MIXED, "torch.relu(x)", ("x",))),
    ("clamp_min", _grad_case(_MIXED, "x.clamp(min=0)", ("x",))),
    ("clamp_max", _grad_case(_MIXED, "x.clamp(max=1)", ("x",))),
    ("clamp_both", _grad_case(_MIXED, "x.clamp(-1, 1)", ("x",))),
    ("torch_clamp", _grad_case(_MIXED, "torch.clamp(x, min=-1.0, max=2.0)", ("x",))),
    ("clamp_int_tensor", "print(torch.tensor([-3, 0, 5]).clamp(min=0))"),
    ("abs_int_tensor", "print(torch.tensor([-3, 0, 5]).abs())"),
    ("neg_int_tensor", "print(-torch.tensor([1, -2]))"),
    ("exp_int_tensor_is_float", "t = torch.tensor([0, 1]).exp()\nprint(t, t.dtype)"),
    ("sqrt_negative_is_nan", "print(torch.tensor([-1., 4.]).sqrt())"),
    ("log_zero_is_minus_inf", "print(torch.tensor([0., 1.]).log())"),
    ("div_by_zero_inf_grad",
     _grad_case("x = torch.tensor([0., 2.], requires_grad=True)", "1 / x", ("x",))),
    ("zero_over_zero_nan",
     _grad_case("x = torch.tensor([0., 1.], requires_grad=True)", "x / x", ("x",))),
    ("relu_at_zero_grad",
     _grad_case("x = torch.tensor([0., 1.], requires_grad=True)", "x.relu()", ("x",))),
    ("abs_at_zero_grad",
     _grad_case("x = torch.tensor([0., -1.], requires_grad=True)", "x.abs()", ("x",))),
    ("clamp_at_boundary_grad",
     _grad_case("x = torch.tensor([0., 1.], requires_grad=True)", "x.clamp(min=0, max=1)",
                ("x",))),
    ("sqrt_at_zero_grad",
     _grad_case("x = torch.tensor([0., 4.], requires_grad=True)", "x.sqrt()", ("x",))),
    ("chain_notebook",
     _grad_case("x = torch.ones(2, requires_grad=True)", "5 * (x + 1) ** 2", ("x",))),
    ("chain_exp_of_square",
     _grad_case(_X, "(x * x).exp()", ("x",))),
    ("chain_same_leaf_twice", _grad_case(_X, "x * x + x", ("x",))),
    ("chain_shared_intermediate",
     _grad_case(_X + "\nh = x * 2", "h * h + h", ("x",))),
    ("chain_two_leaves_deep",
     _grad_case(_XW, "((x * w).sigmoid() + w.tanh()) / 3", ("x", "w"))),
    ("float64_ops",
     _grad_case("x = torch.tensor([0.1, 0.2], dtype=torch.float64, requires_grad=True)",
                "x.exp() * 3", ("x",))),
    ("float64_with_float32_promotes_grad_dtypes",
     _grad_case("x = torch.tensor([1., 2.], dtype=torch.float64, requires_grad=True)\n"
                "w = torch.tensor([3., 4.], requires_grad=True)", "x * w", ("x", "w"))),
    ("int_tensor_times_leaf",
     _grad_case(_X + "\nk = torch.tensor([1, 2, 3])", "k * x", ("x",))),
    ("iadd_nonleaf_grad_fn",
     "x = torch.ones(2, requires_grad=True)\ny = x * 2\ny.add_(1)\nprint(y)\n"
     "print(y.grad_fn.name())\ny.sum().backward()\nprint(x.grad)"),
    ("imul_nonleaf_grad_fn",
     "x = torch.ones(2, requires_grad=True)\ny = x + 0\ny.mul_(3)\nprint(y)\n"
     "print(y.grad_fn.name())\ny.sum().backward()\nprint(x.grad)"),
    ("plus_equals_nonleaf",
     "x = torch.ones(2, requires_grad=True)\ny = x * 2\ny += 1\nprint(y)\n"
     "print(y.grad_fn.name())"),
    ("sub_method_inplace_plain",
     "t = torch.tensor([5., 6.])\nr = t.sub_(1)\nprint(t, r is t)"),
    ("div_method_inplace_plain", "t = torch.tensor([5., 6.])\nt.div_(2)\nprint(t)"),
    ("mul_inplace_int", "t = torch.tensor([1, 2])\nt.mul_(3)\nprint(t)"),
    ("idiv_int_tensor_error", "t = torch.tensor([1, 2])\nt /= 2"),
    ("add_str_type_error", "torch.ones(2) + 'a'"),
    ("radd_str_type_error", "'a' + torch.ones(2)"),
]

# torch computes small integer powers by multiplication (x**3 is x*x*x, x**-2 is 1/(x*x),
# x**-0.5 is 1/sqrt(x)), which rounds differently from a general pow: visible at 4 decimals.
CASES += [
    ("pow_three_values_print", "x = torch.tensor([8.2, 9.8, 10.7, 10.8, 11.1])\nprint(x ** 3)\n"
     "print(x.pow(3).tolist())"),
    ("pow_minus_two_and_minus_half_item",
     "x = torch.tensor([0.7, 3.3, 12.9])\nprint((x ** -2).tolist())\nprint((x ** -0.5).tolist())"),
    ("pow_three_grad_item",
     "x = torch.tensor([8.2, 10.7], requires_grad=True)\ny = x ** 3\ny.sum().backward()\n"
     "print(y)\nprint(x.grad.tolist())"),
    ("pow_tensor_exponent_digits",
     "a = torch.arange(1., 10.).reshape(3, 3)\nb = torch.arange(1., 10.).reshape(3, 3) / 4 + 0.5\n"
     "print(a ** b)"),
    ("backward_formula_bits",
     "x = torch.tensor([0.37, -1.21, 2.05, 0.83, -0.49], requires_grad=True)\n"
     "g = torch.tensor([0.3, -1.7, 0.9, 2.2, -0.6])\n"
     "for name, f in [('sigmoid', torch.sigmoid), ('tanh', torch.tanh),\n"
     "                ('reciprocal', lambda t: 1 / t), ('divide', lambda t: 3.3 / t)]:\n"
     "    x.grad = None\n"
     "    f(x).backward(g)\n"
     "    print(name, x.grad.tolist())"),
]

# Gradients whose last bits depend on torch's grouping of the formula (derivatives.yaml):
# div's divisor gets -g * ((a / b) / b), a number base's exponent g * (r * log(c)) with log(c)
# taken in double precision (pow's own exponent gradient shown to 4 digits).
CASES += [
    ("div_divisor_grad_bits",
     "a = (torch.arange(1., 9.) * 0.37).requires_grad_()\n"
     "b = (torch.arange(2., 10.) * 0.61).requires_grad_()\n"
     "(a / b).backward(torch.linspace(-1.3, 2.9, 8))\n"
     "print(a.grad.tolist())\nprint(b.grad.tolist())"),
    ("pow_tensor_exponent_grad_bits",
     "a = (torch.arange(1., 9.) * 0.37).requires_grad_()\n"
     "e = (torch.arange(-3., 5.) * 0.5).requires_grad_()\n"
     "(a ** e).backward(torch.linspace(-1.3, 2.9, 8))\n"
     "print(a.grad)\nprint(e.grad)"),  # 4 digits: torch's float32 pow/log are MKL's (~8% differ)
    ("pow_zero_base_and_zero_exponent",
     "a = torch.tensor([0., 0., 0., 2., 3.], requires_grad=True)\n"
     "e = torch.tensor([0., 1., 2., 0., -1.], requires_grad=True)\n"
     "(a ** e).sum().backward()\nprint(a.grad, e.grad)"),
    ("number_base_pow_grad_bits",
     "e = (torch.arange(-3., 5.) * 0.7).requires_grad_()\n"
     "(2.5 ** e).backward(torch.linspace(-1.3, 2.9, 8))\nprint(e.grad.tolist())\n"
     "z = torch.tensor([0., 1., 2.], requires_grad=True)\n(0. ** z).sum().backward()\n"
     "print(z.grad)"),
]
