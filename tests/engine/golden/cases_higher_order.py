"""Higher-order gradients (``create_graph=True``): first derivatives that carry torch's graphs,
and second derivatives through them.

Each op case prints the first derivative (value and ``grad_fn``), ``names(g.grad_fn)`` (the
whole graph of the gradient, node names nested as torch's ``next_functions``) and the second
derivative. ``backward(create_graph=True)`` warns once per process (TORCH_WARN_ONCE): the
generator runs every case in one process, so only the first such case of the corpus records
it; the other backward cases filter it out (``QUIET``) so each replays alike on its own.
"""

TOPIC = "higher_order"

NAMES = (
    "def names(fn):\n"
    "    if fn is None:\n"
    "        return None\n"
    "    return (fn.name(), [names(n) for n, _ in fn.next_functions])\n"
)
QUIET = 'import warnings\nwarnings.filterwarnings("ignore", "Using backward")\n'

X22 = "x = torch.tensor([[1., 2.], [3., 4.]], requires_grad=True)\n"
W22 = "w = torch.tensor([[0.5, -1.], [2., 0.25]], requires_grad=True)\n"
POS = "x = torch.tensor([0.5, 1., 2.5], requires_grad=True)\n"
MIXED = "x = torch.tensor([-1.5, -0.25, 0.5, 2.], requires_grad=True)\n"


def _unary(setup: str, expr: str) -> str:
    """First and second derivative of sum(expr) with respect to x."""
    return (NAMES + setup + f"y = {expr}\n"
            "(g,) = torch.autograd.grad(y.sum(), x, create_graph=True)\n"
            "print(g)\n"
            "print(g.requires_grad, names(g.grad_fn))\n"
            "(h,) = torch.autograd.grad(g.sum(), x)\n"
            "print(h)\n")


def _binary(expr: str, setup: str = X22 + W22) -> str:
    """Both first derivatives of sum(expr), then the gradient of a penalty on them."""
    return (NAMES + setup + f"y = {expr}\n"
            "gx, gw = torch.autograd.grad(y.sum(), (x, w), create_graph=True)\n"
            "print(gx)\n"
            "print(names(gx.grad_fn))\n"
            "print(gw)\n"
            "print(names(gw.grad_fn))\n"
            "hx, hw = torch.autograd.grad((gx * gx).sum() + (gw ** 3).sum(), (x, w),\n"
            "                             allow_unused=True)\n"
            "print(hx)\n"
            "print(hw)\n")


def _backward(setup: str, expr: str) -> str:
    """backward(create_graph=True), then the gradient of x.grad."""
    return (QUIET + NAMES + setup + f"y = {expr}\n"
            "y.sum().backward(create_graph=True)\n"
            "g = x.grad\n"
            "print(g)\n"
            "print(g.requires_grad, g.is_leaf, names(g.grad_fn))\n"
            "x.grad = None\n"
            "g.sum().backward()\n"
            "print(x.grad)\n")


CASES = [
    ("backward_create_graph_warns_and_grad_has_a_graph",
     NAMES + "x = torch.tensor(3., requires_grad=True)\n"
     "y = x ** 3\n"
     "y.backward(create_graph=True)\n"
     "print(x.grad)\n"
     "print(x.grad.requires_grad, x.grad.is_leaf, x.grad._version)\n"
     "print(names(x.grad.grad_fn))\n"),
    ("second_derivative_of_cube",
     "x = torch.tensor(3., requires_grad=True)\n"
     "y = x ** 3\n"
     "(g,) = torch.autograd.grad(y, x, create_graph=True)\n"
     "print(g)\n"
     "(h,) = torch.autograd.grad(g, x)\n"
     "print(h)\n"
     "print(h.requires_grad, h.grad_fn)\n"),
    ("third_derivative_of_cube",
     "x = torch.tensor(2., requires_grad=True)\n"
     "(g,) = torch.autograd.grad(x ** 3, x, create_graph=True)\n"
     "(h,) = torch.autograd.grad(g, x, create_graph=True)\n"
     "print(h)\n"
     "(k,) = torch.autograd.grad(h, x)\n"
     "print(k)\n"),
    # arithmetic, tensor and scalar operands in both orders
    ("add_tensors", _binary("(x + w) ** 2")),
    ("add_alpha", _binary("torch.add(x, w, alpha=2) ** 2")),
    ("add_scalar_both_orders", _unary(X22, "(x + 2) * (3 + x)")),
    ("sub_tensors", _binary("(x - w) ** 3")),
    ("sub_alpha", _binary("torch.sub(x, w, alpha=0.5) * x")),
    ("sub_scalar_both_orders", _unary(X22, "(x - 2) * (3 - x)")),
    ("mul_tensors", _binary("x * w * x")),
    ("mul_self", _unary(X22, "x * x")),
    ("mul_scalar_both_orders", _unary(X22, "(x * 3) * (0.5 * x)")),
    ("div_tensors", _binary("x / w")),
    ("div_by_scalar", _unary(X22, "(x / 4) * x")),
    ("div_scalar_by_tensor", _unary(X22, "2 / x")),
    ("neg", _unary(X22, "-x * x")),
    ("pow_square", _unary(X22, "x ** 2")),
    ("pow_cube", _unary(X22, "x.pow(3)")),
    ("pow_half", _unary(POS, "x ** 0.5")),
    ("pow_minus_one", _unary(POS, "x ** -1")),
    ("pow_float", _unary(POS, "x ** 2.5")),
    ("pow_zero", _unary(POS, "x ** 0 + x * x")),
    ("pow_tensor_tensor", _binary("x ** w")),
    ("pow_scalar_base", _unary(POS, "2 ** x")),
    # elementwise functions
    ("exp", _unary(MIXED, "x.exp()")),
    ("log", _unary(POS, "torch.log(x)")),
    ("sqrt", _unary(POS, "x.sqrt()")),
    ("sin", _unary(MIXED, "torch.sin(x)")),
    ("cos", _unary(MIXED, "x.cos()")),
    ("tanh", _unary(MIXED, "torch.tanh(x)")),
    ("sigmoid", _unary(MIXED, "x.sigmoid()")),
    ("relu", _unary(MIXED, "torch.relu(x) * x")),
    ("functional_relu", _unary(MIXED, "F.relu(x) ** 2")),
    ("abs", _unary(MIXED, "x.abs() * x")),
    ("zero_dim_results", _unary(
        "x = torch.tensor(0.7, requires_grad=True)\n",
        "x.exp() * x.tanh() * x.sigmoid() * x.sqrt() * (1 / x) * x.relu()")),
    ("tanh_third_derivative",
     NAMES + MIXED +
     "(g,) = torch.autograd.grad(x.tanh().sum(), x, create_graph=True)\n"
     "(h,) = torch.autograd.grad(g.sum(), x, create_graph=True)\n"
     "print(h)\n"
     "print(names(h.grad_fn))\n"
     "(k,) = torch.autograd.grad(h.sum(), x)\n"
     "print(k)\n"),
    ("sigmoid_third_derivative",
     NAMES + MIXED +
     "(g,) = torch.autograd.grad(x.sigmoid().sum(), x, create_graph=True)\n"
     "(h,) = torch.autograd.grad(g.sum(), x, create_graph=True)\n"
     "print(h)\n"
     "print(names(h.grad_fn))\n"
     "(k,) = torch.autograd.grad(h.sum(), x)\n"
     "print(k)\n"),
    # reductions
    ("sum_all", _unary(X22, "x.sum() ** 2")),
    ("sum_dim", _unary(X22, "x.sum(0) ** 3")),
    ("sum_dim_keepdim", _unary(X22, "x.sum(1, keepdim=True) * x")),
    ("mean_all", _unary(X22, "x.mean() ** 2")),
    ("mean_dim", _unary(X22, "x.mean(dim=1) ** 3")),
    ("mean_dim_keepdim", _unary(X22, "x.mean(0, keepdim=True) * x")),
    # matrices
    ("mm", _binary("(x.mm(w)) ** 2")),
    ("matmul_2d", _binary("torch.matmul(x, w).tanh()")),
    ("matmul_transposed_operand", _binary("(x.t() @ w) ** 2")),
    ("mm_rectangular",
     NAMES + "x = torch.tensor([[1., 2., 3.], [0.5, -1., 2.]], requires_grad=True)\n"
     "w = torch.tensor([[1.], [2.], [-1.]], requires_grad=True)\n"
     "y = (x @ w).sigmoid()\n"
     "gx, gw = torch.autograd.grad(y.sum(), (x, w), create_graph=True)\n"
     "print(gx)\n"
     "print(gw)\n"
     "print(names(gw.grad_fn))\n"
     "print(torch.autograd.grad(gw.sum(), (x, w)))\n"),
    # shapes and views
    ("t", _unary(X22, "x.t() * x")),
    ("transpose", _unary(X22, "x.transpose(0, 1) ** 2")),
    ("permute", _unary(X22, "x.permute(1, 0) * x")),
    ("reshape", _unary(X22, "x.reshape(4) ** 3")),
    ("reshape_non_contiguous", _unary(X22, "x.t().reshape(4) ** 3")),
    ("view", _unary(X22, "x.view(1, 4) ** 2")),
    ("expand", _unary("x = torch.tensor([1., 2.], requires_grad=True)\n",
                      "x.expand(3, 2) ** 3")),
    ("squeeze", _unary("x = torch.tensor([[[1., 2.]]], requires_grad=True)\n",
                       "x.squeeze() ** 3")),
    ("squeeze_dim", _unary("x = torch.tensor([[1., 2.]], requires_grad=True)\n",
                           "x.squeeze(0) ** 3")),
    ("unsqueeze", _unary("x = torch.tensor([1., 2.], requires_grad=True)\n",
                         "x.unsqueeze(1) ** 3")),
    ("clone", _unary(X22, "x.clone() ** 2")),
    # broadcasting: the gradient summed back to each input's shape
    ("broadcast_row", _binary("(x * w) ** 2",
                              "x = torch.tensor([1., 2.], requires_grad=True)\n" + W22)),
    ("broadcast_column", _binary("(x + w) ** 3",
                                 "x = torch.tensor([[1.], [2.]], requires_grad=True)\n" + W22)),
    ("broadcast_scalar_tensor", _binary("(x * w).sin()",
                                        "x = torch.tensor(1.5, requires_grad=True)\n" + W22)),
    # backward(create_graph=True), then through x.grad
    ("backward_pow", _backward(X22, "x ** 3")),
    ("backward_mul_self", _backward(X22, "x * x")),
    ("backward_tanh", _backward(MIXED, "x.tanh()")),
    ("backward_exp_and_sin", _backward(MIXED, "x.exp() * x.sin()")),
    ("backward_linear_grad_has_no_graph", _backward(X22, "x * 2 + 1")),
    ("backward_accumulates_with_a_graph",
     QUIET + NAMES + X22 +
     "(x ** 3).sum().backward(create_graph=True)\n"
     "(x * x).sum().backward(create_graph=True)\n"
     "print(x.grad)\n"
     "print(names(x.grad.grad_fn))\n"),
    ("backward_into_preset_grad",
     QUIET + NAMES + "x = torch.tensor([1., 2.], requires_grad=True)\n"
     "x.grad = torch.zeros(2)\n"
     "(x * x).sum().backward(create_graph=True)\n"
     "print(x.grad)\n"
     "print(names(x.grad.grad_fn))\n"),
    ("backward_then_grad_of_grad_accumulates_in_place",
     QUIET + "x = torch.tensor([1., 2.], requires_grad=True)\n"
     "(x ** 3).sum().backward(create_graph=True)\n"
     "g = x.grad\n"
     "x.grad.sum().backward()\n"
     "print(x.grad, x.grad is g, g._version)\n"),
    ("backward_inputs_create_graph",
     QUIET + "x = torch.tensor([1., 2.], requires_grad=True)\n"
     "w = torch.tensor([3., 4.], requires_grad=True)\n"
     "(x * w * x).sum().backward(inputs=[x], create_graph=True)\n"
     "print(x.grad, w.grad)\n"),
    ("backward_retains_graph_by_default",
     QUIET + "x = torch.tensor([1., 2.], requires_grad=True)\n"
     "y = (x.exp() * x).sum()\n"
     "y.backward(create_graph=True)\n"
     "y.backward()\n"
     "print(x.grad)\n"),
    ("grad_create_graph_retain_graph_false",
     "x = torch.tensor([1., 2.], requires_grad=True)\n"
     "y = (x.exp() * x).sum()\n"
     "torch.autograd.grad(y, x, create_graph=True, retain_graph=False)\n"
     "torch.autograd.grad(y, x)\n"),
    # classic uses
    ("hessian_vector_product",
     "x = torch.tensor([1., -2., 0.5], requires_grad=True)\n"
     "v = torch.tensor([1., 0.5, -1.])\n"
     "y = (x ** 3).sum() + x.sum() * (x * x).sum()\n"
     "(g,) = torch.autograd.grad(y, x, create_graph=True)\n"
     "print(g)\n"
     "(hv,) = torch.autograd.grad(g, x, grad_outputs=v)\n"
     "print(hv)\n"),
    ("hessian_vector_product_dot",
     "x = torch.tensor([[1., 2.], [0.5, -1.]], requires_grad=True)\n"
     "v = torch.tensor([[1., -1.], [0.5, 2.]])\n"
     "y = (x.mm(x)).tanh().sum()\n"
     "(g,) = torch.autograd.grad(y, x, create_graph=True)\n"
     "(hv,) = torch.autograd.grad((g * v).sum(), x)\n"
     "print(hv)\n"),
    ("gradient_penalty",
     QUIET + "w = torch.tensor([[0.5, -1.], [2., 0.25]], requires_grad=True)\n"
     "x = torch.tensor([[1., 2.], [3., 4.]], requires_grad=True)\n"
     "out = torch.sigmoid(x @ w).sum()\n"
     "(gx,) = torch.autograd.grad(out, x, create_graph=True)\n"
     "penalty = (gx ** 2).sum()\n"
     "print(penalty)\n"
     "penalty.backward()\n"
     "print(w.grad)\n"
     "print(x.grad)\n"),
    ("gradient_penalty_mlp",
     "x = torch.tensor([[1., -0.5], [0.25, 2.], [-1., 1.5]], requires_grad=True)\n"
     "w1 = torch.tensor([[0.5, -0.3, 0.8], [0.1, 0.9, -0.6]], requires_grad=True)\n"
     "w2 = torch.tensor([[1.], [-0.7], [0.4]], requires_grad=True)\n"
     "out = torch.relu(x @ w1).mm(w2).tanh().mean()\n"
     "(gx,) = torch.autograd.grad(out, x, create_graph=True)\n"
     "print(gx)\n"
     "loss = out + ((gx ** 2).sum(1) - 1).pow(2).mean()\n"
     "loss.backward()\n"
     "print(w1.grad)\n"
     "print(w2.grad)\n"),
    ("newton_step",
     "x = torch.tensor(1.5, requires_grad=True)\n"
     "for _ in range(3):\n"
     "    y = x ** 3 - 2 * x - 5\n"
     "    (g,) = torch.autograd.grad(y, x, create_graph=True)\n"
     "    (h,) = torch.autograd.grad(g, x)\n"
     "    with torch.no_grad():\n"
     "        x -= g / h\n"
     "    print(x)\n"),
    ("grad_of_grad_wrt_grad_outputs",
     NAMES + "x = torch.tensor([1., 2.], requires_grad=True)\n"
     "v = torch.tensor([1., 1.], requires_grad=True)\n"
     "(g,) = torch.autograd.grad(x.tanh(), x, grad_outputs=v, create_graph=True)\n"
     "print(g)\n"
     "print(names(g.grad_fn))\n"
     "print(torch.autograd.grad(g.sum(), v))\n"),
    ("linear_first_derivative_needs_allow_unused",
     "x = torch.tensor([1., 2.], requires_grad=True)\n"
     "(g,) = torch.autograd.grad((3 * x).sum(), x, create_graph=True)\n"
     "print(g, g.requires_grad)\n"
     "torch.autograd.grad(g.sum(), x)\n"),
    ("retain_grad_under_create_graph",
     QUIET + NAMES + "x = torch.tensor([1., 2.], requires_grad=True)\n"
     "y = x * x\n"
     "y.retain_grad()\n"
     "(y * y).sum().backward(create_graph=True)\n"
     "print(y.grad)\n"
     "print(names(y.grad.grad_fn))\n"),
]
